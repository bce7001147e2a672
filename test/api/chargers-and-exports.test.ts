import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getCharger } from '../../main/store/queries/chargers.js';
import { startTestApp } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';
import { holdThreadpool } from '../helpers/threadpool.js';

const SIEMENS = {
  chargePointId: 'JAAL34S021',
  serialNumber: 'JAAL34S021',
  catalogNumber: '8EM1310-3EJ04-0GA0',
  vendor: 'Siemens',
  model: 'VersiCharge 8EM1310',
  ratedVolts: 240,
  ratedAmps: 32,
  maximumAmps: 32,
  ipAddress: '192.168.10.143',
  targetGroup: 'Production',
};

test('issue 3 / seed 004: charger CRUD with every seed field', async () => {
  const app = await startTestApp();
  try {
    const created = await app.api('/api/charger', { method: 'POST', json: SIEMENS });
    assert.equal(created.status, 201);
    const body = (await created.json()) as any;
    for (const [k, v] of Object.entries(SIEMENS)) assert.equal(body[k], v, k);
    assert.equal(body.isConnected, false);
    assert.equal((await app.api('/api/charger', { method: 'POST', json: SIEMENS })).status, 409);
    const bad = await app.api('/api/charger', { method: 'POST', json: { ...SIEMENS, chargePointId: 'X2', ratedAmps: 'lots' } });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as any).field, 'body.ratedAmps');
    assert.equal((await app.api('/api/charger', { method: 'POST', json: { chargePointId: 'bad id/x' } })).status, 400);
    const patched = (await (await app.api('/api/charger/JAAL34S021', { method: 'PATCH', json: { targetGroup: 'Depot B', ipAddress: null } })).json()) as any;
    assert.equal(patched.targetGroup, 'Depot B');
    assert.equal(patched.ipAddress, null);
    assert.equal(((await (await app.api('/api/charger')).json()) as any[]).length, 1);
    assert.equal((await app.api('/api/charger/NOPE')).status, 404);
    assert.equal((await app.api('/api/charger/JAAL34S021', { method: 'DELETE' })).status, 200);
    assert.equal((await app.api('/api/charger/JAAL34S021')).status, 404);
  } finally {
    await app.dispose();
  }
});

test('issue 3 / seed 004: a password set through the API is required at the next connection (security profile 1)', async () => {
  const app = await startTestApp();
  try {
    await app.api('/api/charger', { method: 'POST', json: { chargePointId: 'PW1', password: 'correct horse' } });
    await assert.rejects(TestCharger.connect(`${app.wsBase}/ocpp/PW1`), /401/);
    const auth = `Basic ${Buffer.from('PW1:correct horse').toString('base64')}`;
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/PW1`, { headers: { authorization: auth } });
    assert.equal(((await (await app.api('/api/charger/PW1')).json()) as any).hasPassword, true);
    await cp.close();
  } finally {
    await app.dispose();
  }
});

test('issue 3 / seed 004: PATCH /api/charger/connection-status records lastSeen, and the live socket state wins', async () => {
  const app = await startTestApp();
  try {
    await app.api('/api/charger', { method: 'POST', json: { chargePointId: 'CS1' } });
    const ok = await app.api('/api/charger/connection-status', { method: 'PATCH', json: { chargePointId: 'CS1', isConnected: false, lastSeen: '2024-01-15T10:30:00Z' } });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as any).lastSeen, '2024-01-15T10:30:00.000Z');
    const conflict = await app.api('/api/charger/connection-status', { method: 'PATCH', json: { chargePointId: 'CS1', isConnected: true } });
    assert.equal(conflict.status, 409);
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/CS1`);
    assert.equal((await app.api('/api/charger/CS1', { method: 'DELETE' })).status, 409, 'a connected charger is not deleted');
    await cp.close();
  } finally {
    await app.dispose();
  }
});

test('issue 3: sessions filter and paginate, a session lists its meter values, and both export as CSV', async () => {
  const app = await startTestApp();
  try {
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/EX1`);
    await boot(cp);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = new Date(Date.UTC(2026, 0, 1 + i)).toISOString();
      const { transactionId } = await cp.call('StartTransaction', { connectorId: 1, idTag: i === 2 ? '=HYPERLINK("x")' : 'TAG', meterStart: 0, timestamp: t });
      await cp.call('MeterValues', {
        connectorId: 1,
        transactionId,
        meterValue: [
          {
            timestamp: t,
            sampledValue: [
              { value: '1.5', unit: 'kWh' },
              { value: '7200', measurand: 'Power.Active.Import', unit: 'W' },
            ],
          },
        ],
      });
      await cp.call('StopTransaction', { transactionId, meterStop: 2000, timestamp: t });
      ids.push(transactionId);
    }
    const page = (await (await app.api('/api/sessions?limit=2&offset=1&idTag=TAG')).json()) as any;
    assert.equal(page.total, 2);
    assert.equal(page.items.length, 1);
    const ranged = (await (await app.api('/api/sessions?from=2026-01-02T00:00:00Z&to=2026-01-03T00:00:00Z')).json()) as any;
    assert.deepEqual(
      ranged.items.map((s: any) => s.transactionId),
      [ids[1]],
    );
    const samples = (await (await app.api(`/api/sessions/${ids[0]}/meter-values`)).json()) as any[];
    assert.deepEqual(
      samples.map((s) => [s.measurand, s.unit, s.value]),
      [
        ['Energy.Active.Import.Register', 'kWh', '1.5'],
        ['Power.Active.Import', 'W', '7200'],
      ],
    );
    const csv = await app.api('/api/sessions/export.csv?station=EX1');
    assert.match(csv.headers.get('content-type')!, /text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /^transactionId,chargePointId,connectorId,idTag/);
    assert.ok(
      lines.some((l) => l.includes(`"'=HYPERLINK(""x"")"`)),
      'formula-like cells are neutralised',
    );
    const mv = (await (await app.api(`/api/sessions/${ids[0]}/meter-values.csv`)).text()).trim().split('\r\n');
    assert.equal(mv.length, 3);
    assert.equal((await app.api('/api/sessions/abc')).status, 400);
    assert.equal((await app.api('/api/sessions/999999')).status, 404);
    await cp.close();
  } finally {
    await app.dispose();
  }
});

test('issue 2: RFID tag ids are unique ignoring case, as OCPP idTags are (CiString20)', async () => {
  const app = await startTestApp();
  try {
    assert.equal((await app.api('/api/rfid', { method: 'POST', json: { tagId: 'ABC123' } })).status, 201);
    const dup = await app.api('/api/rfid', { method: 'POST', json: { tagId: 'abc123' } });
    assert.equal(dup.status, 409);
    assert.match(((await dup.json()) as any).error, /ABC123 already exists \(idTags ignore case\)/);
  } finally {
    await app.dispose();
  }
});

test('issue 8: POST /api/charger while that charger connects and auto-registers during the password hash answers 409, not 500', async () => {
  const app = await startTestApp();
  const pool = await holdThreadpool();
  let released = false;
  const release = () => {
    if (released) return Promise.resolve();
    released = true;
    return pool.release();
  };
  let cp: TestCharger | undefined;
  try {
    const post = app.api('/api/charger', { method: 'POST', json: { chargePointId: 'RACE1', vendor: 'Siemens', password: 'correct horse battery' } });
    await pool.scryptQueued; // the handler passed its existence check and is hashing
    cp = await TestCharger.connect(`${app.wsBase}/ocpp/RACE1`);
    await waitUntil(() => getCharger(app.db, 'RACE1') !== undefined, 'auto-registration committed');
    await release();
    const r = await post;
    assert.equal(r.status, 409);
    assert.match(((await r.json()) as any).error, /registered itself meanwhile/);
    const row = getCharger(app.db, 'RACE1')!;
    assert.equal(row.autoRegistered, true);
    assert.equal(row.hasPassword, false, 'the refused request wrote nothing');
  } finally {
    await release();
    await cp?.close();
    await app.dispose();
  }
});

test('issue 8: PATCH /api/charger/:cpId with a password for a charger deleted during the hash answers 404 and writes nothing', async () => {
  const app = await startTestApp();
  try {
    assert.equal((await app.api('/api/charger', { method: 'POST', json: { chargePointId: 'RACE2' } })).status, 201);
    const pool = await holdThreadpool();
    const patch = app.api('/api/charger/RACE2', { method: 'PATCH', json: { targetGroup: 'B', password: 'correct horse battery' } });
    await pool.scryptQueued;
    assert.equal((await app.api('/api/charger/RACE2', { method: 'DELETE' })).status, 200);
    await pool.release();
    assert.equal((await patch).status, 404);
    assert.equal(getCharger(app.db, 'RACE2'), undefined);
  } finally {
    await app.dispose();
  }
});

test('issue 8: PATCH registrationStatus Rejected reaches the live connection: it is closed, and after reconnecting the charger is answered Rejected and may send nothing else', async () => {
  const app = await startTestApp();
  let cp = await TestCharger.connect(`${app.wsBase}/ocpp/LIVE-REJ`);
  try {
    assert.equal((await boot(cp)).status, 'Accepted');
    const closed = cp.closed();
    const r = await app.api('/api/charger/LIVE-REJ', { method: 'PATCH', json: { registrationStatus: 'Rejected' } });
    assert.equal(r.status, 200);
    assert.deepEqual(await within(closed, 'the socket to close'), { code: 1000, reason: 'registration status changed to Rejected: boot again' });
    cp = await TestCharger.connect(`${app.wsBase}/ocpp/LIVE-REJ`);
    await assert.rejects(cp.call('Heartbeat', {}), /SecurityError/);
    assert.equal((await boot(cp)).status, 'Rejected');
    await assert.rejects(cp.call('StartTransaction', { connectorId: 1, idTag: 'X', meterStart: 0, timestamp: new Date().toISOString() }), /SecurityError/);
    const cmd = await app.api('/api/admin/LIVE-REJ/get-configuration', { method: 'POST', json: {} });
    assert.equal(cmd.status, 409, 'no command goes to a rejected charger');
  } finally {
    await cp.close();
    await app.dispose();
  }
});

test('issue 8: PATCH registrationStatus Pending reaches the live connection: the charger boots again into Pending, where remote start is refused and configuration is allowed', async () => {
  const app = await startTestApp();
  let cp = await TestCharger.connect(`${app.wsBase}/ocpp/LIVE-PEN`);
  try {
    assert.equal((await boot(cp)).status, 'Accepted');
    const closed = cp.closed();
    assert.equal((await app.api('/api/charger/LIVE-PEN', { method: 'PATCH', json: { registrationStatus: 'Pending' } })).status, 200);
    assert.equal((await within(closed, 'the socket to close')).code, 1000);
    cp = await TestCharger.connect(`${app.wsBase}/ocpp/LIVE-PEN`);
    cp.onCall = (action) => (action === 'GetConfiguration' ? { configurationKey: [] } : { status: 'Accepted' });
    assert.equal((await boot(cp)).status, 'Pending');
    const start = await app.api('/api/admin/LIVE-PEN/start-transaction', { method: 'POST', json: { idTag: 'TAG1', connectorId: 1 } });
    assert.equal(start.status, 409);
    assert.equal((await app.api('/api/admin/LIVE-PEN/get-configuration', { method: 'POST', json: {} })).status, 200);
    // Approved again: nothing is closed; the charger's next boot is Accepted.
    assert.equal((await app.api('/api/charger/LIVE-PEN', { method: 'PATCH', json: { registrationStatus: 'Accepted' } })).status, 200);
    assert.equal((await boot(cp)).status, 'Accepted');
    assert.equal((await app.api('/api/admin/LIVE-PEN/clear-cache', { method: 'POST', json: {} })).status, 200);
  } finally {
    await cp.close();
    await app.dispose();
  }
});

function within<T>(p: Promise<T>, what: string, timeoutMs = 5000): Promise<T> {
  let timer!: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs)))]).finally(() => clearTimeout(timer));
}

async function waitUntil(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
