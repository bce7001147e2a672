import { CommandError, type CommandErrorKind } from '../../commands/errors.js';
import { HttpError } from '../router.js';

const STATUS: Record<CommandErrorKind, number> = {
  invalid: 400,
  'not-found': 404,
  'not-connected': 409,
  'not-allowed': 409,
  conflict: 409,
  timeout: 504,
  'call-error': 502,
  busy: 503,
  'store-unavailable': 503,
};

/** Runs a command and turns its failure into the HTTP status a caller can act on. */
export async function asHttp<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CommandError) throw new HttpError(STATUS[err.kind], err.message, err.extra.field, { kind: err.kind, ...(err.extra.rpcCode && { rpcCode: err.extra.rpcCode }) });
    throw err;
  }
}

/** Who asked, for the audit log: the REST caller may name itself with X-Actor. */
export function actor(headers: Record<string, string | string[] | undefined>): string {
  const named = headers['x-actor'];
  const name = typeof named === 'string' ? named.replace(/[^\w.@ -]/g, '').slice(0, 64) : '';
  return name ? `rest:${name}` : 'rest';
}
