/** REST calls of the command tests, against the test app `app()` returns (set up in before()). */
import assert from 'node:assert/strict';
import type { TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';

export interface Answer {
  status: number;
  body: any;
}

export function restOf(app: () => TestApp) {
  const post = async (path: string, json: unknown): Promise<Answer> => {
    const r = await app().api(path, { method: 'POST', json });
    return { status: r.status, body: await r.json() };
  };
  const get = async (path: string): Promise<any> => {
    const r = await app().api(path);
    assert.equal(r.status, 200, `GET ${path}`);
    return r.json();
  };
  return {
    post,
    get,
    /** POST /api/admin/:cpId/<name>. */
    command: (cp: string, name: string, json: unknown) => post(`/api/admin/${cp}/${name}`, json),
    charger: (cp: string) => get(`/api/charger/${cp}`),
    addCard: async (tagId: string, extra: object = {}) => assert.equal((await post('/api/rfid', { tagId, ...extra })).status, 201),
  };
}

export const inFuture = (ms: number): string => new Date(Date.now() + ms).toISOString();

/** Polls `fn` until `ok` holds (bounded); fails with the last value seen. */
export async function until<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, what: string, timeoutMs = 4000): Promise<T> {
  let last: T | undefined;
  try {
    const found = await waitFor(
      async () => {
        last = await fn();
        return ok(last) && { value: last };
      },
      { timeoutMs, stepMs: 25, what },
    );
    return found.value;
  } catch (err) {
    assert.fail(`${(err as Error).message}; last: ${JSON.stringify(last)}`);
  }
}
