import assert from 'node:assert/strict';
import { waitFor } from '../helpers/wait.js';

/** Polls `fn` until it returns a truthy value (a throw counts as not yet), for at most `timeoutMs`. */
export const eventually = <T>(fn: () => Promise<T> | T, timeoutMs = 3000, stepMs = 20) => waitFor(fn, { timeoutMs, stepMs });

/** Asserts a JSON error answer: status, `error` text, optional `field`. */
export async function assertJsonError(res: Response, status: number, field?: string | RegExp): Promise<{ error: string; field?: string }> {
  const text = await res.text();
  assert.equal(res.status, status, `status ${res.status} (expected ${status}): ${text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, 'errors are JSON');
  const body = JSON.parse(text) as { error: string; field?: string };
  assert.equal(typeof body.error, 'string');
  assert.ok(body.error.length > 0);
  if (field instanceof RegExp) assert.match(body.field ?? '', field, `field in ${text}`);
  else if (field !== undefined) assert.equal(body.field, field, `field in ${text}`);
  return body;
}

/** The path of a route with every :param filled in. */
export const concretePath = (path: string, value = 'X1'): string => path.replace(/:([A-Za-z]+)/g, value);
