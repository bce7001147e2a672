import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { insertCharger } from '../../main/store/queries/chargers.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';
import { assertJsonError, eventually } from './support.js';

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(() => app.dispose());

const getJson = async <T = any>(path: string): Promise<T> => {
  const res = await app.api(path);
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return (await res.json()) as T;
};
const ids = (list: Array<{ chargePointId: string }>) => list.map((s) => s.chargePointId);

test('seed 001: GET /api/stations lists every registered station with the seed 000/004 fields', async () => {
  insertCharger(app.db, 'ST_REGISTERED', { serialNumber: 'JAAL34S021', catalogNumber: '8EM1310-3EJ04-0GA0', ratedVolts: 400, ratedAmps: 32, maximumAmps: 32, targetGroup: 'depot-a' });
  const list = await getJson<any[]>('/api/stations');
  const s = list.find((x) => x.chargePointId === 'ST_REGISTERED');
  assert.ok(s, 'listed');
  for (const field of [
    'chargePointId',
    'serialNumber',
    'catalogNumber',
    'vendor',
    'model',
    'firmwareVersion',
    'ratedVolts',
    'ratedAmps',
    'maximumAmps',
    'ipAddress',
    'targetGroup',
    'isConnected',
    'lastSeen',
  ]) {
    assert.ok(field in s, `field ${field}`);
  }
  assert.equal(s.serialNumber, 'JAAL34S021');
  assert.equal(s.ratedVolts, 400);
  assert.equal(s.isConnected, false);
  assert.ok(!('passwordHash' in s) && !('password_hash' in s), 'no password hash in the API');
});

test('seed 001: GET /api/stations/:cpId shows the station with its connectors after boot and status', async () => {
  const cp = await TestCharger.connect(`${app.wsBase}/ocpp/ST_DETAIL`);
  try {
    await boot(cp);
    await cp.call('StatusNotification', { connectorId: 1, status: 'Available', errorCode: 'NoError', timestamp: new Date().toISOString() });
    const s = await getJson('/api/stations/ST_DETAIL');
    assert.equal(s.chargePointId, 'ST_DETAIL');
    assert.equal(s.vendor, 'Siemens');
    assert.equal(s.model, '8EM1310-3EJ04-0GA0');
    assert.equal(s.isConnected, true);
    assert.equal(s.remoteAddress?.replace(/^::ffff:/, ''), '127.0.0.1');
    assert.ok(Array.isArray(s.connectors));
    assert.deepEqual(
      s.connectors.map((c: any) => [c.connectorId, c.status, c.errorCode]),
      [[1, 'Available', 'NoError']],
    );
  } finally {
    await cp.close();
  }
});

test('seed 001: GET /api/stations/:cpId is a JSON 404 naming cpId for an unknown station', async () => {
  await assertJsonError(await app.api('/api/stations/NO_SUCH_CP'), 404, 'cpId');
});

test('seed 001: GET /api/stations/:cpId URL-decodes the id', async () => {
  insertCharger(app.db, 'ST.ENC-1');
  const s = await getJson(`/api/stations/${encodeURIComponent('ST.ENC-1').replace('.', '%2E')}`);
  assert.equal(s.chargePointId, 'ST.ENC-1');
});

test('seed 001: GET /api/stations/connected/list shows a connected TestCharger and drops it when it disconnects', async () => {
  const before = await getJson<any[]>('/api/stations/connected/list');
  assert.ok(!ids(before).includes('ST_LIVE'));

  const cp = await TestCharger.connect(`${app.wsBase}/ocpp/ST_LIVE`);
  await eventually(async () => ids(await getJson('/api/stations/connected/list')).includes('ST_LIVE'));
  const live = (await getJson<any[]>('/api/stations/connected/list')).find((s) => s.chargePointId === 'ST_LIVE');
  assert.equal(live.isConnected, true);
  assert.ok(live.lastSeen, 'lastSeen set');

  await cp.close();
  await eventually(async () => !ids(await getJson('/api/stations/connected/list')).includes('ST_LIVE'));
  const all = await getJson<any[]>('/api/stations');
  const gone = all.find((s) => s.chargePointId === 'ST_LIVE');
  assert.ok(gone, 'still registered (auto-registered on first connect)');
  assert.equal(gone.isConnected, false);
});

test('seed 001: the connected list only holds connected stations', async () => {
  insertCharger(app.db, 'ST_OFFLINE');
  const cp = await TestCharger.connect(`${app.wsBase}/ST_ONLINE`);
  try {
    await eventually(async () => ids(await getJson('/api/stations/connected/list')).includes('ST_ONLINE'));
    const connected = await getJson<any[]>('/api/stations/connected/list');
    assert.ok(!ids(connected).includes('ST_OFFLINE'));
    assert.ok(connected.every((s) => s.isConnected === true));
  } finally {
    await cp.close();
  }
});
