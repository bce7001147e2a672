import { HttpError } from '../router.js';

/** Query-string integer with bounds, or a 400 naming the parameter. */
export function intParam(query: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new HttpError(400, `${name} must be an integer from ${min} to ${max}`, name);
  return n;
}

export function isoParam(query: URLSearchParams, name: string): string | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw new HttpError(400, `${name} must be an ISO 8601 date-time`, name);
  return new Date(t).toISOString();
}

export function enumParam<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!allowed.includes(raw as T)) throw new HttpError(400, `${name} must be one of ${allowed.join(', ')}`, name);
  return raw as T;
}
