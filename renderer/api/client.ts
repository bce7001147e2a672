import createClient from 'openapi-fetch';
import type { paths } from './schema';

/**
 * The one HTTP client of the UI, typed from the OpenAPI document (schema.d.ts, npm run gen:api).
 * Same-origin cookie auth: the session cookie set by POST /api/session rides along; no token in
 * the page.
 */
// X-Actor: the audit log names the UI as who sent a command.
export const client = createClient<paths>({ baseUrl: '', credentials: 'same-origin', headers: { 'X-Actor': 'ui' } });

/** A failed call, readable as is: what went wrong and, where the API said, which field. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** The session or the token was refused (the answer says why in `reason`). */
export const isUnauthorized = (err: unknown): err is ApiError => err instanceof ApiError && err.status === 401;

export const UNREACHABLE = 'The OCPP Edge service is not reachable. Check that it is running (npm run serve); this page reconnects by itself.';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Json<R, S extends number> = R extends { [K in S]: { content: { 'application/json': infer J } } } ? J : never;
/** The JSON answer of a route (200, or 201 for creates), as the OpenAPI document publishes it. */
export type Answer<P extends keyof paths, M extends Method = 'get'> = paths[P][M] extends { responses: infer R } ? Json<R, 200> | Json<R, 201> : never;

interface Reply<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The answer's data, typed by the document, or an ApiError with the API's own message (never a bare status). */
export async function unwrap<T>(call: Promise<Reply<T>>): Promise<T> {
  let answer: Reply<T>;
  try {
    answer = await call;
  } catch (err) {
    throw new ApiError(0, UNREACHABLE, undefined, err instanceof Error ? err.message : undefined);
  }
  if (answer.response.ok) return answer.data as T;
  const body = (answer.error ?? {}) as { error?: string; field?: string; reason?: string };
  const status = answer.response.status;
  const fallback = status >= 500 ? `The service failed (${status}). Try again; if it persists, check the service log.` : `Request refused (${status}).`;
  throw new ApiError(status, body.error ?? fallback, body.field?.replace(/^body\./, ''), body.reason);
}

type Query = Record<string, string | number | undefined>;

/**
 * GET with query parameters. The published document does not list query parameters yet (the
 * route table has no query schemas), so they pass through here, the one place that does it.
 */
export function withQuery(query: Query): { params: { query: never } } {
  const clean = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== ''));
  return { params: { query: clean as never } };
}
