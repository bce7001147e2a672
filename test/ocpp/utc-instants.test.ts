import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectBooted, cpid, row, rows, startTestApp, type TestApp, type TestCharger } from './support.js';

let app: TestApp;
let cp: TestCharger;
let cpId: string;
before(async () => {
  app = await startTestApp();
  cpId = cpid('UTC');
  cp = await connectBooted(app, cpId);
});
after(async () => {
  await cp.close();
  await app.dispose();
});

type Page = { items: Array<{ transactionId: number; startTime: string; stopTime: string | null; lastMeterAt: string | null; status: string; stopInferred: boolean }> };
const sessions = async (query: string) => {
  const res = await app.api(`/api/sessions/station/${encodeURIComponent(cpId)}?${query}`);
  assert.equal(res.status, 200);
  return ((await res.json()) as Page).items;
};
const ids = (items: Page['items']) => items.map((s) => s.transactionId);

test('issue 8: a StartTransaction at 09:28:47.442+02:00 is stored and returned as 07:28:47.442Z and found by from/to as that instant', async () => {
  const { transactionId } = await cp.call('StartTransaction', { connectorId: 1, idTag: 'OFFSET', meterStart: 0, timestamp: '2026-12-01T09:28:47.442+02:00' });
  await cp.call('StopTransaction', { transactionId, meterStop: 100, timestamp: '2026-12-01T10:00:00+02:00' });
  assert.deepEqual(ids(await sessions(`from=${encodeURIComponent('2026-12-01T07:28:00Z')}&to=${encodeURIComponent('2026-12-01T07:29:00Z')}`)), [transactionId]);
  assert.deepEqual(ids(await sessions(`from=${encodeURIComponent('2026-12-01T08:00:00Z')}`)), []);
  const [s] = await sessions('');
  assert.equal(s!.startTime, '2026-12-01T07:28:47.442Z');
  assert.equal(s!.stopTime, '2026-12-01T08:00:00.000Z');
  // A retried start spelled the same way finds its first row.
  const again = await cp.call('StartTransaction', { connectorId: 1, idTag: 'OFFSET', meterStart: 0, timestamp: '2026-12-01T09:28:47.442+02:00' });
  assert.equal(again.transactionId, transactionId);
});

test('issue 8: meter values with offsets are stored as UTC, listed in time order, and an older reading never moves the running energy back', async () => {
  const { transactionId } = await cp.call('StartTransaction', { connectorId: 2, idTag: 'OFFSET2', meterStart: 1000, timestamp: '2026-12-02T07:00:00.000Z' });
  const send = (timestamp: string, value: string) => cp.call('MeterValues', { connectorId: 2, transactionId, meterValue: [{ timestamp, sampledValue: [{ value }] }] });
  await send('2026-12-02T07:45:00Z', '6000');
  // Delayed, older reading (07:40Z) spelled with an offset: as text it sorts after 07:45Z.
  await send('2026-12-02T09:40:00+02:00', '5500');
  const [s] = (await sessions('')).filter((x) => x.transactionId === transactionId);
  assert.equal(s!.lastMeterAt, '2026-12-02T07:45:00.000Z');
  const energy = ((await (await app.api(`/api/sessions/${transactionId}`)).json()) as { energyWh: number }).energyWh;
  assert.equal(energy, 5000);
  const samples = (await (await app.api(`/api/sessions/${transactionId}/meter-values`)).json()) as Array<{ timestamp: string; value: string }>;
  assert.deepEqual(
    samples.map((x) => [x.timestamp, x.value]),
    [
      ['2026-12-02T07:40:00.000Z', '5500'],
      ['2026-12-02T07:45:00.000Z', '6000'],
    ],
  );
});

test('issue 8: a new start closes the session its stop was lost for by instant, not by text (staleActiveOnConnector)', async () => {
  // 09:00+02:00 is 07:00Z, before the next start at 07:30Z (but after it as text).
  const first = await cp.call('StartTransaction', { connectorId: 3, idTag: 'LOST', meterStart: 0, timestamp: '2026-12-03T09:00:00+02:00' });
  const second = await cp.call('StartTransaction', { connectorId: 3, idTag: 'LOST', meterStart: 700, timestamp: '2026-12-03T07:30:00Z' });
  const s1 = (await (await app.api(`/api/sessions/${first.transactionId}`)).json()) as Page['items'][number];
  assert.deepEqual([s1.status, s1.stopInferred, s1.stopTime], ['Completed', true, '2026-12-03T07:30:00.000Z']);
  assert.notEqual(second.idTagInfo.status, 'ConcurrentTx');
});

test('issue 8: connector status times are stored as UTC instants', async () => {
  await cp.call('StatusNotification', { connectorId: 4, status: 'Faulted', errorCode: 'GroundFailure', timestamp: '2026-12-04T01:00:00.5-05:00' });
  assert.equal(row(app, 'SELECT status_at FROM connectors WHERE charge_point_id = ? AND connector_id = 4', cpId)?.status_at, '2026-12-04T06:00:00.500Z');
  assert.deepEqual(
    rows(app, 'SELECT status_at FROM status_history WHERE charge_point_id = ? AND connector_id = 4', cpId).map((r) => r.status_at),
    ['2026-12-04T06:00:00.500Z'],
  );
});
