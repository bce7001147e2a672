/**
 * Issue 5, disks: when the database cannot be written (disk full: SQLITE_FULL through a lowered
 * max_page_count; read-only: PRAGMA query_only) the service answers StartTransaction,
 * MeterValues and StopTransaction with CALLERROR InternalError instead of a false
 * acknowledgement, nothing it acknowledged is missing, one alert shows in /health, /api/alerts
 * and on the event stream (not one per failed commit), REST reads keep working; when space
 * returns the chargers' retries succeed, the alert clears and 'store-recovered' is emitted.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import { type App, createApp } from '../../main/app.js';
import { loadConfig } from '../../main/config/load.js';
import { createLogger } from '../../main/log/logger.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';
import { waitFor } from '../helpers/wait.js';
import { SimCharger } from '../sim/charger.js';
import { checkStore, storeCheckOk } from './check.js';

const TOKEN = 'disk-test-token-0123456789abcdef';
const iso = (ms = Date.now()) => new Date(ms).toISOString();
type Frame = [number, string, ...unknown[]];

/** Polls `pred` every 20 ms until true, for at most `timeoutMs`. */
const until = (pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string) => waitFor(pred, { timeoutMs, what, stepMs: 20 });

interface Harness {
  app: App;
  http: string;
  ws: string;
  /** Log lines the service wrote (JSON), in order. */
  logs: Array<{ level: number; msg: string }>;
  /** Events seen on /api/events. */
  events: Array<{ event: string; data: any }>;
  api(path: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** The real app in this process (so the test can reach its db connection), logs captured. */
async function start(): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ocpp-edge-disk-'));
  const logs: Harness['logs'] = [];
  const log = createLogger('info', {
    write: (line: string) => {
      const j = JSON.parse(line) as { level: string | number; msg: string };
      const level = typeof j.level === 'number' ? j.level : (({ trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as Record<string, number>)[j.level] ?? 0);
      logs.push({ level, msg: j.msg });
    },
  } as never);
  const config = { ...loadConfig({ env: {}, cli: { dataDir } }), port: 0, host: '127.0.0.1', apiToken: TOKEN, pingIntervalSec: 0, backupCron: 'off' };
  const app = createApp(config, log);
  await app.start();
  const http = `http://127.0.0.1:${app.port}`;
  const ws = `ws://127.0.0.1:${app.port}`;
  const events: Harness['events'] = [];
  const stream = new WebSocket(`${ws}/api/events`, { headers: { authorization: `Bearer ${TOKEN}` } });
  stream.on('message', (d) => events.push(JSON.parse(d.toString())));
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.once('message', () => resolve());
  });
  return {
    app,
    http,
    ws,
    logs,
    events,
    async api(path) {
      const res = await fetch(http + path, { headers: { authorization: `Bearer ${TOKEN}` } });
      return { status: res.status, body: await res.json() };
    },
    async close() {
      stream.close();
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function simChargers(h: Harness, prefix: string, n: number): SimCharger[] {
  return Array.from(
    { length: n },
    (_, i) =>
      new SimCharger({
        id: `${prefix}-${i + 1}`,
        url: `${h.ws}/ocpp`,
        meterIntervalMs: 100,
        timeScale: 600,
        txRetryIntervalMs: 150,
        callTimeoutMs: 5000,
        backoffInitialMs: 100,
        backoffMaxMs: 500,
        authorizeMode: 'advisory',
        // A real charger retries a refused transaction message for a while; this one long enough
        // to outlast the outage.
        config: { TransactionMessageAttempts: '100000', AllowOfflineTxForUnknownId: 'true', StopTransactionOnInvalidId: 'false' },
      }),
  );
}

const storeAlerts = (h: Harness) => h.events.filter((e) => e.event === 'alert' && e.data.kind === 'store');
const recoveredAlerts = (h: Harness) => h.events.filter((e) => e.event === 'alert' && e.data.kind === 'store-recovered');
const rowCount = (h: Harness, sql: string, ...args: unknown[]) => (h.app.db.prepare(sql).get(...args) as { n: number }).n;

function assertInternalError(f: Frame, what: string): void {
  assert.equal(f[0], 4, `${what}: a CALLERROR, not ${JSON.stringify(f).slice(0, 200)}`);
  assert.equal(f[2], 'InternalError', `${what}: InternalError`);
}

/**
 * Runs sim chargers (sessions with meter values) plus one raw charger through an outage made
 * by `breakStore` and ended by `fixStore`, and checks every promise of issue 5.
 */
async function outage(t: { diagnostic: (s: string) => void }, o: { prefix: string; breakStore: (h: Harness) => Promise<void>; fixStore: (h: Harness) => Promise<unknown>; errorPattern: RegExp }) {
  const h = await start();
  const sims = simChargers(h, o.prefix, 4);
  const raw = await TestCharger.connect(`${h.ws}/ocpp/RAW${o.prefix}`);
  try {
    assert.equal((await boot(raw)).status, 'Accepted');
    // Sessions left open for the stops sent during the outage (one per connector).
    const open: Array<{ transactionId: number; meterStart: number }> = [];
    for (let c = 1; c <= 12; c++) {
      const r = await raw.call('StartTransaction', { connectorId: c, idTag: `${o.prefix}-T`, meterStart: 1000 * c, timestamp: iso() });
      open.push({ transactionId: r.transactionId, meterStart: 1000 * c });
    }
    for (const c of sims) c.start();
    await until(() => sims.every((c) => c.boots > 0), 10_000, 'sim chargers booted');
    const sessions = sims.map((c) => c.startSession({ idTag: `${c.id}-TAG`, connectorId: 1, samples: 40 }));
    await until(() => sims.every((c) => c.ledger.meterValues.length >= 3), 10_000, 'sessions metering');
    assert.equal(storeAlerts(h).length, 0);
    assert.equal((await h.api('/health')).body.storeError, null);

    const logsBefore = h.logs.length;
    const outageStart = Date.now();
    // Housekeeping writes (presence, message log) the periodic flushers ask for during the outage.
    const housekeeping = new Set<string>();
    const runLazy = h.app.writer.runLazy.bind(h.app.writer);
    h.app.writer.runLazy = ((op, args) => (housekeeping.add(op), runLazy(op, args))) as typeof runLazy;
    await o.breakStore(h);

    // StartTransaction: a CALLERROR, nothing stored. (A write that still fits, e.g. into a page
    // with room left, is acknowledged honestly: it is on disk. Bounded tries until one fails.)
    const attempts = { start: 0, meter: 0, stop: 0 };
    let failedStart: Record<string, unknown> | null = null;
    for (let i = 0; i < 40 && !failedStart; i++) {
      attempts.start++;
      const req = { connectorId: 50 + i, idTag: `${o.prefix}-S${i}`, meterStart: 7 + i, timestamp: iso() };
      const f = (await raw.callRaw('StartTransaction', req)) as Frame;
      const stored = rowCount(h, 'SELECT count(*) AS n FROM transactions WHERE charge_point_id = ? AND id_tag = ?', `RAW${o.prefix}`, req.idTag);
      if (f[0] === 3) assert.equal(stored, 1, 'an acknowledged start is on disk');
      else {
        assertInternalError(f, 'StartTransaction');
        assert.equal(stored, 0, 'a refused start is not stored');
        failedStart = req;
      }
    }
    assert.ok(failedStart, 'StartTransaction was refused while the store could not be written');

    // MeterValues of an open session.
    let failedMeter: Record<string, unknown> | null = null;
    const tx = open[0]!;
    for (let i = 0; i < 40 && !failedMeter; i++) {
      attempts.meter++;
      const timestamp = iso(Date.now() + i);
      const req = {
        connectorId: 1,
        transactionId: tx.transactionId,
        meterValue: [
          {
            timestamp,
            sampledValue: [
              { value: String(tx.meterStart + 10 * (i + 1)), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
              { value: '7000', measurand: 'Power.Active.Import', unit: 'W' },
            ],
          },
        ],
      };
      const f = (await raw.callRaw('MeterValues', req)) as Frame;
      const stored = rowCount(h, 'SELECT count(*) AS n FROM meter_values WHERE transaction_id = ? AND timestamp = ?', tx.transactionId, timestamp);
      if (f[0] === 3) assert.equal(stored, 2, 'acknowledged meter values are on disk');
      else {
        assertInternalError(f, 'MeterValues');
        assert.equal(stored, 0, 'refused meter values are not stored');
        failedMeter = req;
      }
    }
    assert.ok(failedMeter, 'MeterValues was refused while the store could not be written');

    // StopTransaction (with transactionData) of the other open sessions.
    let failedStop: { req: Record<string, unknown>; tx: { transactionId: number; meterStart: number } } | null = null;
    for (const s of open.slice(1)) {
      if (failedStop) break;
      attempts.stop++;
      const ts = iso();
      const req = {
        transactionId: s.transactionId,
        meterStop: s.meterStart + 4321,
        timestamp: ts,
        reason: 'Local',
        transactionData: [{ timestamp: ts, sampledValue: [{ value: String(s.meterStart + 4321), context: 'Transaction.End', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
      };
      const f = (await raw.callRaw('StopTransaction', req)) as Frame;
      const row = h.app.db.prepare('SELECT status, meter_stop AS meterStop FROM transactions WHERE id = ?').get(s.transactionId) as { status: string; meterStop: number | null };
      if (f[0] === 3) assert.deepEqual(row, { status: 'Completed', meterStop: s.meterStart + 4321 }, 'an acknowledged stop is on disk');
      else {
        assertInternalError(f, 'StopTransaction');
        assert.deepEqual(row, { status: 'Active', meterStop: null }, 'a refused stop changed nothing');
        failedStop = { req, tx: s };
      }
    }
    assert.ok(failedStop, 'StopTransaction was refused while the store could not be written');

    // The alert: /health, /api/alerts, the event stream.
    const health = await h.api('/health');
    assert.equal(health.status, 200);
    assert.match(health.body.storeError ?? '', o.errorPattern);
    const alerts = await h.api('/api/alerts');
    assert.equal(alerts.status, 200);
    assert.equal(alerts.body.length, 1);
    assert.equal(alerts.body[0].kind, 'store');
    assert.match(alerts.body[0].message, o.errorPattern);
    await until(() => storeAlerts(h).length > 0, 2000, 'the alert on the event stream');
    assert.match(storeAlerts(h)[0]!.data.message, o.errorPattern);

    // Other REST reads keep working.
    for (const path of [
      '/api/stations',
      `/api/stations/RAW${o.prefix}`,
      '/api/sessions',
      `/api/sessions/${open[0]!.transactionId}`,
      `/api/sessions/${open[0]!.transactionId}/meter-values`,
      '/api/stations/connected/list',
      '/api/rfid',
      '/statistics',
    ]) {
      const r = await h.api(path);
      assert.equal(r.status, 200, `GET ${path} while the store cannot be written`);
    }

    // The sim chargers keep retrying; the presence and message-log flushers run during the
    // outage (as their 5 s and 1 s timers do; every charger's presence made due, as it is once a
    // minute) and fail too. Left to their timers, a setup slower than the first 5 s presence
    // flush found no presence due until a minute later.
    const droppedBefore = h.app.writer.dropped;
    const presence = h.app.ocpp['presence'] as unknown as { lastFlushed: Map<string, number>; flush(): void };
    presence.lastFlushed.clear();
    presence.flush();
    h.app.ocpp['frameLog'].flush();
    await until(() => housekeeping.has('presence') && housekeeping.has('logFrames') && h.app.writer.dropped >= droppedBefore + 2, 15_000, 'the presence and message-log flushers to fail');
    const simRefusals = sims.reduce((n, c) => n + c.sent.filter((s) => s.error?.startsWith('InternalError')).length, 0);
    assert.ok(simRefusals > 0, 'the sim chargers were refused too');
    const errorLines = h.logs.slice(logsBefore).filter((l) => l.level >= 50);
    // main/ocpp/connection.ts logs every refused message ('handler failed'), one line per charger
    // retry: left to the OCPP module's owners (see the report); everything else must stay quiet.
    const storeLines = errorLines.filter((l) => l.msg !== 'handler failed');
    const outageMs = Date.now() - outageStart;
    t.diagnostic(
      `outage ${outageMs} ms: tries until refused start ${attempts.start}, meter ${attempts.meter}, stop ${attempts.stop}; ${simRefusals} sim refusals; ` +
        `${storeAlerts(h).length} alert events; ${errorLines.length} error log lines: ${[...new Set(errorLines.map((l) => l.msg))].join(' | ')}`,
    );
    assert.equal(storeAlerts(h).length, 1, 'one alert for the outage, not one per failed commit');
    assert.deepEqual(
      storeLines.map((l) => l.msg),
      ['store commit failed: chargers get errors instead of acknowledgements'],
      'one error line for the outage: no line per failed commit, none from the presence and message-log flushers',
    );
    assert.equal(recoveredAlerts(h).length, 0, 'no recovery announced while writes still fail');

    // Space returns: the retries succeed, the alert clears, 'store-recovered' is emitted.
    await o.fixStore(h);
    const retryStart = await raw.call('StartTransaction', failedStart);
    assert.ok(Number.isInteger(retryStart.transactionId));
    assert.equal(rowCount(h, 'SELECT count(*) AS n FROM transactions WHERE charge_point_id = ? AND id_tag = ?', `RAW${o.prefix}`, failedStart.idTag), 1);
    assert.deepEqual(await raw.call('MeterValues', failedMeter), {});
    assert.equal(
      rowCount(h, 'SELECT count(*) AS n FROM meter_values WHERE transaction_id = ? AND timestamp = ?', tx.transactionId, (failedMeter.meterValue as Array<{ timestamp: string }>)[0]!.timestamp),
      2,
    );
    assert.deepEqual(await raw.call('StopTransaction', failedStop.req), {});
    assert.deepEqual(h.app.db.prepare('SELECT status, meter_stop AS meterStop FROM transactions WHERE id = ?').get(failedStop.tx.transactionId), {
      status: 'Completed',
      meterStop: failedStop.tx.meterStart + 4321,
    });
    // Recovery is announced once writes have worked for a quiet period (2 s) without a failure.
    await until(async () => (await h.api('/health')).body.storeError === null, 10_000, 'the store error to clear in /health');
    assert.deepEqual((await h.api('/api/alerts')).body, []);
    await until(() => recoveredAlerts(h).length > 0, 2000, "'store-recovered' on the event stream");
    assert.equal(recoveredAlerts(h).length, 1);

    // The sim chargers finish their sessions and drain; everything acknowledged is there once.
    for (const s of await Promise.all(sessions)) assert.ok(s.started);
    await Promise.all(sims.map((c) => c.transactions[0]!.ended));
    await Promise.all(sims.map((c) => c.drain(20_000)));
    const txErrors = sims.flatMap((c) => c.errors).filter((e) => /StartTransaction|StopTransaction|MeterValues/.test(e) && !/StatusNotification/.test(e));
    assert.deepEqual(txErrors, [], 'no transaction message given up');
    for (const c of sims) assert.ok(c.resends > 0 || c.sent.some((s) => s.error), `${c.id} was refused during the outage`);
    const check = checkStore(h.app.db, sims, o.prefix);
    t.diagnostic(`store check: ${check.sessionsChecked} sessions, ${check.meterValuesChecked} meter values; lost ${check.lost}, duplicated ${check.duplicated}, phantom ${check.phantom}`);
    assert.ok(storeCheckOk(check), check.problems.join('\n'));
    assert.equal(check.sessionsChecked, sims.length);
  } finally {
    await o.fixStore(h);
    await raw.close().catch(() => {});
    await Promise.all(sims.map((c) => c.close()));
    await h.close();
  }
}

test('issue 5: disk full (SQLITE_FULL) -> CALLERROR InternalError, one alert in /health, /api/alerts and the event stream, reads still work; space back -> retries succeed, alert cleared, store-recovered', {
  timeout: 60_000,
}, async (t) => {
  await outage(t, {
    prefix: 'FULL',
    errorPattern: /full/i,
    breakStore: async (h) => {
      // The disk is full: the file may not grow (for the writer's connection in its worker thread,
      // and for this one, which fills it), and the room inside it is used up.
      const db = h.app.db;
      db.exec('CREATE TABLE IF NOT EXISTS disk_filler (b BLOB)');
      const pages = db.pragma('page_count', { simple: true }) as number;
      await h.app.writer.pragma(`max_page_count = ${pages}`);
      db.pragma(`max_page_count = ${pages}`);
      const fill = db.prepare('INSERT INTO disk_filler(b) VALUES (randomblob(?))');
      let full = false;
      for (const size of [3000, 500, 50]) {
        for (let i = 0; i < 100_000; i++) {
          try {
            fill.run(size);
          } catch (err) {
            assert.equal((err as { code?: string }).code, 'SQLITE_FULL');
            full = true;
            break;
          }
        }
      }
      assert.ok(full, 'the database is full');
    },
    fixStore: async (h) => {
      h.app.db.pragma('max_page_count = 4294967294');
      await h.app.writer.pragma('max_page_count = 4294967294');
    },
  });
});

test('issue 5: read-only database (query_only) -> CALLERROR InternalError, one alert; writable again -> retries succeed, alert cleared, store-recovered', { timeout: 60_000 }, async (t) => {
  await outage(t, {
    prefix: 'RO',
    errorPattern: /readonly|read-only|read only/i,
    breakStore: async (h) => void (await h.app.writer.pragma('query_only = 1')),
    fixStore: (h) => h.app.writer.pragma('query_only = 0'),
  });
});
