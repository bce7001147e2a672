import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { insertCharger, updateCharger } from '../../main/store/queries/chargers.js';
import { insertIdTag } from '../../main/store/queries/id-tags.js';
import { connectBooted, cpid, row, startTestApp, type TestApp, type TestCharger } from './support.js';

let app: TestApp;
const chargers: TestCharger[] = [];
before(async () => {
  app = await startTestApp();
});
after(async () => {
  for (const c of chargers) await c.close();
  await app.dispose();
});
const charger = async () => {
  const c = await connectBooted(app, cpid('REF'));
  chargers.push(c);
  return c;
};
type Session = { status: string; stopInferred: boolean; stopReason: string | null; meterStop: number | null; energyWh: number | null; stopTime: string | null; startAuthStatus: string };
const session = async (id: number) => (await (await app.api(`/api/sessions/${id}`)).json()) as Session;
let n = 0;
const tag = () => {
  const id = `RT${process.pid.toString(36)}${++n}`.slice(0, 20);
  insertIdTag(app.db, { tagId: id });
  return id;
};

test('issue 8: a start answered ConcurrentTx is recorded (Stop and MeterValues find it) but does not keep its tag busy once the real session ends', async () => {
  const [a, b, c] = [await charger(), await charger(), await charger()];
  const card = tag();
  const real = await a.call('StartTransaction', { connectorId: 1, idTag: card, meterStart: 0, timestamp: new Date().toISOString() });
  const refused = await b.call('StartTransaction', { connectorId: 1, idTag: card, meterStart: 500, timestamp: new Date().toISOString() });
  assert.equal(refused.idTagInfo.status, 'ConcurrentTx');
  assert.ok(Number.isInteger(refused.transactionId));
  await a.call('StopTransaction', { transactionId: real.transactionId, meterStop: 100, timestamp: new Date().toISOString(), reason: 'EVDisconnected' });
  // The refused session stays open (no stop came), yet the card is free everywhere else.
  assert.equal((await session(refused.transactionId)).status, 'Active');
  assert.equal((await c.call('Authorize', { idTag: card })).idTagInfo.status, 'Accepted');
  assert.equal((await c.call('StartTransaction', { connectorId: 1, idTag: card, meterStart: 0, timestamp: new Date().toISOString() })).idTagInfo.status, 'Accepted');
  // The charger may have started offline: its later messages find the session.
  await b.call('MeterValues', { connectorId: 1, transactionId: refused.transactionId, meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '800' }] }] });
  assert.equal((await session(refused.transactionId)).energyWh, 300);
  await b.call('StopTransaction', { transactionId: refused.transactionId, meterStop: 900, timestamp: new Date().toISOString(), reason: 'DeAuthorized' });
  const done = await session(refused.transactionId);
  assert.deepEqual([done.status, done.stopReason, done.energyWh, done.startAuthStatus], ['Completed', 'DeAuthorized', 400, 'ConcurrentTx']);
});

test('issue 8: a start answered Blocked does not make the card busy after it is activated again', async () => {
  const [a, b] = [await charger(), await charger()];
  const card = tag();
  assert.equal((await app.api(`/api/rfid/${card}/block`, { method: 'POST' })).status, 200);
  const refused = await a.call('StartTransaction', { connectorId: 1, idTag: card, meterStart: 0, timestamp: new Date().toISOString() });
  assert.equal(refused.idTagInfo.status, 'Blocked');
  assert.equal((await app.api(`/api/rfid/${card}/activate`, { method: 'POST' })).status, 200);
  assert.equal((await b.call('Authorize', { idTag: card })).idTagInfo.status, 'Accepted');
});

test('issue 8: a connector reporting Available, Reserved or Unavailable closes its open session as stop-inferred at its last reading; a late real stop still wins', async () => {
  const a = await charger();
  const start = Date.parse('2026-12-05T10:00:00.000Z');
  const at = (min: number) => new Date(start + min * 60_000).toISOString();
  const ids: number[] = [];
  for (const [connectorId, status] of [
    [1, 'Available'],
    [2, 'Reserved'],
    [3, 'Unavailable'],
  ] as const) {
    const { transactionId } = await a.call('StartTransaction', { connectorId, idTag: 'UNKNOWN-CARD', meterStart: 1000, timestamp: at(0) });
    await a.call('MeterValues', { connectorId, transactionId, meterValue: [{ timestamp: at(5), sampledValue: [{ value: '1750.4' }] }] });
    const announced: Array<[number | null, string | undefined]> = [];
    const off = app.events.on('transaction.stopped', (e) => e.transactionId === transactionId && announced.push([e.energyWh, e.reason]));
    await a.call('StatusNotification', { connectorId, status, errorCode: 'NoError', timestamp: at(10) });
    off();
    assert.deepEqual(announced, [[750, 'Other']], status);
    const s = await session(transactionId);
    assert.deepEqual([s.status, s.stopInferred, s.stopReason, s.meterStop, s.energyWh, s.stopTime], ['Completed', true, 'Other', 1750, 750, at(10)], status);
    ids.push(transactionId);
  }
  await a.call('StopTransaction', { transactionId: ids[0], meterStop: 1800, timestamp: at(8), reason: 'EVDisconnected' });
  const s = await session(ids[0]!);
  assert.deepEqual([s.stopInferred, s.stopReason, s.meterStop, s.energyWh, s.stopTime], [false, 'EVDisconnected', 1800, 800, at(8)]);
});

test('issue 8: Faulted, Finishing, Charging, a status dated before the start, and connector 0 leave an open session open', async () => {
  const a = await charger();
  const { transactionId } = await a.call('StartTransaction', { connectorId: 1, idTag: 'UNKNOWN-CARD', meterStart: 0, timestamp: '2026-12-06T10:00:00.000Z' });
  await a.call('StatusNotification', { connectorId: 1, status: 'Available', errorCode: 'NoError', timestamp: '2026-12-06T09:59:59.000Z' });
  await a.call('StatusNotification', { connectorId: 0, status: 'Unavailable', errorCode: 'NoError', timestamp: '2026-12-06T10:01:00.000Z' });
  for (const status of ['Charging', 'Faulted', 'Finishing'])
    await a.call('StatusNotification', { connectorId: 1, status, errorCode: status === 'Faulted' ? 'GroundFailure' : 'NoError', timestamp: '2026-12-06T10:02:00.000Z' });
  assert.equal((await session(transactionId)).status, 'Active');
});

test('issue 8: a StopTransaction without reason is stored (and announced) with reason Local, as OCPP 1.6 defines an omitted reason', async () => {
  const a = await charger();
  const { transactionId } = await a.call('StartTransaction', { connectorId: 1, idTag: 'NOREASON', meterStart: 0, timestamp: new Date().toISOString() });
  const announced: Array<string | undefined> = [];
  const off = app.events.on('transaction.stopped', (e) => e.transactionId === transactionId && announced.push(e.reason));
  await a.call('StopTransaction', { transactionId, meterStop: 10, timestamp: new Date().toISOString() });
  off();
  assert.equal((await session(transactionId)).stopReason, 'Local');
  assert.deepEqual(announced, ['Local']);
  await a.call('StopTransaction', { transactionId: 987654321, meterStop: 10, timestamp: new Date().toISOString() });
  assert.equal(row(app, 'SELECT reason FROM orphan_stops WHERE transaction_id = 987654321')?.reason, 'Local');
});

test("issue 8: a lenient charger's unreadable timestamp is stored as the time it arrived (the deviation keeps what it sent)", async () => {
  const id = cpid('LAXT');
  insertCharger(app.db, id);
  updateCharger(app.db, id, { lenient: true });
  const a = await connectBooted(app, id);
  chargers.push(a);
  const before = new Date().toISOString();
  const { transactionId } = await a.call('StartTransaction', { connectorId: 1, idTag: 'LAX', meterStart: 0, timestamp: 'yesterday noon' });
  const s = (await (await app.api(`/api/sessions/${transactionId}`)).json()) as { startTime: string };
  assert.ok(s.startTime >= before && s.startTime <= new Date().toISOString(), s.startTime);
  assert.match(String(row(app, `SELECT payload FROM schema_deviations WHERE charge_point_id = ? AND action = 'StartTransaction'`, id)?.payload), /yesterday noon/);
});
