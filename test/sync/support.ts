/**
 * Helpers of the head-office sync tests (issue 10): the reference head office on loopback, an
 * edge app pointed at it, and sessions driven over real OCPP sockets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../main/config/schema.js';
import { type Faults, type Headoffice, startHeadoffice } from '../headoffice/server.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';

export const HO_TOKEN = 'headoffice-test-token';

export interface HeadofficeHandle extends Headoffice {
  dataDir: string;
  summary(): Promise<{ sessions: number; sessionRecords: number; duplicates: number; rejected: number; deliveries: number; hanging: number; manifests: number; snapshots: number; alerts: number }>;
  call(method: string, path: string, body?: unknown): Promise<any>;
  setFaults(f: Partial<Faults>): Promise<void>;
  dispose(): Promise<void>;
}

/** The reference head office on 127.0.0.1 (`port` 0: any free one), with a temporary data dir unless one is given. */
export async function startHo(o: { port?: number; dataDir?: string; hmacSecret?: string; tls?: { cert: string; key: string } } = {}): Promise<HeadofficeHandle> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'headoffice-test-'));
  const ho = (await startHeadoffice({
    port: o.port ?? 0,
    host: '127.0.0.1',
    dataDir,
    token: HO_TOKEN,
    ...(o.hmacSecret && { hmacSecret: o.hmacSecret }),
    ...(o.tls && { tls: o.tls }),
  })) as HeadofficeHandle;
  ho.dataDir = dataDir;
  ho.call = async (method, path, body) => {
    const res = await fetch(ho.url + path, {
      method,
      headers: { authorization: `Bearer ${HO_TOKEN}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`head office ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  };
  ho.summary = () => ho.call('GET', '/summary');
  ho.setFaults = async (f) => void (await ho.call('PUT', '/faults', f));
  ho.dispose = async () => {
    await ho.close();
    if (!o.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  return ho;
}

/** Settings of an edge pointed at head office on `port`, tuned for tests (short timeout and backoff, no nightly run). */
export const edgeSettings = (port: number, o: Partial<Config> = {}): Partial<Config> => ({
  headofficeUrl: `http://127.0.0.1:${port}`,
  headofficeToken: HO_TOKEN,
  headofficeTimeoutMs: 800,
  syncBackoffMaxMs: 400,
  syncCron: 'off',
  ...o,
});

export const startEdge = (port: number, o: Partial<Config> = {}): Promise<TestApp> => startTestApp(edgeSettings(port, o));

/** Polls an async condition (never a fixed sleep); fails naming what it waited for. */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * `perCharger` sessions on each of `chargers` booted chargers at ws base `wsBase`, one after
 * another per charger (start, stop), chargers in parallel. Resolves with the transaction ids.
 */
export async function runSessions(wsBase: string, o: { chargers: number; perCharger: number; prefix: string; idTag?: (i: number) => string }): Promise<number[]> {
  const ids: number[] = [];
  await Promise.all(
    Array.from({ length: o.chargers }, async (_, c) => {
      const cp = await TestCharger.connect(`${wsBase}/ocpp/${o.prefix}-${c}`);
      await boot(cp);
      let meter = 1000;
      for (let i = 0; i < o.perCharger; i++) {
        const n = c * o.perCharger + i;
        const start = await cp.call('StartTransaction', { connectorId: 1, idTag: o.idTag?.(n) ?? `TAG-${c}`, meterStart: meter, timestamp: new Date().toISOString() });
        meter += 1500;
        await cp.call('StopTransaction', { transactionId: start.transactionId, meterStop: meter, timestamp: new Date().toISOString(), reason: 'EVDisconnected' });
        ids.push(start.transactionId);
      }
      await cp.close();
    }),
  );
  return ids;
}

/** Pending outbox records of one kind (null: of every kind) in the edge's store. */
export const pendingOf = (app: TestApp, kind: string | null = 'session'): number =>
  (app.db.prepare("SELECT count(*) AS n FROM sync_outbox WHERE state = 'pending' AND (@kind IS NULL OR kind = @kind)").get({ kind }) as { n: number }).n;

/** Nothing pending in the edge's outbox, of any kind (sessions and snapshots go in separate requests). */
export const outboxDrained = (app: TestApp): boolean => pendingOf(app, null) === 0;
