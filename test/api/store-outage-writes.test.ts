/**
 * issue 8 "one write path": REST routes and command effects write through the group-commit
 * writer, so a store outage (a read-only database, PRAGMA query_only, as in test/soak/disk.test.ts)
 * answers every kind of their writes with a clear 503 JSON error instead of a raw SQLite 500,
 * leaves the database exactly as it was, and sends no command whose record could not be stored
 * first. (A full disk is not used here: a small write may still fit in a page with room left.) Once the store can write again, the
 * same writes succeed and the outage alert clears.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';
import { eventually } from './support.js';

/** Every table a REST route or a command effect writes. */
const TABLES = [
  'chargers',
  'id_tags',
  'settings',
  'command_audit',
  'reservations',
  'maintenance_jobs',
  'charger_configuration',
  'charging_profiles',
  'availability',
  'local_list_entries',
  'local_list_versions',
];
const snapshot = (app: TestApp) => Object.fromEntries(TABLES.map((t) => [t, app.db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));

interface Attempt {
  what: string;
  send(app: TestApp): Promise<Response>;
  /** A command whose call goes out before its effect is recorded: the charger answered it. */
  answered?: true;
}

const future = () => new Date(Date.now() + 3_600_000).toISOString();
const post = (path: string, json?: unknown) => (app: TestApp) => app.api(path, { method: 'POST', ...(json !== undefined && { json }) });
const patch = (path: string, json: unknown) => (app: TestApp) => app.api(path, { method: 'PATCH', json });
const del = (path: string) => (app: TestApp) => app.api(path, { method: 'DELETE' });

const ATTEMPTS: Attempt[] = [
  { what: 'POST /api/charger', send: post('/api/charger', { chargePointId: 'NEW-CP', password: 'new-charger-pw-1' }) },
  { what: 'PATCH /api/charger/:cpId (fields and password)', send: patch('/api/charger/SPARE', { description: 'moved', password: 'another-pw-12345' }) },
  { what: 'PATCH /api/charger/connection-status', send: (app) => patch('/api/charger/connection-status', { chargePointId: 'OUT1', isConnected: true, lastSeen: new Date().toISOString() })(app) },
  { what: 'DELETE /api/charger/:cpId', send: del('/api/charger/SPARE') },
  { what: 'POST /api/rfid', send: post('/api/rfid', { tagId: 'NEWCARD' }) },
  { what: 'PATCH /api/rfid/:tagId', send: patch('/api/rfid/CARD1', { description: 'lost' }) },
  { what: 'POST /api/rfid/:tagId/block', send: post('/api/rfid/CARD1/block') },
  { what: 'DELETE /api/rfid/:tagId', send: del('/api/rfid/CARD1') },
  { what: 'POST /api/token/rotate', send: post('/api/token/rotate') },
  { what: 'ReserveNow', send: (app) => post('/api/admin/OUT1/reserve-now', { connectorId: 1, idTag: 'CARD1', expiryDate: future() })(app) },
  { what: 'UpdateFirmware', send: (app) => post('/api/admin/OUT1/update-firmware', { location: 'https://fw.example/fw.bin', retrieveDate: future() })(app) },
  { what: 'ChangeConfiguration AuthorizationKey', send: post('/api/admin/OUT1/change-configuration', { key: 'AuthorizationKey', value: 'rolled-key-0123456789' }) },
  { what: 'GetConfiguration', answered: true, send: post('/api/admin/OUT1/get-configuration', {}) },
];

test('issue 8: REST and command writes go through the writer: during a store outage they answer 503 and nothing is half-written', async (t) => {
  const app = await startTestApp({ authMaxFailures: 100 });
  let cp: TestCharger | undefined;
  try {
    for (const [path, json] of [
      ['/api/charger', { chargePointId: 'SPARE' }],
      ['/api/rfid', { tagId: 'CARD1' }],
    ] as const) {
      assert.equal((await app.api(path, { method: 'POST', json })).status, 201, `setup ${path}`);
    }
    cp = await TestCharger.connect(`${app.wsBase}/ocpp/OUT1`);
    await boot(cp);
    cp.onCall = (action) =>
      action === 'GetConfiguration' ? { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] } : action === 'UpdateFirmware' ? {} : { status: 'Accepted' };
    const before = snapshot(app);
    const callsBefore = cp.received.filter((f) => f[0] === 2).length;

    await app.writer.pragma('query_only = 1');
    for (const a of ATTEMPTS) {
      const res = await a.send(app);
      const text = await res.text();
      assert.equal(res.status, 503, `${a.what}: 503 during the outage, not ${res.status} ${text}`);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `${a.what}: JSON`);
      const body = JSON.parse(text) as { error: string };
      assert.match(body.error, /^store unavailable: \S/, `${a.what}: says why: ${text}`);
      assert.doesNotMatch(body.error, /^store unavailable: (commit failed|internal)/, `${a.what}: the cause itself`);
      if (a.answered) assert.match(body.error, /answered GetConfiguration but its effect could not be recorded/, `${a.what}: tells that the charger acted`);
    }
    // Nothing half-written: every table as it was; reads still work meanwhile.
    assert.deepEqual(snapshot(app), before, 'the database is unchanged');
    assert.equal((await app.api('/api/rfid/CARD1')).status, 200, 'reads work during the outage');
    const health = (await (await app.api('/health')).json()) as { storeError: string | null };
    assert.ok(health.storeError, 'the outage shows in /health');
    // No command went out whose record could not be stored first.
    const sent = cp.received
      .filter((f) => f[0] === 2)
      .slice(callsBefore)
      .map((f) => f[2]);
    assert.deepEqual(
      sent,
      ATTEMPTS.filter((a) => a.answered).map((a) => a.what),
      'only the commands that record their effect after the answer reached the charger',
    );

    await app.writer.pragma('query_only = 0');
    const created = await app.api('/api/rfid', { method: 'POST', json: { tagId: 'NEWCARD' } });
    assert.equal(created.status, 201, 'REST writes work again');
    const reserved = await app.api('/api/admin/OUT1/reserve-now', { method: 'POST', json: { connectorId: 1, idTag: 'CARD1', expiryDate: future() } });
    assert.equal(reserved.status, 200, `commands work again: ${await reserved.clone().text()}`);
    // The refused key roll-out left nothing behind: a new one may go, and is recorded.
    const key = await app.api('/api/admin/OUT1/change-configuration', { method: 'POST', json: { key: 'AuthorizationKey', value: 'rolled-key-0123456789' } });
    assert.equal(((await key.json()) as { passwordUpdated?: boolean }).passwordUpdated, true);
    // REST writes are real writer jobs: they end the outage like the chargers' writes do.
    await eventually(async () => ((await (await app.api('/health')).json()) as { storeError: string | null }).storeError === null, 8000);
    t.diagnostic(`${ATTEMPTS.length} kinds of writes refused with 503`);
  } finally {
    await cp?.close();
    await app.dispose();
  }
});
