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

export const UNREACHABLE = 'The OCPP Edge service is not reachable. Check that it is running (npm run serve); this page reconnects by itself.';

interface Answer {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The answer's data, or an ApiError with the API's own message (never a bare status). */
export async function unwrap<T>(call: Promise<Answer>): Promise<T> {
  let answer: Answer;
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
