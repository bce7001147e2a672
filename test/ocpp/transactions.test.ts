import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { dbPath } from '../../main/app.js';
import { insertIdTag } from '../../main/store/queries/id-tags.js';
import { connectBooted, cpid, iso, row, rows, startTestApp, type TestApp, type TestCharger } from './support.js';

const HOUR = 3600_000;
let tagSeq = 0;
/** idTag is at most 20 characters (CiString20). */
const tag = (p = 'T') => `${p}${process.pid % 1000}-${++tagSeq}`.slice(0, 20);

describe('StartTransaction / StopTransaction', () => {
  let app: TestApp;
  let cp: TestCharger;
  let cpId: string;
  before(async () => {
    app = await startTestApp();
    cpId = cpid('TX');
    cp = await connectBooted(app, cpId);
  });
  after(async () => {
    await cp.close();
    await app.dispose();
  });

  const start = (c: TestCharger, idTag: string, extra: Record<string, unknown> = {}) => c.call('StartTransaction', { connectorId: 1, idTag, meterStart: 1000, timestamp: iso(), ...extra });

  test('StartTransaction assigns a unique integer transactionId to every session', async () => {
    const t = tag();
    insertIdTag(app.db, { tagId: t });
    const ids = [];
    for (let c = 1; c <= 4; c++) ids.push((await start(cp, t, { connectorId: c, meterStart: c })).transactionId);
    for (const id of ids) assert.ok(Number.isInteger(id) && id > 0, String(id));
    assert.equal(new Set(ids).size, 4);
    for (const id of ids) await cp.call('StopTransaction', { transactionId: id, meterStop: 10, timestamp: iso() });
  });

  test('a retried StartTransaction (same connector, tag, meterStart, timestamp) returns the same transactionId and is stored once', async () => {
    const t = tag();
    insertIdTag(app.db, { tagId: t });
    const started: number[] = [];
    const off = app.events.on('transaction.started', (e) => e.chargePointId === cpId && started.push(e.transactionId));
    const req = { connectorId: 2, idTag: t, meterStart: 5000, timestamp: iso() };
    const a = await cp.call('StartTransaction', req);
    const b = await cp.call('StartTransaction', req);
    off();
    assert.equal(b.transactionId, a.transactionId);
    assert.equal(b.idTagInfo.status, 'Accepted', 'the retry is not ConcurrentTx with itself');
    assert.equal(row(app, 'SELECT count(*) AS n FROM transactions WHERE id_tag = ?', t)?.n, 1);
    assert.deepEqual(started, [a.transactionId], 'started once');
    await cp.call('StopTransaction', { transactionId: a.transactionId, meterStop: 5000, timestamp: iso() });
  });

  test('a StartTransaction and its retry arriving together (same commit batch) still share one transactionId', async () => {
    const t = tag();
    insertIdTag(app.db, { tagId: t });
    const req = { connectorId: 3, idTag: t, meterStart: 77, timestamp: iso() };
    const [a, b] = await Promise.all([cp.call('StartTransaction', req), cp.call('StartTransaction', req)]);
    assert.equal(a.transactionId, b.transactionId);
    assert.equal(row(app, 'SELECT count(*) AS n FROM transactions WHERE id_tag = ?', t)?.n, 1);
    const stop = { transactionId: a.transactionId, meterStop: 177, timestamp: iso() };
    await Promise.all([cp.call('StopTransaction', stop), cp.call('StopTransaction', stop)]);
    assert.equal(row(app, 'SELECT energy_wh FROM transactions WHERE id = ?', a.transactionId)?.energy_wh, 100);
  });

  test('OCPP 1.6 idTagInfo: a known active tag is Accepted, with its parentIdTag and expiryDate', async () => {
    const t = tag();
    const expiry = iso(Date.now() + 24 * HOUR);
    insertIdTag(app.db, { tagId: t, parentIdTag: 'FLEET-1', validUntil: expiry });
    const auth = await cp.call('Authorize', { idTag: t });
    assert.deepEqual(auth.idTagInfo, { status: 'Accepted', parentIdTag: 'FLEET-1', expiryDate: expiry });
    const s = await start(cp, t, { connectorId: 3 });
    assert.deepEqual(s.idTagInfo, { status: 'Accepted', parentIdTag: 'FLEET-1', expiryDate: expiry });
    await cp.call('StopTransaction', { transactionId: s.transactionId, meterStop: 1000, timestamp: iso() });
  });

  test('OCPP 1.6 idTagInfo: a blocked tag is Blocked (Authorize and StartTransaction)', async () => {
    const t = tag();
    insertIdTag(app.db, { tagId: t, status: 'Blocked' });
    assert.equal((await cp.call('Authorize', { idTag: t })).idTagInfo.status, 'Blocked');
    const s = await start(cp, t, { connectorId: 4 });
    assert.ok(Number.isInteger(s.transactionId));
    assert.equal(s.idTagInfo.status, 'Blocked');
    await cp.call('StopTransaction', { transactionId: s.transactionId, meterStop: 1000, timestamp: iso(), reason: 'DeAuthorized' });
  });

  test('OCPP 1.6 idTagInfo: a tag past its validUntil is Expired', async () => {
    const t = tag();
    const past = iso(Date.now() - HOUR);
    insertIdTag(app.db, { tagId: t, validUntil: past });
    const auth = await cp.call('Authorize', { idTag: t });
    assert.deepEqual(auth.idTagInfo, { status: 'Expired', expiryDate: past });
  });

  test('idTagInfo.expiryDate is always a full date-time, even when the local list holds a date only or a local time', async () => {
    // The list can be filled by other paths than the REST API (sync from head office, imports).
    const a = tag('DATE');
    const b = tag('LOCAL');
    const c = tag('JUNK');
    insertIdTag(app.db, { tagId: a, validUntil: '2099-12-31' });
    insertIdTag(app.db, { tagId: b, validUntil: '2099-06-30T23:59:59+02:00' });
    insertIdTag(app.db, { tagId: c, validUntil: 'someday' });
    assert.deepEqual((await cp.call('Authorize', { idTag: a })).idTagInfo, { status: 'Accepted', expiryDate: '2099-12-31T00:00:00.000Z' });
    assert.deepEqual((await cp.call('Authorize', { idTag: b })).idTagInfo, { status: 'Accepted', expiryDate: '2099-06-30T21:59:59.000Z' });
    assert.deepEqual((await cp.call('Authorize', { idTag: c })).idTagInfo, { status: 'Accepted' }, 'an unreadable expiry is left out, not sent');
    const s = await start(cp, a, { connectorId: 9 });
    assert.equal(s.idTagInfo.expiryDate, '2099-12-31T00:00:00.000Z');
    await cp.call('StopTransaction', { transactionId: s.transactionId, meterStop: 1000, timestamp: iso() });
  });

  test('OCPP 1.6 IdToken is a CiString (case-insensitive): a reader sending lower case matches the card listed in upper case', async () => {
    const t = `CI${process.pid % 1000}A${++tagSeq}F`;
    insertIdTag(app.db, { tagId: t, parentIdTag: 'CI-GROUP' });
    assert.deepEqual((await cp.call('Authorize', { idTag: t.toLowerCase() })).idTagInfo, { status: 'Accepted', parentIdTag: 'CI-GROUP' });
    // ConcurrentTx sees through the case too
    const s = await start(cp, t, { connectorId: 8 });
    const other = await connectBooted(app, cpid('CI'));
    try {
      assert.equal((await other.call('Authorize', { idTag: t.toLowerCase() })).idTagInfo.status, 'ConcurrentTx');
    } finally {
      await other.close();
    }
    await cp.call('StopTransaction', { transactionId: s.transactionId, meterStop: 1000, timestamp: iso() });
    // a blocked card stays blocked whatever the case
    const b = `CIB${process.pid % 1000}X${++tagSeq}`;
    insertIdTag(app.db, { tagId: b, status: 'Blocked' });
    assert.equal((await cp.call('Authorize', { idTag: b.toLowerCase() })).idTagInfo.status, 'Blocked');
  });

  test('OCPP 1.6 idTagInfo: a tag not in the local list is Invalid', async () => {
    assert.deepEqual((await cp.call('Authorize', { idTag: tag('UNKNOWN') })).idTagInfo, { status: 'Invalid' });
  });

  test('StartTransaction re-checks the tag: an invalid tag still gets a transactionId plus idTagInfo Invalid, and the session is recorded', async () => {
    const t = tag('GONE');
    const s = await start(cp, t, { connectorId: 5 });
    assert.ok(Number.isInteger(s.transactionId));
    assert.deepEqual(s.idTagInfo, { status: 'Invalid' });
    const r = row(app, 'SELECT status, start_auth_status FROM transactions WHERE id = ?', s.transactionId)!;
    assert.deepEqual({ ...r }, { status: 'Active', start_auth_status: 'Invalid' });
    await cp.call('StopTransaction', { transactionId: s.transactionId, meterStop: 1000, timestamp: iso(), reason: 'DeAuthorized' });
  });

  test('ConcurrentTx: a tag already charging on another charger is ConcurrentTx there (Authorize and StartTransaction); on its own charger it stays Accepted', async () => {
    const t = tag('BUSY');
    insertIdTag(app.db, { tagId: t });
    const otherId = cpid('TX2');
    const other = await connectBooted(app, otherId);
    try {
      const first = await start(cp, t, { connectorId: 6 });
      assert.equal(first.idTagInfo.status, 'Accepted');
      assert.equal((await other.call('Authorize', { idTag: t })).idTagInfo.status, 'ConcurrentTx');
      assert.equal((await cp.call('Authorize', { idTag: t })).idTagInfo.status, 'Accepted', 'the driver may present it to stop');
      const second = await start(other, t);
      assert.ok(Number.isInteger(second.transactionId), 'still recorded');
      assert.equal(second.idTagInfo.status, 'ConcurrentTx');
      await other.call('StopTransaction', { transactionId: second.transactionId, meterStop: 1000, timestamp: iso() });
      await cp.call('StopTransaction', { transactionId: first.transactionId, meterStop: 1000, timestamp: iso() });
      // once both stopped, the tag is free again
      assert.equal((await other.call('Authorize', { idTag: t })).idTagInfo.status, 'Accepted');
    } finally {
      await other.close();
    }
  });

  test('a new StartTransaction on a connector whose previous session was never stopped (stop lost) is not ConcurrentTx with that stale session', async () => {
    const t = tag('LOST');
    insertIdTag(app.db, { tagId: t });
    const first = await start(cp, t, { connectorId: 10, meterStart: 100, timestamp: iso(Date.now() - 3600_000) });
    // The charger rebooted and lost the StopTransaction; the same card starts again on the same connector.
    const second = await start(cp, t, { connectorId: 10, meterStart: 900 });
    assert.notEqual(second.transactionId, first.transactionId);
    assert.equal(second.idTagInfo.status, 'Accepted', 'a connector runs one session at a time: the old one is over');
    await cp.call('StopTransaction', { transactionId: second.transactionId, meterStop: 1000, timestamp: iso() });
    await cp.call('StopTransaction', { transactionId: first.transactionId, meterStop: 900, timestamp: iso() });
  });

  test('parentIdTag: another token of the same group stops the session; the stop answer carries the group', async () => {
    const a = tag('GRPA');
    const b = tag('GRPB');
    insertIdTag(app.db, { tagId: a, parentIdTag: 'GROUP-7' });
    insertIdTag(app.db, { tagId: b, parentIdTag: 'GROUP-7' });
    const s = await start(cp, a, { connectorId: 7 });
    const stop = await cp.call('StopTransaction', { transactionId: s.transactionId, idTag: b, meterStop: 1500, timestamp: iso(), reason: 'Local' });
    assert.deepEqual(stop.idTagInfo, { status: 'Accepted', parentIdTag: 'GROUP-7' });
    const r = row(app, 'SELECT status, stop_id_tag, stop_reason, energy_wh FROM transactions WHERE id = ?', s.transactionId)!;
    assert.deepEqual({ ...r }, { status: 'Completed', stop_id_tag: b, stop_reason: 'Local', energy_wh: 500 });
  });

  test('StopTransaction without idTag is answered without idTagInfo', async () => {
    const t = tag();
    insertIdTag(app.db, { tagId: t });
    const s = await start(cp, t, { connectorId: 8 });
    assert.deepEqual(await cp.call('StopTransaction', { transactionId: s.transactionId, meterStop: 1200, timestamp: iso() }), {});
  });

  test('StopTransaction is idempotent: a retried stop is acknowledged again but counted once', async () => {
    const t = tag();
    insertIdTag(app.db, { tagId: t });
    const s = await start(cp, t, { connectorId: 9, meterStart: 10_000 });
    const stopped: number[] = [];
    const off = app.events.on('transaction.stopped', (e) => e.transactionId === s.transactionId && stopped.push(e.energyWh ?? NaN));
    const stop = { transactionId: s.transactionId, idTag: t, meterStop: 17_500, timestamp: iso(), reason: 'EVDisconnected' };
    const r1 = await cp.call('StopTransaction', stop);
    const r2 = await cp.call('StopTransaction', stop);
    // even a "retry" carrying a different reading changes nothing
    const r3 = await cp.call('StopTransaction', { ...stop, meterStop: 99_999 });
    off();
    assert.equal(r1.idTagInfo.status, 'Accepted');
    assert.deepEqual(r2, r1);
    assert.equal(r3.idTagInfo.status, 'Accepted');
    assert.deepEqual(stopped, [7500], 'stopped (and counted) once');
    const tx = row(app, 'SELECT status, meter_stop, energy_wh FROM transactions WHERE id = ?', s.transactionId)!;
    assert.deepEqual({ ...tx }, { status: 'Completed', meter_stop: 17_500, energy_wh: 7500 });
    const { items: list } = (await (await app.api(`/api/sessions/station/${encodeURIComponent(cpId)}?limit=500`)).json()) as { items: Array<{ transactionId: number; energyWh: number }> };
    assert.equal(list.filter((x) => x.transactionId === s.transactionId).length, 1);
    assert.equal(list.find((x) => x.transactionId === s.transactionId)!.energyWh, 7500);
    assert.equal(row(app, 'SELECT count(*) AS n FROM orphan_stops WHERE transaction_id = ?', s.transactionId)?.n, 0, 'a retried stop is not an orphan');
  });

  test('StopTransaction for transactionId -1 is acknowledged and kept in orphan_stops for review', async () => {
    const stop = { transactionId: -1, idTag: 'OFFLINE1', meterStop: 4242, timestamp: iso(), reason: 'Local' };
    const r = await cp.call('StopTransaction', stop);
    assert.deepEqual(r, { idTagInfo: { status: 'Invalid' } });
    const o = row(app, 'SELECT charge_point_id, id_tag, meter_stop, reason, payload FROM orphan_stops WHERE transaction_id = -1 AND charge_point_id = ?', cpId)!;
    assert.equal(o.id_tag, 'OFFLINE1');
    assert.equal(o.meter_stop, 4242);
    assert.equal(o.reason, 'Local');
    assert.deepEqual(JSON.parse(o.payload), stop);
  });

  test('StopTransaction for an unknown transactionId is acknowledged, recorded once in orphan_stops even when retried, and creates no session', async () => {
    const before = row(app, 'SELECT count(*) AS n FROM transactions')!.n;
    const stop = { transactionId: 987_654_321, meterStop: 100, timestamp: iso(), transactionData: [{ timestamp: iso(), sampledValue: [{ value: '100' }] }] };
    assert.deepEqual(await cp.call('StopTransaction', stop), {});
    assert.deepEqual(await cp.call('StopTransaction', stop), {});
    assert.equal(row(app, 'SELECT count(*) AS n FROM orphan_stops WHERE transaction_id = 987654321')?.n, 1);
    assert.equal(row(app, 'SELECT count(*) AS n FROM transactions')!.n, before);
  });

  test("StopTransaction naming another charger's transaction is an orphan and leaves that session running", async () => {
    const t = tag();
    insertIdTag(app.db, { tagId: t });
    const otherId = cpid('TX3');
    const other = await connectBooted(app, otherId);
    try {
      const s = await start(other, t);
      assert.deepEqual(await cp.call('StopTransaction', { transactionId: s.transactionId, meterStop: 1, timestamp: iso() }), {});
      assert.equal(row(app, 'SELECT status FROM transactions WHERE id = ?', s.transactionId)?.status, 'Active');
      assert.equal(row(app, 'SELECT count(*) AS n FROM orphan_stops WHERE transaction_id = ? AND charge_point_id = ?', s.transactionId, cpId)?.n, 1);
      await other.call('StopTransaction', { transactionId: s.transactionId, meterStop: 2000, timestamp: iso() });
    } finally {
      await other.close();
    }
  });

  test('StopTransaction stores its transactionData as meter values of the session (connector from the session)', async () => {
    const t = tag();
    insertIdTag(app.db, { tagId: t });
    const s = await start(cp, t, { connectorId: 2, meterStart: 0 });
    const t0 = Date.now() - 60_000;
    await cp.call('StopTransaction', {
      transactionId: s.transactionId,
      meterStop: 3000,
      timestamp: iso(),
      transactionData: [
        { timestamp: iso(t0), sampledValue: [{ value: '0', context: 'Transaction.Begin' }] },
        {
          timestamp: iso(t0 + 30_000),
          sampledValue: [
            { value: '1.5', unit: 'kWh' },
            { value: '7200', measurand: 'Power.Active.Import', unit: 'W' },
          ],
        },
        { timestamp: iso(), sampledValue: [{ value: '3000', context: 'Transaction.End' }] },
      ],
    });
    const mv = rows(app, 'SELECT connector_id, context, measurand, unit, value, source FROM meter_values WHERE transaction_id = ? ORDER BY timestamp, id', s.transactionId);
    assert.deepEqual(
      mv.map((m) => ({ ...m })),
      [
        { connector_id: 2, context: 'Transaction.Begin', measurand: 'Energy.Active.Import.Register', unit: 'Wh', value: '0', source: 'StopTransaction' },
        { connector_id: 2, context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unit: 'kWh', value: '1.5', source: 'StopTransaction' },
        { connector_id: 2, context: 'Sample.Periodic', measurand: 'Power.Active.Import', unit: 'W', value: '7200', source: 'StopTransaction' },
        { connector_id: 2, context: 'Transaction.End', measurand: 'Energy.Active.Import.Register', unit: 'Wh', value: '3000', source: 'StopTransaction' },
      ],
    );
  });

  test('a StartTransaction naming a reservationId is accepted and linked to that reservation', async () => {
    const t = tag('RES');
    insertIdTag(app.db, { tagId: t });
    const now = iso();
    const resId = Number(
      app.db
        .prepare(`INSERT INTO reservations(charge_point_id, connector_id, id_tag, expiry_date, status, created_at, updated_at) VALUES (?, 1, ?, ?, 'Reserved', ?, ?)`)
        .run(cpId, t, iso(Date.now() + HOUR), now, now).lastInsertRowid,
    );
    const s = await start(cp, t, { connectorId: 1, reservationId: resId });
    assert.equal(s.idTagInfo.status, 'Accepted');
    assert.equal(row(app, 'SELECT reservation_id FROM transactions WHERE id = ?', s.transactionId)?.reservation_id, resId);
    const r = row(app, 'SELECT status, transaction_id FROM reservations WHERE id = ?', resId)!;
    assert.deepEqual({ ...r }, { status: 'Used', transaction_id: s.transactionId });
    await cp.call('StopTransaction', { transactionId: s.transactionId, meterStop: 1000, timestamp: iso() });
  });

  test('a StartTransaction naming an unknown reservationId is still accepted (the id is kept on the session)', async () => {
    const t = tag('RES');
    insertIdTag(app.db, { tagId: t });
    const s = await start(cp, t, { connectorId: 3, reservationId: 424242 });
    assert.equal(s.idTagInfo.status, 'Accepted');
    assert.equal(row(app, 'SELECT reservation_id FROM transactions WHERE id = ?', s.transactionId)?.reservation_id, 424242);
    await cp.call('StopTransaction', { transactionId: s.transactionId, meterStop: 1000, timestamp: iso() });
  });

  test('queued Start/MeterValues/Stop that arrive hours late are processed normally with their own timestamps', async () => {
    const t = tag('LATE');
    insertIdTag(app.db, { tagId: t });
    const t0 = Date.now() - 5 * HOUR;
    const s = await cp.call('StartTransaction', { connectorId: 4, idTag: t, meterStart: 200, timestamp: iso(t0) });
    await cp.call('MeterValues', { connectorId: 4, transactionId: s.transactionId, meterValue: [{ timestamp: iso(t0 + HOUR), sampledValue: [{ value: '1200' }] }] });
    await cp.call('StopTransaction', { transactionId: s.transactionId, meterStop: 2200, timestamp: iso(t0 + 2 * HOUR) });
    const r = row(app, 'SELECT start_time, stop_time, energy_wh, status FROM transactions WHERE id = ?', s.transactionId)!;
    assert.deepEqual({ ...r }, { start_time: iso(t0), stop_time: iso(t0 + 2 * HOUR), energy_wh: 2000, status: 'Completed' });
  });

  // That each commit reached the disk before its answer is proven from system calls in durability-order.test.ts.
  test('durability: Start, MeterValues and Stop are visible to another SQLite connection once their CALLRESULT has arrived (committed, not queued)', async () => {
    const other = new Database(dbPath(app.config), { readonly: true });
    try {
      const t = tag('DUR');
      insertIdTag(app.db, { tagId: t });
      const s = await start(cp, t, { connectorId: 5 });
      assert.equal((other.prepare('SELECT status FROM transactions WHERE id = ?').get(s.transactionId) as { status: string }).status, 'Active');
      await cp.call('MeterValues', { connectorId: 5, transactionId: s.transactionId, meterValue: [{ timestamp: iso(), sampledValue: [{ value: '1500' }] }] });
      assert.equal((other.prepare('SELECT count(*) AS n FROM meter_values WHERE transaction_id = ?').get(s.transactionId) as { n: number }).n, 1);
      await cp.call('StopTransaction', { transactionId: s.transactionId, meterStop: 2000, timestamp: iso() });
      assert.equal((other.prepare('SELECT energy_wh FROM transactions WHERE id = ?').get(s.transactionId) as { energy_wh: number }).energy_wh, 1000);
    } finally {
      other.close();
    }
  });
});

describe('transaction ids across a restart', () => {
  test('after a restart (same store) a stop for a session started before it completes that session, and new ids never reuse old ones', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ocpp-edge-restart-'));
    try {
      const id = cpid('RST');
      let app = await startTestApp({ dataDir });
      let cp = await connectBooted(app, id);
      const before = await cp.call('StartTransaction', { connectorId: 1, idTag: 'ANY', meterStart: 0, timestamp: iso() });
      await cp.close();
      await app.dispose();

      app = await startTestApp({ dataDir });
      try {
        cp = await connectBooted(app, id);
        assert.deepEqual(await cp.call('StopTransaction', { transactionId: before.transactionId, meterStop: 800, timestamp: iso() }), {});
        assert.equal(row(app, 'SELECT energy_wh FROM transactions WHERE id = ?', before.transactionId)?.energy_wh, 800);
        assert.equal(row(app, 'SELECT count(*) AS n FROM orphan_stops')?.n, 0);
        const after = await cp.call('StartTransaction', { connectorId: 1, idTag: 'ANY', meterStart: 800, timestamp: iso() });
        assert.ok(after.transactionId > before.transactionId);
        await cp.close();
      } finally {
        await app.dispose();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a stop for a transactionId this store never issued (from before a store reset / another central system) is acknowledged and kept in orphan_stops', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ocpp-edge-restart-'));
    try {
      const id = cpid('RST');
      // The charger got transaction ids from a previous installation...
      let app = await startTestApp();
      let cp = await connectBooted(app, id);
      const old = [];
      for (let i = 0; i < 3; i++) old.push((await cp.call('StartTransaction', { connectorId: 1, idTag: 'ANY', meterStart: i, timestamp: iso(Date.now() - i) })).transactionId);
      await cp.close();
      await app.dispose();
      // ...and reconnects to a fresh store with its queued stop.
      app = await startTestApp({ dataDir });
      try {
        cp = await connectBooted(app, id);
        const stop = { transactionId: old[2], meterStop: 5000, timestamp: iso(), reason: 'PowerLoss' };
        assert.deepEqual(await cp.call('StopTransaction', stop), {});
        const o = row(app, 'SELECT transaction_id, meter_stop, reason FROM orphan_stops WHERE charge_point_id = ?', id)!;
        assert.deepEqual({ ...o }, { transaction_id: old[2], meter_stop: 5000, reason: 'PowerLoss' });
        await cp.close();
      } finally {
        await app.dispose();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
