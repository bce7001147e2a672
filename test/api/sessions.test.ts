import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { insertCharger } from '../../main/store/queries/chargers.js';
import { completeTransaction, insertTransaction } from '../../main/store/queries/transactions.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';
import { assertJsonError } from './support.js';

let app: TestApp;
/** transactionIds by name: t1..t4 */
const t: Record<string, number> = {};

before(async () => {
  app = await startTestApp();
  insertCharger(app.db, 'CP_S1');
  insertCharger(app.db, 'CP_S2');
  const add = (name: string, cp: string, idTag: string, startTime: string, stop?: number) => {
    t[name] = insertTransaction(app.db, { chargePointId: cp, connectorId: 1, idTag, authStatus: 'Accepted', meterStart: 1000, startTime, reservationId: null, receivedAt: startTime });
    if (stop !== undefined) completeTransaction(app.db, t[name]!, { meterStop: stop, stopTime: startTime.replace('T10', 'T11'), reason: 'Local', idTag, receivedAt: startTime });
  };
  add('t1', 'CP_S1', 'TAG_A', '2024-01-01T10:00:00.000Z', 5000);
  add('t2', 'CP_S1', 'TAG_B', '2024-01-02T10:00:00.000Z');
  add('t3', 'CP_S2', 'TAG_A', '2024-01-03T10:00:00.000Z', 1500);
  add('t4', 'CP_S2', 'TAG_C', '2024-01-04T10:00:00.000Z');
});
after(() => app.dispose());

interface Page {
  total: number;
  items: Array<{
    transactionId: number;
    chargePointId: string;
    idTag: string;
    status: string;
    energyWh: number | null;
    meterStart: number;
    meterStop: number | null;
    startTime: string;
    stopTime: string | null;
  }>;
}
const page = async (path: string): Promise<Page> => {
  const res = await app.api(path);
  assert.equal(res.status, 200, `${path}: ${res.status} ${res.status !== 200 ? await res.text() : ''}`);
  return (await res.json()) as Page;
};
const names = (p: Page) => p.items.map((i) => Object.keys(t).find((k) => t[k] === i.transactionId));

test('seed 001: GET /api/sessions lists every session, newest first, with total, energy and status', async () => {
  const p = await page('/api/sessions');
  assert.equal(p.total, 4);
  assert.deepEqual(names(p), ['t4', 't3', 't2', 't1']);
  const t1 = p.items.find((i) => i.transactionId === t.t1)!;
  assert.equal(t1.status, 'Completed');
  assert.equal(t1.energyWh, 4000);
  assert.equal(t1.meterStart, 1000);
  assert.equal(t1.meterStop, 5000);
  assert.equal(t1.chargePointId, 'CP_S1');
  assert.equal(t1.idTag, 'TAG_A');
  const t2 = p.items.find((i) => i.transactionId === t.t2)!;
  assert.equal(t2.status, 'Active');
  assert.equal(t2.stopTime, null);
});

test('seed 001: /api/sessions filters by station, idTag and status', async () => {
  assert.deepEqual(names(await page('/api/sessions?station=CP_S1')), ['t2', 't1']);
  assert.deepEqual(names(await page('/api/sessions?idTag=TAG_A')), ['t3', 't1']);
  assert.deepEqual(names(await page('/api/sessions?status=Active')), ['t4', 't2']);
  assert.deepEqual(names(await page('/api/sessions?status=Completed&station=CP_S2')), ['t3']);
  const none = await page('/api/sessions?idTag=NOBODY');
  assert.equal(none.total, 0);
  assert.deepEqual(none.items, []);
});

test('seed 001: /api/sessions filters by start time: from is inclusive, to is exclusive', async () => {
  assert.deepEqual(names(await page('/api/sessions?from=2024-01-02T10:00:00Z')), ['t4', 't3', 't2']);
  assert.deepEqual(names(await page('/api/sessions?to=2024-01-03T10:00:00Z')), ['t2', 't1']);
  assert.deepEqual(names(await page('/api/sessions?from=2024-01-02&to=2024-01-04')), ['t3', 't2']);
  // Offsets are normalised to UTC before comparing.
  assert.deepEqual(names(await page(`/api/sessions?from=${encodeURIComponent('2024-01-03T11:00:00+01:00')}`)), ['t4', 't3']);
});

test('seed 001: /api/sessions paginates with limit and offset; total counts all matches', async () => {
  const p = await page('/api/sessions?limit=2&offset=1');
  assert.equal(p.total, 4);
  assert.deepEqual(names(p), ['t3', 't2']);
  const end = await page('/api/sessions?limit=2&offset=4');
  assert.equal(end.total, 4);
  assert.deepEqual(end.items, []);
  const filtered = await page('/api/sessions?idTag=TAG_A&limit=1');
  assert.equal(filtered.total, 2);
  assert.deepEqual(names(filtered), ['t3']);
});

test('seed 001: GET /api/sessions/station/:cpId lists one station and takes the same filters', async () => {
  assert.deepEqual(names(await page('/api/sessions/station/CP_S2')), ['t4', 't3']);
  assert.deepEqual(names(await page('/api/sessions/station/CP_S2?status=Active')), ['t4']);
  assert.deepEqual(names(await page('/api/sessions/station/CP_S1?idTag=TAG_A')), ['t1']);
  assert.deepEqual(names(await page('/api/sessions/station/CP_S1?limit=1&offset=1')), ['t1']);
  // The path names the station: a station query parameter cannot widen it.
  assert.deepEqual(names(await page('/api/sessions/station/CP_S1?station=CP_S2')), ['t2', 't1']);
  const unknown = await page('/api/sessions/station/NO_SUCH_CP');
  assert.equal(unknown.total, 0);
});

test('seed 001: bad session filters are a JSON 400 naming the parameter', async () => {
  const cases: Array<[string, string]> = [
    ['status=Running', 'status'],
    ['status=active', 'status'],
    ['from=yesterday', 'from'],
    ['from=1', 'from'],
    ['to=2024-13-45', 'to'],
    ['to=2024-01-01T25:00:00Z', 'to'],
    ['to=2024-02-30', 'to'],
    ['from=March%207%202024', 'from'],
    ['limit=0', 'limit'],
    ['limit=-5', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=10001', 'limit'],
    ['offset=-1', 'offset'],
    ['offset=x', 'offset'],
  ];
  for (const [query, field] of cases) {
    const body = await assertJsonError(await app.api(`/api/sessions?${query}`), 400, field);
    assert.match(body.error, new RegExp(field), query);
    await assertJsonError(await app.api(`/api/sessions/station/CP_S1?${query}`), 400, field);
  }
});

test('seed 001: a session run by a real charger appears with its energy', async () => {
  await app.api('/api/rfid', { method: 'POST', json: { tagId: 'TAG_LIVE' } });
  const cp = await TestCharger.connect(`${app.wsBase}/ocpp/CP_S3`);
  try {
    await boot(cp);
    const start = await cp.call('StartTransaction', { connectorId: 2, idTag: 'TAG_LIVE', meterStart: 200, timestamp: new Date().toISOString() });
    let p = await page('/api/sessions/station/CP_S3?status=Active');
    assert.deepEqual(
      p.items.map((i) => i.transactionId),
      [start.transactionId],
      'acknowledged start is listed at once',
    );
    await cp.call('StopTransaction', { transactionId: start.transactionId, meterStop: 1450, timestamp: new Date().toISOString() });
    p = await page('/api/sessions/station/CP_S3');
    assert.equal(p.items[0]!.status, 'Completed');
    assert.equal(p.items[0]!.energyWh, 1250);
  } finally {
    await cp.close();
  }
});

test('issue 8: the idTag filter of /api/sessions ignores case, as authorization does (OCPP IdToken is a CiString), using an index', async () => {
  assert.deepEqual(names(await page('/api/sessions?idTag=tag_a')), ['t3', 't1']);
  assert.deepEqual(names(await page('/api/sessions/station/CP_S1?idTag=Tag_B')), ['t2']);
  const plan = app.db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM transactions WHERE id_tag = ? COLLATE NOCASE ORDER BY id DESC`).all('tag_a') as Array<{ detail: string }>;
  assert.match(plan.map((p) => p.detail).join('\n'), /SEARCH transactions USING INDEX transactions_tag \(id_tag=\?\)/);
});
