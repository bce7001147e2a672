import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../main/config/load.js';
import { startTestApp } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';
import { freePort } from '../sim/service.js';
import { eventually, type HeadofficeHandle, outboxDrained, pendingOf, runSessions, startEdge, startHo } from './support.js';

test('issue 10: a completed session and its outbox record commit together (no record, no stop)', async () => {
  const app = await startTestApp();
  try {
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/OUTBOX-1`);
    await boot(cp);
    const now = () => new Date().toISOString();
    const a = await cp.call('StartTransaction', { connectorId: 1, idTag: 'T1', meterStart: 100, timestamp: now() });
    await cp.call('StopTransaction', { transactionId: a.transactionId, meterStop: 2600, timestamp: now(), reason: 'Local' });
    const rec = app.db.prepare("SELECT payload FROM sync_outbox WHERE kind = 'session'").all() as Array<{ payload: string }>;
    assert.equal(rec.length, 1);
    const p = JSON.parse(rec[0]!.payload);
    const uid = (app.db.prepare('SELECT session_uid FROM transactions WHERE id = ?').get(a.transactionId) as { session_uid: string }).session_uid;
    assert.match(uid, /^[0-9a-f-]{36}$/);
    // A row written by another path (an import, a hand repair) gets its key from the store itself.
    const other = app.db
      .prepare("INSERT INTO transactions(charge_point_id, connector_id, id_tag, start_auth_status, meter_start, start_time, started_received_at) VALUES ('IMPORT', 1, 'X', 'Accepted', 0, ?, ?)")
      .run(now(), now());
    assert.match(
      (app.db.prepare('SELECT session_uid FROM transactions WHERE id = ?').get(other.lastInsertRowid) as { session_uid: string }).session_uid,
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.equal(p.id, uid);
    assert.equal(p.idempotency_key, uid);
    assert.equal(p.auth_id, 'T1');
    assert.equal(p.total_energy, 2.5);
    assert.equal(p.stop_reason, 'Local');
    assert.equal(p.orphan, false);

    // Without its outbox the stop cannot commit: the charger gets an error and the session stays open.
    const b = await cp.call('StartTransaction', { connectorId: 2, idTag: 'T2', meterStart: 0, timestamp: now() });
    app.db.exec('ALTER TABLE sync_outbox RENAME TO sync_outbox_gone');
    await assert.rejects(cp.call('StopTransaction', { transactionId: b.transactionId, meterStop: 10, timestamp: now(), reason: 'Local' }));
    assert.equal((app.db.prepare('SELECT status FROM transactions WHERE id = ?').get(b.transactionId) as { status: string }).status, 'Active');
    app.db.exec('ALTER TABLE sync_outbox_gone RENAME TO sync_outbox');

    // A stop for a transaction we never knew is queued too, flagged orphan.
    await cp.call('StopTransaction', { transactionId: 999_999, meterStop: 10, timestamp: now(), reason: 'Local' });
    const orphan = app.db.prepare("SELECT payload FROM sync_outbox WHERE kind = 'session' ORDER BY id DESC LIMIT 1").get() as { payload: string };
    assert.equal(JSON.parse(orphan.payload).orphan, true);
    // A retried stop queues nothing new.
    await cp.call('StopTransaction', { transactionId: a.transactionId, meterStop: 2600, timestamp: now(), reason: 'Local' });
    assert.equal(pendingOf(app), 2);

    // A stop inferred from the next start is queued; the late real stop follows as revision 2 under its own key.
    const c = await cp.call('StartTransaction', { connectorId: 3, idTag: 'T3', meterStart: 0, timestamp: now() });
    await cp.call('StartTransaction', { connectorId: 3, idTag: 'T4', meterStart: 500, timestamp: now() });
    await cp.call('StopTransaction', { transactionId: c.transactionId, meterStop: 400, timestamp: now(), reason: 'Local' });
    const uidC = (app.db.prepare('SELECT session_uid FROM transactions WHERE id = ?').get(c.transactionId) as { session_uid: string }).session_uid;
    const revisions = (app.db.prepare('SELECT idempotency_key AS k, payload FROM sync_outbox WHERE subject = ? ORDER BY id').all(uidC) as Array<{ k: string; payload: string }>).map((r) => ({
      key: r.k,
      ...(({ revision, stop_inferred, total_energy }) => ({ revision, stop_inferred, total_energy }))(JSON.parse(r.payload)),
    }));
    assert.deepEqual(revisions, [
      { key: uidC, revision: 1, stop_inferred: true, total_energy: 0.5 },
      { key: `${uidC}.r2`, revision: 2, stop_inferred: false, total_energy: 0.4 },
    ]);
    await cp.close();
  } finally {
    await app.dispose();
  }
});

test('issue 10: without a head-office URL the depot runs standalone and the outbox still fills', async () => {
  const app = await startTestApp();
  try {
    await runSessions(app.wsBase, { chargers: 1, perCharger: 3, prefix: 'ALONE' });
    const status = await (await app.api('/api/sync')).json();
    assert.equal(status.configured, false);
    assert.equal(status.nightly.nextRunAt, null);
    assert.equal(status.pending, pendingOf(app, 'session') + pendingOf(app, 'snapshot') + pendingOf(app, 'alert'));
    assert.equal(pendingOf(app), 3);
    const run = await app.api('/api/sync/run', { method: 'POST' });
    assert.equal(run.status, 409);
    assert.match((await run.json()).error, /not configured/);
  } finally {
    await app.dispose();
  }
});

test('issue 10: bad head-office config is refused at start, naming the key', () => {
  const load = (env: Record<string, string>) => () => loadConfig({ env: { OCPP_EDGE_DATA_DIR: '/tmp/x', ...env } });
  assert.throws(load({ OCPP_EDGE_HEADOFFICE_URL: 'ftp://ho.example.test' }), /OCPP_EDGE_HEADOFFICE_URL: headofficeUrl must be http/);
  assert.throws(load({ OCPP_EDGE_HEADOFFICE_URL: 'not a url', OCPP_EDGE_HEADOFFICE_TOKEN: 'tok-12345678' }), /headofficeUrl "not a url" is not a URL/);
  assert.throws(load({ OCPP_EDGE_HEADOFFICE_URL: 'https://ho.example.test' }), /headofficeToken is required/);
  assert.throws(
    load({ OCPP_EDGE_HEADOFFICE_URL: 'https://ho.example.test', OCPP_EDGE_HEADOFFICE_TOKEN: 'tok-12345678', OCPP_EDGE_HEADOFFICE_CA_FILE: '/nonexistent.pem' }),
    /headofficeCaFile \/nonexistent.pem does not exist/,
  );
  assert.throws(load({ OCPP_EDGE_SYNC_CRON: 'every night' }), /OCPP_EDGE_SYNC_CRON: syncCron "every night" is not a cron/);
});

test('issue 10: head office down while 100 sessions complete; when it comes up all 100 arrive exactly once', async () => {
  const port = await freePort();
  const app = await startEdge(port);
  let ho: HeadofficeHandle | undefined;
  try {
    await runSessions(app.wsBase, { chargers: 5, perCharger: 20, prefix: 'DOWN' });
    assert.equal(pendingOf(app), 100);
    const down = await eventually(async () => {
      const s = await (await app.api('/api/sync')).json();
      return s.lastError && s.consecutiveFailures > 0 && s;
    }, 'the uploader to report head office unreachable');
    assert.ok(down.oldestPendingAgeSec >= 0);
    ho = await startHo({ port });
    await eventually(() => outboxDrained(app), 'the outbox to drain');
    const summary = await ho.summary();
    assert.equal(summary.sessions, 100);
    assert.equal(summary.sessionRecords, 100);
    assert.equal(summary.duplicates, 0);
    assert.equal(summary.snapshots, 5, 'one inventory snapshot per new charger');
    const status = await (await app.api('/api/sync')).json();
    assert.equal(status.pending, 0);
    assert.ok(status.lastSuccessAt);
    assert.equal(status.consecutiveFailures, 0);
  } finally {
    await app.dispose();
    await ho?.dispose();
  }
});

test('issue 10: 50 % failures, hangs past the timeout and drops after storing: every session arrives, none twice', async () => {
  const ho = await startHo();
  await ho.setFaults({ failRate: 0.35, hangRate: 0.1, dropAfterStoreRate: 0.25 });
  const app = await startEdge(ho.port, { syncBatchSize: 5, headofficeTimeoutMs: 500, syncBackoffMaxMs: 200 });
  try {
    await runSessions(app.wsBase, { chargers: 4, perCharger: 25, prefix: 'FAULT' });
    await eventually(() => pendingOf(app) === 0, 'every session uploaded', 60_000);
    const summary = await ho.summary();
    assert.equal(summary.sessions, 100);
    assert.equal(summary.sessionRecords, 100, 'no idempotency key stored twice');
    assert.ok(summary.duplicates > 0, `re-deliveries after a drop were recognised (duplicates ${summary.duplicates})`);
  } finally {
    await app.dispose();
    await ho.dispose();
  }
});

test('issue 10: a record head office rejects is parked with its reason, shown in the API, and does not block the rest', async () => {
  const ho = await startHo();
  await ho.setFaults({ rejectAuthIds: ['NO-CONTRACT'] });
  const app = await startEdge(ho.port, { syncBatchSize: 10 });
  const parkedEvents: unknown[] = [];
  const off = app.events.on('sync.parked', (e) => parkedEvents.push(e));
  try {
    await runSessions(app.wsBase, { chargers: 1, perCharger: 5, prefix: 'REJ', idTag: (i) => (i === 1 ? 'NO-CONTRACT' : `OK-${i}`) });
    await eventually(() => pendingOf(app) === 0, 'the outbox to drain');
    assert.equal((await ho.summary()).sessions, 4, 'the other records went through');
    const status = await (await app.api('/api/sync')).json();
    assert.equal(status.parked, 1);
    const parked = await (await app.api('/api/sync/parked')).json();
    assert.equal(parked.length, 1);
    assert.match(parked[0].parkedReason, /NO-CONTRACT belongs to no contract/);
    assert.equal(parked[0].payload.auth_id, 'NO-CONTRACT');
    assert.equal(parkedEvents.length, 1);
    // Parked is not retried by itself; an operator retry after head office fixed the contract is.
    await ho.setFaults({});
    assert.equal((await app.api(`/api/sync/parked/${parked[0].id}/retry`, { method: 'POST' })).status, 200);
    await eventually(async () => (await ho.summary()).sessions === 5, 'the retried record to arrive');
    assert.equal((await app.api(`/api/sync/parked/${parked[0].id}/dismiss`, { method: 'POST' })).status, 404);
    assert.equal((await (await app.api('/api/sync')).json()).parked, 0);
  } finally {
    off();
    await app.dispose();
    await ho.dispose();
  }
});

test('issue 10: a wall clock jumping back a day while head office is unreachable does not stall the uploader', async () => {
  const port = await freePort();
  const app = await startEdge(port);
  const realNow = Date.now;
  let ho: HeadofficeHandle | undefined;
  try {
    await runSessions(app.wsBase, { chargers: 1, perCharger: 3, prefix: 'CLOCK' });
    await eventually(async () => (await (await app.api('/api/sync')).json()).consecutiveFailures >= 2, 'backoff under way');
    Date.now = () => realNow() - 86_400_000;
    ho = await startHo({ port });
    await eventually(() => pendingOf(app) === 0, 'the outbox drained despite the clock jump', 10_000);
    assert.equal((await ho.summary()).sessions, 3);
  } finally {
    Date.now = realNow;
    await app.dispose();
    await ho?.dispose();
  }
});

test('issue 10: "Sync now" while a background upload attempt is failing tries afresh and reports what it uploaded', async () => {
  const ho = await startHo();
  await ho.setFaults({ hangRate: 1 });
  // A timeout long enough to act while the background attempt hangs; a backoff long enough that only "sync now" retries.
  const app = await startEdge(ho.port, { headofficeTimeoutMs: 3_000, syncBackoffMaxMs: 3_600_000 });
  try {
    await runSessions(app.wsBase, { chargers: 1, perCharger: 3, prefix: 'JOIN' });
    await eventually(async () => (await ho.summary()).hanging > 0, 'a background upload to hang at head office');
    await ho.setFaults({});
    const res = await app.api('/api/sync/run', { method: 'POST' });
    assert.equal(res.status, 200);
    const run = await res.json();
    assert.deepEqual(run.errors, [], 'the run does not inherit the failure of the attempt it waited for');
    assert.ok(run.uploaded >= 3, `uploaded ${run.uploaded}: the three sessions at least`);
    assert.equal(pendingOf(app), 0);
    assert.equal((await ho.summary()).sessions, 3);
  } finally {
    await app.dispose();
    await ho.dispose();
  }
});
