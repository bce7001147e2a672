/**
 * Small helpers shared by the OCPP integration tests in this folder (not a test file itself:
 * the runner only picks up *.test.ts).
 */
import type { Config } from '../../main/config/schema.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';
import { quietWindow, waitFor as waitUntil } from '../helpers/wait.js';

export { boot, startTestApp, type TestApp, TestCharger };

/** Runs `fn` against a fresh app and disposes it afterwards, pass or fail. */
export async function withApp<T>(overrides: Partial<Config>, fn: (app: TestApp) => Promise<T>): Promise<T> {
  const app = await startTestApp(overrides);
  try {
    return await fn(app);
  } finally {
    await app.dispose();
  }
}

let seq = 0;
/** A charge point id unique within the test process, so tests sharing an app never collide. */
export const cpid = (prefix = 'CP'): string => `${prefix}-${process.pid.toString(36)}-${(++seq).toString(36)}`;

/** Connects at ws://HOST:PORT/ocpp/ID with ocpp1.6 offered. */
export const connect = (app: TestApp, id: string, opts: Parameters<typeof TestCharger.connect>[1] = {}) => TestCharger.connect(`${app.wsBase}/ocpp/${encodeURIComponent(id)}`, opts);

/** Connects and sends an accepted BootNotification. */
export async function connectBooted(app: TestApp, id: string): Promise<TestCharger> {
  const cp = await connect(app, id);
  const b = await boot(cp);
  if (b.status !== 'Accepted') throw new Error(`boot of ${id} was ${b.status}`);
  return cp;
}

/** Polls until `fn` returns a truthy value (for effects written after a socket closes). */
export const waitFor = <T>(fn: () => T | Promise<T>, what = 'condition', timeoutMs = 3000) => waitUntil(fn, { what, timeoutMs });

export { quietWindow };

/** Rows of a read-only query against the app's store. */
export const rows = <T = Record<string, any>>(app: TestApp, sql: string, ...args: unknown[]): T[] => app.db.prepare(sql).all(...args) as T[];
export const row = <T = Record<string, any>>(app: TestApp, sql: string, ...args: unknown[]): T | undefined => app.db.prepare(sql).get(...args) as T | undefined;

export const iso = (ms = Date.now()) => new Date(ms).toISOString();

/** Opens a raw upgrade and reports the HTTP status of a refusal (or 101). */
export async function upgradeStatus(url: string, opts: Parameters<typeof TestCharger.connect>[1] = {}): Promise<number> {
  try {
    const cp = await TestCharger.connect(url, opts);
    await cp.close();
    return 101;
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === undefined) throw err;
    return status;
  }
}
