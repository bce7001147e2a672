/** Messages between the writer (main thread) and its worker thread. */

export interface WriterWorkerData {
  file: string;
  setup: unknown;
  walCheckpointBytes: number;
  /** Jobs per transaction at most, however many batches waited. */
  maxBatch: number;
}

/** An error as it crosses the thread boundary: structured clone keeps no `code`. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

export type WireResult = { ok: true; value: unknown } | { ok: false; error: WireError };

export type ToWriter = { seq: number; names: string[]; args: unknown[] } | { seq: number; pragma: string } | { seq: number; close: true };

export type FromWriter = { seq: number; results: WireResult[] } | { seq: number; fatal: WireError };

export function toWire(err: unknown): WireError {
  const e = err as { name?: unknown; message?: unknown; code?: unknown; stack?: unknown } | null;
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    message: typeof e?.message === 'string' ? e.message : String(err),
    ...(typeof e?.code === 'string' && { code: e.code }),
    ...(typeof e?.stack === 'string' && { stack: e.stack }),
  };
}

export function revive(w: WireError): Error {
  const err = new Error(w.message);
  err.name = w.name;
  if (w.stack) err.stack = w.stack;
  if (w.code) (err as Error & { code: string }).code = w.code;
  return err;
}
