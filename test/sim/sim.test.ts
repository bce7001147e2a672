import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { SimCharger, type SimChargerOptions } from './charger.js';
import { defaultAnswer, FakeCentralSystem } from './fake-cs.js';
import { runFleet } from './fleet.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A charger tuned for tests: fast meter values, short backoff and progress steps. */
function simFor(url: string, o: Partial<SimChargerOptions> & { id: string }): SimCharger {
  return new SimCharger({
    url,
    meterIntervalMs: 40,
    timeScale: 60,
    backoffInitialMs: 50,
    backoffMaxMs: 300,
    txRetryIntervalMs: 200,
    callTimeoutMs: 5000,
    progressStepMs: 30,
    rebootDelayMs: 50,
    // The test app answers Invalid for tags it does not know; sessions run anyway.
    authorizeMode: 'advisory',
    ...o,
    config: { StopTransactionOnInvalidId: 'false', ...o.config },
  });
}

/** Runs `fn` with a fresh app and chargers that are closed afterwards. */
async function withApp(fn: (app: TestApp, sim: (o: Partial<SimChargerOptions> & { id: string }) => Promise<SimCharger>) => Promise<void>): Promise<void> {
  const app = await startTestApp();
  const chargers: SimCharger[] = [];
  try {
    await fn(app, async (o) => {
      const c = simFor(`${app.wsBase}/ocpp`, o);
      chargers.push(c);
      c.start();
      // Online, and the boot's status notifications acknowledged.
      await c.waitFor(() => c.isOnline && (c.acks.StatusNotification ?? 0) >= c.connectorCount + 1, 5000, 'boot and status');
      return c;
    });
    for (const c of chargers) assert.deepEqual(c.errors, [], `${c.id} recorded no protocol errors`);
  } finally {
    await Promise.all(chargers.map((c) => c.close()));
    await app.dispose();
  }
}

const row = (app: TestApp, sql: string, ...args: unknown[]) => app.db.prepare(sql).get(...args) as any;
const rows = (app: TestApp, sql: string, ...args: unknown[]) => app.db.prepare(sql).all(...args) as any[];
const statusHistory = (app: TestApp, cp: string, connectorId: number) =>
  rows(app, 'SELECT status FROM status_history WHERE charge_point_id = ? AND connector_id = ? ORDER BY id', cp, connectorId).map((r) => r.status as string);

test('issue 2 simulator: a fleet of 6 chargers x 2 sessions completes every session (boot, status, authorize, start, meter values with 4 measurands, stop)', async () => {
  const app = await startTestApp();
  try {
    const summary = await runFleet({ url: `${app.wsBase}/ocpp`, chargers: 6, sessions: 2, meterIntervalMs: 40, samplesPerSession: 3, deadlineMs: 20_000 });
    assert.deepEqual(summary.errorList, []);
    assert.equal(summary.ok, true);
    assert.equal(summary.sessionsCompleted, 12);
    assert.equal(summary.sessionsStarted, 12);
    assert.equal(summary.meterValuesAcked, 36);
    for (const a of ['BootNotification', 'StatusNotification', 'Authorize', 'StartTransaction', 'MeterValues', 'StopTransaction']) assert.ok((summary.acks[a] ?? 0) > 0, a);
    const sessions = (await (await app.api('/api/sessions?limit=100')).json()) as { total: number; items: Array<{ status: string; energyWh: number; chargePointId: string }> };
    assert.equal(sessions.total, 12);
    for (const s of sessions.items) {
      assert.equal(s.status, 'Completed');
      assert.ok(s.energyWh > 0, `${s.chargePointId} delivered energy`);
    }
    const measurands = rows(app, `SELECT DISTINCT measurand, phase, unit FROM meter_values WHERE source = 'MeterValues' ORDER BY measurand`);
    assert.deepEqual(measurands, [
      { measurand: 'Current.Import', phase: 'L1', unit: 'A' },
      { measurand: 'Energy.Active.Import.Register', phase: null, unit: 'Wh' },
      { measurand: 'Power.Active.Import', phase: null, unit: 'W' },
      { measurand: 'Voltage', phase: 'L1-N', unit: 'V' },
    ]);
    const booted = rows(app, `SELECT charge_point_id AS id, vendor, boot_status AS boot FROM chargers ORDER BY charge_point_id`);
    assert.equal(booted.length, 6);
    for (const b of booted) assert.equal(b.vendor, 'OCPP-Edge-Sim');
    assert.deepEqual(statusHistory(app, 'SIM-0001', 1), ['Available', 'Preparing', 'Charging', 'Finishing', 'Available', 'Preparing', 'Charging', 'Finishing', 'Available']);
  } finally {
    await app.dispose();
  }
});

test("issue 2 simulator: a session run while the central system is down is queued and delivered in order after reconnect (the stop waits for its start's transactionId)", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ocpp-edge-sim-'));
  let app = await startTestApp({ dataDir });
  const port = app.port;
  const c = simFor(`${app.wsBase}/ocpp`, { id: 'OFFLINE-1', config: { AllowOfflineTxForUnknownId: 'true' } });
  try {
    c.start();
    await c.waitFor(() => c.isOnline, 5000, 'boot');
    await app.stop();
    await c.waitFor(() => !c.isOnline, 5000, 'offline');
    // A whole session while offline: started under AllowOfflineTxForUnknownId.
    const r = await c.startSession({ idTag: 'OFFLINE-TAG', samples: 3 });
    assert.equal(r.started, true);
    const tx = r.started ? r.tx : null;
    await tx!.ended;
    assert.equal(tx!.transactionId, null, 'no transactionId while offline');
    assert.equal(c.pendingTransactionMessages, 5, 'StartTransaction, 3 MeterValues and StopTransaction are queued');
    app = await startTestApp({ dataDir, port });
    await c.drain(10_000);
    assert.equal(c.ledger.starts.length, 1);
    const id = c.ledger.starts[0]!.transactionId;
    assert.equal(tx!.transactionId, id);
    // Delivered in order, every later message naming the transactionId the start received.
    const order = c.sent.filter((s) => s.result !== undefined && ['StartTransaction', 'MeterValues', 'StopTransaction'].includes(s.action)).map((s) => s.action);
    assert.deepEqual(order, ['StartTransaction', 'MeterValues', 'MeterValues', 'MeterValues', 'StopTransaction']);
    const stored = row(app, 'SELECT status, meter_start, meter_stop, id_tag FROM transactions WHERE id = ?', id);
    assert.deepEqual(stored, { status: 'Completed', meter_start: tx!.meterStart, meter_stop: tx!.meterStop, id_tag: 'OFFLINE-TAG' });
    assert.equal(row(app, `SELECT count(*) AS n FROM meter_values WHERE transaction_id = ? AND source = 'MeterValues'`, id).n, 12);
    assert.equal(row(app, `SELECT count(*) AS n FROM orphan_stops`).n, 0);
    assert.ok(c.connects >= 2, 'reconnected to the restarted service');
    assert.deepEqual(c.errors, []);
  } finally {
    await c.close();
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('issue 2 simulator: a StartTransaction whose answer is lost is resent unchanged after reconnect, and the messages behind it are held until it is acknowledged', async () => {
  const cs = await FakeCentralSystem.start();
  const c = simFor(cs.url, { id: 'HOLD-1', meterIntervalMs: 30 });
  try {
    let dropStart = true;
    cs.onCall = (action) => {
      if (action === 'StartTransaction' && dropStart) {
        dropStart = false;
        // The central system goes away before answering, once meter values queue behind the start.
        void c.waitFor(() => c.pendingTransactionMessages >= 2, 5000, 'meter values queued behind the start').then(() => cs.dropAll());
        return { hold: new Promise(() => {}) };
      }
      return defaultAnswer(action);
    };
    c.start();
    await c.waitFor(() => c.isOnline, 5000, 'boot');
    const r = await c.startSession({ idTag: 'HOLD-TAG', samples: 2 });
    assert.equal(r.started, true);
    await c.waitFor(() => c.ledger.stops.length === 1, 8000, 'stop acknowledged');
    const starts = cs.calls('StartTransaction');
    assert.equal(starts.length, 2, 'sent twice: once lost, once acknowledged');
    assert.deepEqual(starts[0]!.payload, starts[1]!.payload, 'the retry is the same message');
    const txCalls = cs.calls().filter((f) => ['StartTransaction', 'MeterValues', 'StopTransaction'].includes(f.action));
    // Nothing of the transaction went out between the lost start and its retry.
    assert.deepEqual(
      txCalls.map((f) => f.action),
      ['StartTransaction', 'StartTransaction', 'MeterValues', 'MeterValues', 'StopTransaction'],
    );
    const id = c.ledger.starts[0]!.transactionId;
    for (const f of txCalls.slice(2)) assert.equal(f.payload.transactionId, id);
    assert.ok(cs.calls('BootNotification').length >= 2, 'booted again after reconnecting');
    assert.deepEqual(c.errors, []);
  } finally {
    await c.close();
    await cs.close();
  }
});

test("issue 2 simulator: at most one outstanding CALL, and a CS->CP call is answered while the charger's own call is pending", async () => {
  const cs = await FakeCentralSystem.start();
  const c = simFor(cs.url, { id: 'ONE-1', meterIntervalMs: 15 });
  try {
    let releaseStart: (() => void) | undefined;
    cs.onCall = (action) => {
      const answer = defaultAnswer(action);
      if (action === 'StartTransaction') return { hold: new Promise((r) => (releaseStart = () => r(answer))) };
      // Every answer is slow (a 20 ms round trip: the scenario, not a wait), so the charger's queue fills up behind it.
      return { hold: new Promise((r) => setTimeout(() => r(answer), 20)) };
    };
    c.start();
    await c.waitFor(() => c.isOnline, 5000, 'boot');
    const r = await c.startSession({ idTag: 'ONE-TAG', samples: 4 });
    assert.equal(r.started, true);
    await c.waitFor(() => cs.calls('StartTransaction').length === 1 && c.pendingTransactionMessages >= 3, 5000, 'start pending, meter values queued');
    // The central system calls while the charger waits for the StartTransaction answer.
    const answer = await cs.call('GetConfiguration', { key: ['HeartbeatInterval'] });
    assert.equal(answer[0], 3);
    assert.deepEqual((answer[2] as any).configurationKey, [{ key: 'HeartbeatInterval', readonly: false, value: '60' }]);
    releaseStart!();
    await c.waitFor(() => c.ledger.stops.length === 1, 5000, 'session acknowledged');
    // Replay the frames: a charger CALL never arrives while another one is unanswered.
    let open: string | null = null;
    for (const f of cs.frames) {
      if (f.dir === 'in' && f.frame[0] === 2) {
        assert.equal(open, null, `CALL ${String(f.frame[2])} sent while ${open} was unanswered`);
        open = f.frame[1] as string;
      } else if (f.dir === 'out' && f.frame[0] === 3 && f.frame[1] === open) open = null;
    }
    assert.deepEqual(c.errors, []);
  } finally {
    await c.close();
    await cs.close();
  }
});

test('issue 2 simulator: a Pending boot is retried after its interval, then status for connector 0 and each connector, then heartbeats at the interval given', async () => {
  const cs = await FakeCentralSystem.start();
  const c = simFor(cs.url, { id: 'PEND-1', connectors: 2 });
  try {
    let boots = 0;
    cs.onCall = (action) => {
      const now = new Date().toISOString();
      if (action === 'BootNotification') return ++boots === 1 ? { status: 'Pending', currentTime: now, interval: 1 } : { status: 'Accepted', currentTime: now, interval: 1 };
      return defaultAnswer(action);
    };
    c.start();
    await c.waitFor(() => cs.calls('BootNotification').length === 1, 5000, 'first boot');
    // Pending: the central system may still read the configuration.
    const conf = await cs.call('GetConfiguration', { key: ['NumberOfConnectors'] });
    assert.deepEqual((conf[2] as any).configurationKey, [{ key: 'NumberOfConnectors', readonly: true, value: '2' }]);
    await c.waitFor(() => cs.calls('Heartbeat').length >= 1, 5000, 'first heartbeat');
    const [b1, b2] = cs.calls('BootNotification');
    assert.ok(b2!.at - b1!.at >= 950, `boot retried after the 1 s interval (${b2!.at - b1!.at} ms)`);
    const afterBoot = cs.calls().filter((f) => f.at >= b2!.at && f.action !== 'BootNotification');
    assert.deepEqual(
      afterBoot.slice(0, 3).map((f) => [f.action, f.payload.connectorId, f.payload.status]),
      [
        ['StatusNotification', 0, 'Available'],
        ['StatusNotification', 1, 'Available'],
        ['StatusNotification', 2, 'Available'],
      ],
    );
    const hb = cs.calls('Heartbeat')[0]!;
    assert.ok(hb.at - b2!.at >= 900, `heartbeat after the 1 s interval (${hb.at - b2!.at} ms)`);
    assert.equal(cs.calls().filter((f) => f.at < b2!.at && f.action !== 'BootNotification').length, 0, 'nothing else sent while Pending');
    assert.deepEqual(c.errors, []);
  } finally {
    await c.close();
    await cs.close();
  }
});

test('issue 2 simulator: reconnect attempts back off exponentially with jitter up to the cap', async () => {
  // A port with nothing listening: every attempt is refused at once.
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const c = new SimCharger({ id: 'BACKOFF-1', url: `ws://127.0.0.1:${port}/ocpp`, backoffInitialMs: 100, backoffMaxMs: 400 });
  const times: number[] = [];
  c.on('disconnected', () => times.push(Date.now()));
  try {
    c.start();
    await c.waitFor(() => times.length >= 7, 5000, '7 attempts');
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // Waits are base/2..base with base 100, 200, 400, 400 ... (plus a few ms to fail a connect).
    const within = (g: number, lo: number, hi: number) => assert.ok(g >= lo && g <= hi + 60, `gap ${g} ms in ${lo}..${hi} (${gaps.join(', ')})`);
    within(gaps[0]!, 50, 100);
    within(gaps[1]!, 100, 200);
    for (const g of gaps.slice(2)) within(g, 200, 400);
    assert.ok(new Set(gaps.slice(2)).size > 1, `jittered, not constant (${gaps.join(', ')})`);
    assert.equal(c.connects, 0);
    assert.match(c.lastConnectError ?? '', /ECONNREFUSED/);
  } finally {
    await c.close();
  }
});

test('issue 3 sim: RemoteStartTransaction starts a real session with that idTag and connector; RemoteStopTransaction stops it with reason Remote', async () => {
  await withApp(async (app, sim) => {
    const c = await sim({ id: 'RS-1', connectors: 2 });
    assert.deepEqual(await app.ocpp.call('RS-1', 'RemoteStartTransaction', { connectorId: 2, idTag: 'REMOTE-1' }), { status: 'Accepted' });
    assert.deepEqual(c.received.find((r) => r.action === 'RemoteStartTransaction')?.payload, { connectorId: 2, idTag: 'REMOTE-1' });
    await c.waitFor(() => c.ledger.starts.length === 1 && c.ledger.meterValues.length >= 2, 5000, 'session running');
    const start = c.ledger.starts[0]!;
    assert.equal(start.connectorId, 2);
    assert.equal(start.idTag, 'REMOTE-1');
    assert.deepEqual(await app.ocpp.call('RS-1', 'RemoteStartTransaction', { connectorId: 2, idTag: 'REMOTE-2' }), { status: 'Rejected' }, 'busy connector');
    assert.deepEqual(await app.ocpp.call('RS-1', 'RemoteStopTransaction', { transactionId: start.transactionId + 1000 }), { status: 'Rejected' }, 'unknown transaction');
    assert.deepEqual(await app.ocpp.call('RS-1', 'RemoteStopTransaction', { transactionId: start.transactionId }), { status: 'Accepted' });
    await c.waitFor(() => c.ledger.stops.length === 1, 5000, 'stop acknowledged');
    assert.equal(c.ledger.stops[0]!.reason, 'Remote');
    const t = row(app, 'SELECT status, stop_reason AS reason, meter_stop AS meterStop, connector_id AS connectorId FROM transactions WHERE id = ?', start.transactionId);
    assert.deepEqual(t, { status: 'Completed', reason: 'Remote', meterStop: c.ledger.stops[0]!.meterStop, connectorId: 2 });
    // Without a connector the first free one is used.
    assert.deepEqual(await app.ocpp.call('RS-1', 'RemoteStartTransaction', { idTag: 'REMOTE-3' }), { status: 'Accepted' });
    await c.waitFor(() => c.ledger.starts.length === 2, 5000, 'second session');
    assert.equal(c.ledger.starts[1]!.connectorId, 1);
    await c.waitFor(() => statusHistory(app, 'RS-1', 2).length >= 5, 5000, 'status history');
    assert.deepEqual(statusHistory(app, 'RS-1', 2), ['Available', 'Preparing', 'Charging', 'Finishing', 'Available']);
  });
});

test('issue 3 sim: Reset is Accepted, stops running sessions (SoftReset/HardReset), drops the socket and boots again', async () => {
  await withApp(async (app, sim) => {
    const c = await sim({ id: 'RESET-1' });
    const r = await c.startSession({ idTag: 'RESET-TAG' });
    assert.equal(r.started, true);
    await c.waitFor(() => c.ledger.starts.length === 1, 5000, 'start');
    assert.deepEqual(await app.ocpp.call('RESET-1', 'Reset', { type: 'Soft' }), { status: 'Accepted' });
    await c.waitFor(() => c.boots === 2 && c.isOnline, 5000, 'second boot');
    assert.equal(c.ledger.stops[0]?.reason, 'SoftReset');
    assert.equal(row(app, 'SELECT status FROM transactions WHERE id = ?', c.ledger.starts[0]!.transactionId).status, 'Completed');
    assert.deepEqual(await app.ocpp.call('RESET-1', 'Reset', { type: 'Hard' }), { status: 'Accepted' });
    await c.waitFor(() => c.boots === 3 && c.isOnline, 5000, 'third boot');
    assert.equal(c.connects, 3);
  });
});

test('issue 3 sim: UnlockConnector unlocks (ending a running session with UnlockCommand); an unknown connector is NotSupported', async () => {
  await withApp(async (app, sim) => {
    const c = await sim({ id: 'UNLOCK-1' });
    assert.deepEqual(await app.ocpp.call('UNLOCK-1', 'UnlockConnector', { connectorId: 1 }), { status: 'Unlocked' });
    await c.startSession({ idTag: 'UNLOCK-TAG' });
    await c.waitFor(() => c.ledger.starts.length === 1, 5000, 'start');
    assert.deepEqual(await app.ocpp.call('UNLOCK-1', 'UnlockConnector', { connectorId: 1 }), { status: 'Unlocked' });
    await c.waitFor(() => c.ledger.stops.length === 1, 5000, 'stop');
    assert.equal(c.ledger.stops[0]!.reason, 'UnlockCommand');
    assert.deepEqual(await app.ocpp.call('UNLOCK-1', 'UnlockConnector', { connectorId: 5 }), { status: 'NotSupported' });
  });
});

test('issue 3 sim: ChangeAvailability is Accepted with a StatusNotification on an idle connector, Scheduled while a transaction runs and applied when it ends', async () => {
  await withApp(async (app, sim) => {
    const c = await sim({ id: 'AVAIL-1', connectors: 2 });
    const connectorStatus = (n: number) => row(app, 'SELECT status FROM connectors WHERE charge_point_id = ? AND connector_id = ?', 'AVAIL-1', n)?.status;
    assert.deepEqual(await app.ocpp.call('AVAIL-1', 'ChangeAvailability', { connectorId: 2, type: 'Inoperative' }), { status: 'Accepted' });
    await c.waitFor(() => connectorStatus(2) === 'Unavailable', 5000, 'connector 2 Unavailable at the central system');
    assert.deepEqual(await app.ocpp.call('AVAIL-1', 'RemoteStartTransaction', { connectorId: 2, idTag: 'X' }), { status: 'Rejected' }, 'inoperative connector');
    await c.startSession({ connectorId: 1, idTag: 'AVAIL-TAG' });
    await c.waitFor(() => c.ledger.starts.length === 1, 5000, 'start');
    assert.deepEqual(await app.ocpp.call('AVAIL-1', 'ChangeAvailability', { connectorId: 1, type: 'Inoperative' }), { status: 'Scheduled' });
    assert.equal(c.connectorStatus(1)?.status, 'Charging', 'the session goes on');
    c.stopSession(1, 'Local');
    await c.waitFor(() => connectorStatus(1) === 'Unavailable', 5000, 'connector 1 Unavailable after the session');
    assert.equal(c.ledger.stops[0]?.reason, 'Local');
    assert.deepEqual(await app.ocpp.call('AVAIL-1', 'ChangeAvailability', { connectorId: 0, type: 'Operative' }), { status: 'Accepted' });
    await c.waitFor(() => connectorStatus(1) === 'Available' && connectorStatus(2) === 'Available', 5000, 'all Available');
    assert.deepEqual(await app.ocpp.call('AVAIL-1', 'ChangeAvailability', { connectorId: 7, type: 'Operative' }), { status: 'Rejected' });
  });
});

test('issue 3 sim: GetConfiguration / ChangeConfiguration over a realistic key set (unknown keys reported, readonly Rejected, unknown NotSupported, AuthorizationKey write-only); ClearCache empties the cache', async () => {
  await withApp(async (app, sim) => {
    const c = await sim({ id: 'CONF-1' });
    const all = await app.ocpp.call('CONF-1', 'GetConfiguration', {});
    const keys = new Map(all.configurationKey!.map((k) => [k.key, k]));
    for (const k of [
      'HeartbeatInterval',
      'MeterValueSampleInterval',
      'MeterValuesSampledData',
      'LocalAuthorizeOffline',
      'AllowOfflineTxForUnknownId',
      'StopTransactionOnInvalidId',
      'TransactionMessageAttempts',
      'SupportedFeatureProfiles',
      'LocalAuthListEnabled',
    ]) {
      assert.ok(keys.has(k), k);
    }
    assert.deepEqual(keys.get('NumberOfConnectors'), { key: 'NumberOfConnectors', readonly: true, value: '1' });
    assert.deepEqual(keys.get('AuthorizationKey'), { key: 'AuthorizationKey', readonly: false }, 'write-only: no value');
    assert.deepEqual(await app.ocpp.call('CONF-1', 'GetConfiguration', { key: ['HeartbeatInterval', 'NoSuchKey'] }), {
      configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '60' }],
      unknownKey: ['NoSuchKey'],
    });
    const change = (key: string, value: string) => app.ocpp.call('CONF-1', 'ChangeConfiguration', { key, value });
    assert.deepEqual(await change('HeartbeatInterval', '30'), { status: 'Accepted' });
    assert.equal(c.configValue('HeartbeatInterval'), '30');
    assert.deepEqual(await change('MeterValueSampleInterval', 'often'), { status: 'Rejected' }, 'not a number');
    assert.deepEqual(await change('LocalAuthorizeOffline', 'maybe'), { status: 'Rejected' }, 'not a boolean');
    assert.deepEqual(await change('MeterValuesSampledData', 'Energy.Active.Import.Register,RPM'), { status: 'Rejected' }, 'unsupported measurand');
    assert.deepEqual(await change('NumberOfConnectors', '4'), { status: 'Rejected' }, 'readonly');
    assert.deepEqual(await change('NoSuchKey', '1'), { status: 'NotSupported' });
    assert.deepEqual(await change('AuthorizationKey', 'short'), { status: 'Rejected' }, 'keys are 16-40 characters');
    assert.deepEqual(await change('AuthorizationKey', '0123456789abcdef0123'), { status: 'Accepted' });
    assert.deepEqual((await app.ocpp.call('CONF-1', 'GetConfiguration', { key: ['AuthorizationKey'] })).configurationKey, [{ key: 'AuthorizationKey', readonly: false }]);
    assert.equal(c.configuration.HeartbeatInterval?.value, '30');
    // Authorize and the start's answer fill the cache; ClearCache (sent after both) empties it.
    const started = await c.startSession({ idTag: 'CACHE-TAG', samples: 1 });
    assert.ok(started.started, 'session started');
    await c.waitFor(() => started.tx.startStatus !== null && 'CACHE-TAG' in c.authCache, 5000, 'start acknowledged, cache entry');
    assert.deepEqual(await app.ocpp.call('CONF-1', 'ClearCache', {}), { status: 'Accepted' });
    assert.deepEqual(c.authCache, {});
    await c.drain(5000);
  });
});

test('issue 3 sim: SendLocalList Full and Differential keep a versioned local list; a stale Differential gets VersionMismatch; GetLocalListVersion reports it', async () => {
  await withApp(async (app, sim) => {
    const c = await sim({ id: 'LIST-1' });
    const send = (payload: Parameters<typeof app.ocpp.call<'SendLocalList'>>[2]) => app.ocpp.call('LIST-1', 'SendLocalList', payload);
    assert.deepEqual(await app.ocpp.call('LIST-1', 'GetLocalListVersion', {}), { listVersion: 0 });
    assert.deepEqual(
      await send({
        listVersion: 1,
        updateType: 'Full',
        localAuthorizationList: [
          { idTag: 'A', idTagInfo: { status: 'Accepted' } },
          { idTag: 'B', idTagInfo: { status: 'Blocked' } },
        ],
      }),
      { status: 'Accepted' },
    );
    assert.deepEqual(c.localList, { A: { status: 'Accepted' }, B: { status: 'Blocked' } });
    assert.deepEqual(await send({ listVersion: 2, updateType: 'Differential', localAuthorizationList: [{ idTag: 'C', idTagInfo: { status: 'Accepted', parentIdTag: 'P' } }, { idTag: 'A' }] }), {
      status: 'Accepted',
    });
    assert.deepEqual(c.localList, { B: { status: 'Blocked' }, C: { status: 'Accepted', parentIdTag: 'P' } });
    assert.deepEqual(await send({ listVersion: 2, updateType: 'Differential', localAuthorizationList: [{ idTag: 'D', idTagInfo: { status: 'Accepted' } }] }), { status: 'VersionMismatch' });
    assert.deepEqual(await send({ listVersion: 3, updateType: 'Full', localAuthorizationList: [{ idTag: 'E' }] }), { status: 'Failed' }, 'Full needs idTagInfo');
    assert.deepEqual(await app.ocpp.call('LIST-1', 'GetLocalListVersion', {}), { listVersion: 2 });
    assert.equal(c.localListVersion, 2);
    assert.deepEqual(await send({ listVersion: 5, updateType: 'Full', localAuthorizationList: [] }), { status: 'Accepted' });
    assert.deepEqual(c.localList, {});
  });
});

test('issue 3 sim: ReserveNow / CancelReservation are tracked; a session by the reserved tag sends the reservationId; a reservation expires on time', async () => {
  await withApp(async (app, sim) => {
    const c = await sim({ id: 'RESV-1', connectors: 2 });
    const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
    const reserve = (connectorId: number, reservationId: number, idTag: string, ms = 60_000) => app.ocpp.call('RESV-1', 'ReserveNow', { connectorId, expiryDate: inMs(ms), idTag, reservationId });
    assert.deepEqual(await reserve(1, 7, 'RES-TAG'), { status: 'Accepted' });
    assert.deepEqual(
      c.reservations.map((r) => [r.reservationId, r.connectorId, r.idTag]),
      [[7, 1, 'RES-TAG']],
    );
    await c.waitFor(() => c.connectorStatus(1)?.status === 'Reserved', 2000, 'Reserved');
    assert.deepEqual(await reserve(1, 8, 'OTHER'), { status: 'Occupied' });
    assert.deepEqual(await reserve(0, 9, 'OTHER'), { status: 'Rejected' }, 'ReserveConnectorZeroSupported is false');
    assert.deepEqual(await app.ocpp.call('RESV-1', 'RemoteStartTransaction', { connectorId: 1, idTag: 'OTHER' }), { status: 'Rejected' });
    assert.deepEqual(await app.ocpp.call('RESV-1', 'CancelReservation', { reservationId: 99 }), { status: 'Rejected' });
    assert.deepEqual(await app.ocpp.call('RESV-1', 'RemoteStartTransaction', { connectorId: 1, idTag: 'RES-TAG' }), { status: 'Accepted' });
    await c.waitFor(() => c.ledger.starts.length === 1, 5000, 'start');
    assert.equal(c.ledger.starts[0]!.reservationId, 7);
    assert.equal(row(app, 'SELECT reservation_id AS r FROM transactions WHERE id = ?', c.ledger.starts[0]!.transactionId).r, 7);
    assert.deepEqual(c.reservations, [], 'consumed');
    assert.deepEqual(await reserve(2, 10, 'RES-2'), { status: 'Accepted' });
    assert.deepEqual(await app.ocpp.call('RESV-1', 'CancelReservation', { reservationId: 10 }), { status: 'Accepted' });
    await c.waitFor(() => c.reservations.length === 0 && c.connectorStatus(2)?.status === 'Available', 2000, 'cancelled');
    const t0 = Date.now();
    assert.deepEqual(await reserve(2, 11, 'RES-3', 800), { status: 'Accepted' });
    await c.waitFor(() => c.reservations.length === 0, 6000, 'expired');
    assert.ok(Date.now() - t0 >= 700, 'not before its expiryDate');
    await c.waitFor(() => c.connectorStatus(2)?.status === 'Available', 2000, 'Available again');
  });
});

test('issue 3 sim: TriggerMessage is Accepted and the requested message follows the answer, for each of the six messages', async () => {
  await withApp(async (app, sim) => {
    const c = await sim({ id: 'TRIG-1' });
    const acked = (action: string) => c.sent.filter((s) => s.action === action && s.result !== undefined).length;
    for (const m of ['BootNotification', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'StatusNotification'] as const) {
      const before = acked(m);
      const res = await app.ocpp.call('TRIG-1', 'TriggerMessage', { requestedMessage: m, ...(m === 'MeterValues' || m === 'StatusNotification' ? { connectorId: 1 } : {}) });
      assert.deepEqual(res, { status: 'Accepted' }, m);
      await c.waitFor(() => acked(m) > before, 3000, `triggered ${m}`);
    }
    const mv = c.sent.filter((s) => s.action === 'MeterValues').at(-1)!.payload as any;
    assert.equal(mv.meterValue[0].sampledValue[0].context, 'Trigger');
    assert.deepEqual(await app.ocpp.call('TRIG-1', 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 9 }), { status: 'Rejected' });
  });
});

test('issue 3 sim: UpdateFirmware and GetDiagnostics send their status notification progressions; GetDiagnostics returns a fileName', async () => {
  await withApp(async (app, sim) => {
    const c = await sim({ id: 'FW-1' });
    const statuses = (action: string) => c.sent.filter((s) => s.action === action && s.result !== undefined).map((s) => (s.payload as any).status);
    assert.deepEqual(await app.ocpp.call('FW-1', 'UpdateFirmware', { location: 'http://127.0.0.1/fw/sim-2.1.0.bin', retrieveDate: new Date().toISOString() }), {});
    await c.waitFor(() => c.firmwareStatus === 'Installed' && statuses('FirmwareStatusNotification').length === 4, 5000, 'firmware installed');
    assert.deepEqual(statuses('FirmwareStatusNotification'), ['Downloading', 'Downloaded', 'Installing', 'Installed']);
    assert.equal(c.boots, 2, 'rebooted into the new firmware');
    assert.equal(c.firmwareVersion, '2.1.0');
    const fw = row(app, 'SELECT firmware_status AS s, firmware_version AS v FROM chargers WHERE charge_point_id = ?', 'FW-1');
    assert.deepEqual(fw, { s: 'Installed', v: '2.1.0' });
    const diag = await app.ocpp.call('FW-1', 'GetDiagnostics', { location: 'ftp://127.0.0.1/diagnostics/' });
    assert.match(diag.fileName ?? '', /^diagnostics-FW-1-.*\.zip$/);
    await c.waitFor(() => statuses('DiagnosticsStatusNotification').length === 2, 5000, 'diagnostics uploaded');
    assert.deepEqual(statuses('DiagnosticsStatusNotification'), ['Uploading', 'Uploaded']);
    assert.equal(row(app, 'SELECT diagnostics_status AS s FROM chargers WHERE charge_point_id = ?', 'FW-1').s, 'Uploaded');
    assert.deepEqual(await app.ocpp.call('FW-1', 'UpdateFirmware', { location: 'http://127.0.0.1/fw/fail.bin', retrieveDate: new Date().toISOString() }), {});
    await c.waitFor(() => c.firmwareStatus === 'DownloadFailed', 5000, 'download failed');
  });
});

test('issue 3 sim: DataTransfer is UnknownVendorId; SetChargingProfile / ClearChargingProfile store profiles and GetCompositeSchedule combines them; charging power follows a TxProfile', async () => {
  await withApp(async (app, sim) => {
    const c = await sim({ id: 'SMART-1' });
    assert.deepEqual(await app.ocpp.call('SMART-1', 'DataTransfer', { vendorId: 'com.example', messageId: 'x', data: '1' }), { status: 'UnknownVendorId' });
    type Profile = Parameters<typeof app.ocpp.call<'SetChargingProfile'>>[2]['csChargingProfiles'];
    const profile = (id: number, purpose: Profile['chargingProfilePurpose'], periods: Array<[number, number]>, extra: Partial<Profile> = {}): Profile => ({
      chargingProfileId: id,
      stackLevel: 0,
      chargingProfilePurpose: purpose,
      chargingProfileKind: 'Relative',
      chargingSchedule: { duration: 120, chargingRateUnit: 'A', chargingSchedulePeriod: periods.map(([startPeriod, limit]) => ({ startPeriod, limit })) },
      ...extra,
    });
    const set = (connectorId: number, p: Profile) => app.ocpp.call('SMART-1', 'SetChargingProfile', { connectorId, csChargingProfiles: p });
    assert.deepEqual(
      await set(
        1,
        profile(1, 'TxDefaultProfile', [
          [0, 16],
          [60, 10],
        ]),
      ),
      { status: 'Accepted' },
    );
    assert.deepEqual(
      await set(
        0,
        profile(2, 'ChargePointMaxProfile', [
          [0, 32],
          [30, 12],
        ]),
      ),
      { status: 'Accepted' },
    );
    assert.deepEqual(await set(1, profile(3, 'ChargePointMaxProfile', [[0, 6]])), { status: 'Rejected' }, 'ChargePointMaxProfile only on connector 0');
    assert.deepEqual(await set(1, profile(4, 'TxProfile', [[0, 6]])), { status: 'Rejected' }, 'TxProfile needs a running transaction');
    assert.deepEqual(await set(1, profile(5, 'TxDefaultProfile', [[0, 6]], { stackLevel: 99 })), { status: 'Rejected' }, 'stack level above ChargeProfileMaxStackLevel');
    assert.deepEqual(
      c.chargingProfiles.map((p) => [p.connectorId, p.profile.chargingProfileId]),
      [
        [1, 1],
        [0, 2],
      ],
    );
    const composite = await app.ocpp.call('SMART-1', 'GetCompositeSchedule', { connectorId: 1, duration: 120, chargingRateUnit: 'A' });
    assert.equal(composite.status, 'Accepted');
    assert.equal(composite.connectorId, 1);
    assert.deepEqual(composite.chargingSchedule?.chargingSchedulePeriod, [
      { startPeriod: 0, limit: 16 },
      { startPeriod: 30, limit: 12 },
      { startPeriod: 60, limit: 10 },
    ]);
    const watts = await app.ocpp.call('SMART-1', 'GetCompositeSchedule', { connectorId: 1, duration: 120, chargingRateUnit: 'W' });
    assert.deepEqual(
      watts.chargingSchedule?.chargingSchedulePeriod.map((p) => p.limit),
      [3680, 2760, 2300],
    );
    assert.deepEqual(await app.ocpp.call('SMART-1', 'ClearChargingProfile', { id: 1 }), { status: 'Accepted' });
    assert.deepEqual(await app.ocpp.call('SMART-1', 'ClearChargingProfile', { id: 1 }), { status: 'Unknown' });
    assert.deepEqual(await app.ocpp.call('SMART-1', 'ClearChargingProfile', { chargingProfilePurpose: 'ChargePointMaxProfile' }), { status: 'Accepted' });
    const empty = await app.ocpp.call('SMART-1', 'GetCompositeSchedule', { connectorId: 1, duration: 60 });
    assert.deepEqual(empty.chargingSchedule?.chargingSchedulePeriod, [{ startPeriod: 0, limit: 32 }], 'unlimited: the 32 A rating');
    assert.deepEqual(await app.ocpp.call('SMART-1', 'GetCompositeSchedule', { connectorId: 9, duration: 60 }), { status: 'Rejected' });
    // A remote start carrying a 10 A TxProfile: the charger draws 10 A (2300 W).
    const txProfile = profile(6, 'TxProfile', [[0, 10]], { chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] } });
    assert.deepEqual(await app.ocpp.call('SMART-1', 'RemoteStartTransaction', { connectorId: 1, idTag: 'SMART-TAG', chargingProfile: txProfile }), { status: 'Accepted' });
    await c.waitFor(() => c.ledger.meterValues.length >= 1, 5000, 'meter values');
    const mv = c.sent.find((s) => s.action === 'MeterValues')!.payload as any;
    const power = mv.meterValue[0].sampledValue.find((v: any) => v.measurand === 'Power.Active.Import');
    assert.equal(power.value, '2300');
    assert.deepEqual(await set(1, profile(7, 'TxProfile', [[0, 8]], { transactionId: c.ledger.starts[0]!.transactionId })), { status: 'Accepted' });
    c.stopSession(1);
    await c.drain(5000);
    assert.deepEqual(c.chargingProfiles, [], 'TxProfiles end with their transaction');
  });
});

test('issue 2 simulator CLI: bad arguments exit with code 2 and say what is wrong', async () => {
  const run = (...args: string[]) =>
    new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/sim/cli.ts', ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('close', (status) => resolve({ status, stderr }));
    });
  const [missing, bad, unknown, scheme, tag] = await Promise.all([
    run('--chargers', '2'),
    run('--url', 'ws://127.0.0.1:1/ocpp', '--chargers', 'many'),
    run('--url', 'ws://127.0.0.1:1/ocpp', '--charger', '2'),
    run('--url', 'http://127.0.0.1:1/ocpp'),
    run('--url', 'ws://127.0.0.1:1/ocpp', '--id-tag', 'A-VERY-LONG-ID-TAG-{n}-XYZ'),
  ]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--url is required/);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--chargers must be a whole number, got "many"/);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /Unknown option '--charger'/);
  assert.equal(scheme.status, 2);
  assert.match(scheme.stderr, /must start with ws:\/\/ or wss:\/\//);
  assert.equal(tag.status, 2);
  assert.match(tag.stderr, /an idTag is 1-20 printable characters/);
});

test('issue 8 simulator: StopTransactionOnInvalidId is true by default, as on real chargers: a session refused at StartTransaction is stopped with reason DeAuthorized', () =>
  withApp(async (app, sim) => {
    // Advisory: the session starts although Authorize answered Invalid (as a charger starting on plug-in would).
    const c = await sim({ id: 'DEAUTH-1', config: { StopTransactionOnInvalidId: 'true' } });
    const fresh = new SimCharger({ id: 'DEAUTH-DEFAULT', url: `${app.wsBase}/ocpp` });
    assert.equal(fresh.configValue('StopTransactionOnInvalidId'), 'true', 'the default');
    const r = await c.startSession({ idTag: 'UNKNOWN-TAG', samples: 1000 });
    assert.ok(r.started);
    await r.tx.ended;
    await c.drain(5000);
    assert.equal(r.tx.startStatus, 'Invalid');
    assert.deepEqual(
      c.ledger.stops.map((s) => s.reason),
      ['DeAuthorized'],
    );
    const stored = row(app, 'SELECT status, stop_reason AS reason FROM transactions WHERE charge_point_id = ?', 'DEAUTH-1');
    assert.equal(stored.reason, 'DeAuthorized');
  }));

test('issue 8 simulator CLI: a first run without an API token says the tags are not registered and reports the refused sessions; with --api-token it registers them and every session completes', async () => {
  const app = await startTestApp();
  const cli = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'test/sim/cli.ts', '--url', `${app.wsBase}/ocpp`, '--chargers', '2', '--meter-interval-ms', '20', '--samples', '2', '--deadline-sec', '30', ...args],
        {
          cwd: root,
          env: { ...process.env, OCPP_EDGE_API_TOKEN: '', ...env },
          stdio: ['ignore', 'pipe', 'inherit'],
          timeout: 60_000,
        },
      );
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.once('close', (status) => resolve({ status, stdout }));
    });
  try {
    const first = await cli(['--prefix', 'NEW']);
    assert.match(first.stdout, /no --api-token: the id tags \(NEW-TAG-0001 \.\.\.\) are not registered/);
    assert.match(first.stdout, /sessions=0\/2 completed started=0 refused=2 deauthorized=0/);
    assert.equal(first.status, 1, 'not every session ran');
    const registered = await cli(['--prefix', 'REG', '--api-token', TEST_TOKEN]);
    assert.match(registered.stdout, /2 id tag\(s\) registered through http:\/\/127\.0\.0\.1:\d+\/api\/rfid/);
    assert.match(registered.stdout, /sessions=2\/2 completed started=2 refused=0 deauthorized=0/);
    assert.equal(registered.status, 0);
    const fromEnv = await cli(['--prefix', 'ENV'], { OCPP_EDGE_API_TOKEN: TEST_TOKEN });
    assert.match(fromEnv.stdout, /sessions=2\/2 completed/);
    const sessions = (await (await app.api('/api/sessions?limit=100')).json()) as { items: Array<{ idTag: string; status: string }> };
    assert.deepEqual(sessions.items.map((s) => s.idTag).sort(), ['ENV-TAG-0001', 'ENV-TAG-0002', 'REG-TAG-0001', 'REG-TAG-0002']);
  } finally {
    await app.dispose();
  }
});
