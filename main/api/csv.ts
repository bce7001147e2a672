import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** RFC 4180 cell; a cell that a spreadsheet would run as a formula is prefixed with a quote. */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const lines = <T extends object>(columns: ReadonlyArray<keyof T & string>, rows: readonly T[]): string => rows.map((r) => `${columns.map((c) => cell(r[c])).join(',')}\r\n`).join('');

/** RFC 4180 CSV with a header line. */
export function toCsv<T extends object>(columns: ReadonlyArray<keyof T & string>, rows: readonly T[]): string {
  return `${columns.join(',')}\r\n${lines(columns, rows)}`;
}

/**
 * The same CSV as a byte stream, one chunk per slice of rows. Slices are pulled only as fast as
 * the client reads (backpressure), the event loop gets a turn between slices so chargers are
 * answered during a large export, and a client that goes away ends the pulling (the stream is
 * destroyed, which returns the slice iterator).
 */
export function csvStream<T extends object>(columns: ReadonlyArray<keyof T & string>, slices: Iterable<readonly T[]>): Readable {
  async function* chunks(): AsyncGenerator<string> {
    yield `${columns.join(',')}\r\n`;
    for (const rows of slices) {
      yield lines(columns, rows);
      await nextTurn();
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 64 * 1024 });
}
