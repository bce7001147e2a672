import { HttpError } from '../router.js';

/** Query-string integer with bounds, or a 400 naming the parameter. */
export function intParam(query: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new HttpError(400, `${name} must be an integer from ${min} to ${max}`, name);
  return n;
}

/** 2024-01-31, 2024-01-31T10:00, 2024-01-31T10:00:00.000Z, 2024-01-31T10:00:00+01:00 */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

export function isoParam(query: URLSearchParams, name: string): string | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  // Date.parse alone takes "1" or "March 7" as dates, and rolls 2024-02-30 into March.
  const m = ISO_DATE_TIME.exec(raw);
  const t = Date.parse(raw);
  const day = m && new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (!m || Number.isNaN(t) || day!.getUTCMonth() !== Number(m[2]) - 1 || day!.getUTCDate() !== Number(m[3])) {
    throw new HttpError(400, `${name} must be an ISO 8601 date or date-time (e.g. 2024-01-31T10:00:00Z)`, name);
  }
  return new Date(t).toISOString();
}

/**
 * A body date-time the schema (format: date-time, RFC 3339) accepted, as an ISO string. RFC 3339
 * allows a leap second (23:59:60) that JS dates cannot hold: new Date() gave Invalid Date and
 * toISOString() threw, a 500 (found by test/fuzz/rest-sweep). It is taken as the next second.
 */
export function isoDateTime(value: string, field: string): string {
  let t = Date.parse(value);
  if (Number.isNaN(t) && /\d{2}:\d{2}:60(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/i.test(value)) t = Date.parse(value.replace(/:60(?=(\.\d+)?(Z|[+-]\d{2}:?\d{2})$)/i, ':59')) + 1000;
  if (Number.isNaN(t) || Math.abs(t) > 8.64e15) throw new HttpError(400, `${field} must be an RFC 3339 date-time`, field);
  return new Date(t).toISOString();
}

export function enumParam<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!allowed.includes(raw as T)) throw new HttpError(400, `${name} must be one of ${allowed.join(', ')}`, name);
  return raw as T;
}
