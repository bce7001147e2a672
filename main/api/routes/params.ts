import { utcInstant } from '../../store/instant.js';
import { HttpError } from '../router.js';

/** Query-string integer with bounds, or a 400 naming the parameter. */
export function intParam(query: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new HttpError(400, `${name} must be an integer from ${min} to ${max}`, name);
  return n;
}

/**
 * 2024-01-31, 2024-01-31T10:00, 2024-01-31T10:00:00.000Z, 2024-01-31T10:00:00+01:00, as the UTC
 * instant stored values are compared with (no offset = UTC, like charger timestamps).
 */
export function isoParam(query: URLSearchParams, name: string): string | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const instant = utcInstant(raw);
  if (!instant) throw new HttpError(400, `${name} must be an ISO 8601 date or date-time (e.g. 2024-01-31T10:00:00Z)`, name);
  return instant;
}

/** A body date-time the schema (format: date-time, RFC 3339) accepted, as a stored instant. */
export function isoDateTime(value: string, field: string): string {
  const instant = utcInstant(value);
  if (!instant) throw new HttpError(400, `${field} must be an RFC 3339 date-time`, field);
  return instant;
}

export function enumParam<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!allowed.includes(raw as T)) throw new HttpError(400, `${name} must be one of ${allowed.join(', ')}`, name);
  return raw as T;
}
