import { Type } from '@sinclair/typebox';
import type { AdminWriter } from '../../store/admin-ops.js';
import type { Db } from '../../store/db.js';
import { findIdTagForAuthorization } from '../../store/queries/id-tags.js';
import { compileSchema } from '../../validation.js';
import { ImportReport } from '../responses/rfid.js';
import { HttpError, type Route } from '../router.js';
import { isoDateTime } from './params.js';
import { CreateRfidBody } from './rfid.js';

/**
 * RFID cards from a CSV file (header row naming the card fields: tagId, status, validUntil,
 * parentIdTag, description, ...). Every row is checked with the same schema as POST /api/rfid;
 * `commit: false` only reports, `commit: true` imports the valid rows in one transaction.
 */
const ImportBody = Type.Object(
  { csv: Type.String({ maxLength: 900_000, description: 'CSV text with a header row' }), commit: Type.Boolean({ description: 'false: preview only; true: import the valid rows' }) },
  { additionalProperties: false },
);

/** RFC 4180 rows: quoted cells may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => r.some((c) => c.trim() !== ''));
}

export interface ImportRow {
  line: number;
  tagId: string;
  ok: boolean;
  error?: string;
  field?: string;
}

const properties = (CreateRfidBody as unknown as { properties: Record<string, { anyOf?: Array<{ type?: string }>; type?: string }> }).properties;
const isNumeric = (name: string) => [properties[name], ...(properties[name]?.anyOf ?? [])].some((p) => p?.type === 'integer' || p?.type === 'number');

export function uiRfidImportRoutes(db: Db, writer: AdminWriter): Route[] {
  const check = compileSchema<Record<string, unknown>>(CreateRfidBody);
  return [
    {
      method: 'POST',
      path: '/api/ui/rfid/import',
      response: ImportReport,
      summary: 'RFID cards from CSV {csv, commit}: per-row report; commit=true imports the valid rows in one transaction',
      body: ImportBody,
      handler: async ({ body }) => {
        const { csv, commit } = body as { csv: string; commit: boolean };
        const [header, ...lines] = parseCsv(csv.replace(/^\uFEFF/, ''));
        if (!header) throw new HttpError(400, 'the CSV is empty: the first row must name the columns, e.g. tagId,status,validUntil,parentIdTag,description', 'csv');
        const names = header.map((h) => h.trim());
        const unknown = names.filter((n) => !(n in properties));
        if (unknown.length) throw new HttpError(400, `unknown column ${unknown.join(', ')}: columns are ${Object.keys(properties).join(', ')}`, 'csv');
        if (!names.includes('tagId')) throw new HttpError(400, 'the CSV needs a tagId column', 'csv');
        const seen = new Set<string>();
        const valid: Array<Record<string, unknown>> = [];
        const rows: ImportRow[] = lines.map((cells, i) => {
          const line = i + 2;
          const card: Record<string, unknown> = {};
          names.forEach((n, j) => {
            const v = (cells[j] ?? '').trim();
            if (v !== '') card[n] = isNumeric(n) && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
          });
          const tagId = String(card.tagId ?? '');
          const checked = check(card);
          if (!checked.ok) return { line, tagId, ok: false, error: checked.error, ...(checked.field && { field: checked.field }) };
          const key = tagId.toLowerCase();
          if (seen.has(key)) return { line, tagId, ok: false, error: `tagId ${tagId} appears twice in the file (idTags ignore case)`, field: 'tagId' };
          seen.add(key);
          const clash = findIdTagForAuthorization(db, tagId);
          if (clash) return { line, tagId, ok: false, error: `RFID card ${clash.tagId} already exists`, field: 'tagId' };
          valid.push({ ...card, ...(card.validUntil !== undefined && { validUntil: isoDateTime(String(card.validUntil), 'validUntil') }) });
          return { line, tagId, ok: true };
        });
        if (commit) {
          // All valid rows or none, through the writer like every write.
          const done = await writer.run('importIdTags', { cards: valid as never });
          if ('clash' in done) throw new HttpError(409, `RFID card ${done.clash} was created meanwhile: nothing imported, preview again`, 'csv');
        }
        return { rows, valid: valid.length, invalid: rows.length - valid.length, imported: commit ? valid.length : 0 };
      },
    },
  ];
}
