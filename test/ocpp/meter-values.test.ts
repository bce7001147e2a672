import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectBooted, cpid, iso, row, rows, startTestApp, type TestApp, type TestCharger } from './support.js';

const COLS = 'connector_id, transaction_id, value, value_num, context, format, measurand, phase, location, unit, source';

describe('MeterValues', () => {
  let app: TestApp;
  let cp: TestCharger;
  let cpId: string;
  before(async () => {
    app = await startTestApp();
    cpId = cpid('MV');
    cp = await connectBooted(app, cpId);
  });
  after(async () => {
    await cp.close();
    await app.dispose();
  });

  const startTx = async (connectorId: number, meterStart: number) => (await cp.call('StartTransaction', { connectorId, idTag: 'METER', meterStart, timestamp: iso() })).transactionId as number;
  const session = async (transactionId: number) => {
    const { items } = (await (await app.api(`/api/sessions/station/${encodeURIComponent(cpId)}?limit=500`)).json()) as {
      items: Array<{ transactionId: number; energyWh: number | null; status: string }>;
    };
    return items.find((s) => s.transactionId === transactionId)!;
  };

  test('OCPP 1.6 defaults: a bare sampled value is stored as Energy.Active.Import.Register, Wh, Sample.Periodic, Outlet, Raw, no phase', async () => {
    const tx = await startTx(1, 0);
    await cp.call('MeterValues', { connectorId: 1, transactionId: tx, meterValue: [{ timestamp: iso(), sampledValue: [{ value: '1234' }] }] });
    const [r] = rows(app, `SELECT ${COLS} FROM meter_values WHERE transaction_id = ?`, tx);
    assert.deepEqual(
      { ...r },
      {
        connector_id: 1,
        transaction_id: tx,
        value: '1234',
        value_num: 1234,
        context: 'Sample.Periodic',
        format: 'Raw',
        measurand: 'Energy.Active.Import.Register',
        phase: null,
        location: 'Outlet',
        unit: 'Wh',
        source: 'MeterValues',
      },
    );
    await cp.call('StopTransaction', { transactionId: tx, meterStop: 2000, timestamp: iso() });
  });

  test('every sampled value is stored with its own measurand, phase, unit, context, location and format', async () => {
    const tx = await startTx(2, 0);
    const ts = iso();
    const sampled = [
      { value: '12.345', measurand: 'Energy.Active.Import.Register', unit: 'kWh', context: 'Sample.Clock', location: 'Outlet' },
      { value: '230.1', measurand: 'Voltage', phase: 'L1-N', unit: 'V', context: 'Sample.Periodic', location: 'Inlet' },
      { value: '229.8', measurand: 'Voltage', phase: 'L2-N', unit: 'V', context: 'Sample.Periodic', location: 'Inlet' },
      { value: '16.0', measurand: 'Current.Import', phase: 'L1', unit: 'A' },
      { value: '15.9', measurand: 'Current.Import', phase: 'L2', unit: 'A' },
      { value: '16.1', measurand: 'Current.Import', phase: 'L3', unit: 'A' },
      { value: '11.04', measurand: 'Power.Active.Import', unit: 'kW' },
      { value: '64', measurand: 'SoC', unit: 'Percent', location: 'EV' },
      { value: '41.5', measurand: 'Temperature', unit: 'Celsius', location: 'Body' },
      { value: '32', measurand: 'Current.Offered', unit: 'A', context: 'Trigger' },
      { value: 'MEUCIQDx0123456789abcdef', format: 'SignedData', measurand: 'Energy.Active.Import.Register', context: 'Sample.Periodic', location: 'Cable' },
    ];
    await cp.call('MeterValues', { connectorId: 2, transactionId: tx, meterValue: [{ timestamp: ts, sampledValue: sampled }] });
    const stored = rows(app, `SELECT ${COLS} FROM meter_values WHERE transaction_id = ? ORDER BY id`, tx);
    assert.equal(stored.length, sampled.length, 'every sampled value has a row');
    for (const [i, sv] of sampled.entries()) {
      const r = stored[i]!;
      assert.equal(r.value, sv.value);
      assert.equal(r.measurand, sv.measurand);
      assert.equal(r.phase, sv.phase ?? null);
      assert.equal(r.unit, sv.unit ?? 'Wh');
      assert.equal(r.context, sv.context ?? 'Sample.Periodic');
      assert.equal(r.location, sv.location ?? 'Outlet');
      assert.equal(r.format, sv.format ?? 'Raw');
    }
    assert.equal(stored[10]!.value_num, null, 'SignedData is kept as text, not a number');
    assert.equal(stored[0]!.value_num, 12.345);
    await cp.call('StopTransaction', { transactionId: tx, meterStop: 20000, timestamp: iso() });
  });

  test('several meterValue entries in one message keep their own timestamps', async () => {
    const tx = await startTx(3, 100);
    const t0 = Date.now() - 120_000;
    await cp.call('MeterValues', {
      connectorId: 3,
      transactionId: tx,
      meterValue: [0, 1, 2].map((i) => ({ timestamp: iso(t0 + i * 60_000), sampledValue: [{ value: String(100 + i * 50) }] })),
    });
    const stored = rows(app, 'SELECT timestamp, value FROM meter_values WHERE transaction_id = ? ORDER BY timestamp', tx);
    assert.deepEqual(
      stored.map((r) => [r.timestamp, r.value]),
      [0, 1, 2].map((i) => [iso(t0 + i * 60_000), String(100 + i * 50)]),
    );
    await cp.call('StopTransaction', { transactionId: tx, meterStop: 400, timestamp: iso() });
  });

  test('energy summary per transaction: the running energy of an active session follows the newest register reading', async () => {
    const tx = await startTx(4, 10_000);
    const t0 = Date.now() - 60_000;
    const energies: number[] = [];
    const off = app.events.on('meter.values', (e) => e.transactionId === tx && e.energyWh !== undefined && energies.push(e.energyWh));
    await cp.call('MeterValues', { connectorId: 4, transactionId: tx, meterValue: [{ timestamp: iso(t0), sampledValue: [{ value: '12500' }] }] });
    assert.equal((await session(tx)).energyWh, 2500);
    await cp.call('MeterValues', { connectorId: 4, transactionId: tx, meterValue: [{ timestamp: iso(t0 + 30_000), sampledValue: [{ value: '14000' }] }] });
    assert.equal((await session(tx)).energyWh, 4000);
    // An older reading that arrives late does not move the running total back.
    await cp.call('MeterValues', { connectorId: 4, transactionId: tx, meterValue: [{ timestamp: iso(t0 - 10_000), sampledValue: [{ value: '11000' }] }] });
    assert.equal((await session(tx)).energyWh, 4000);
    off();
    assert.deepEqual(energies.slice(0, 2), [2500, 4000]);
    await cp.call('StopTransaction', { transactionId: tx, meterStop: 15_000, timestamp: iso() });
    const done = await session(tx);
    assert.equal(done.status, 'Completed');
    assert.equal(done.energyWh, 5000, 'a stopped session is measured by meterStop - meterStart');
  });

  test('kWh register readings are converted to Wh for the session energy', async () => {
    const tx = await startTx(5, 1_000_000);
    await cp.call('MeterValues', {
      connectorId: 5,
      transactionId: tx,
      meterValue: [{ timestamp: iso(), sampledValue: [{ value: '1012.345', unit: 'kWh', measurand: 'Energy.Active.Import.Register' }] }],
    });
    assert.equal(row(app, 'SELECT last_meter_wh FROM transactions WHERE id = ?', tx)?.last_meter_wh, 1_012_345);
    assert.equal((await session(tx)).energyWh, 12_345);
    await cp.call('StopTransaction', { transactionId: tx, meterStop: 1_020_000, timestamp: iso() });
  });

  test('per-phase energy readings and other measurands do not count as the session total', async () => {
    const tx = await startTx(6, 0);
    await cp.call('MeterValues', {
      connectorId: 6,
      transactionId: tx,
      meterValue: [
        {
          timestamp: iso(),
          sampledValue: [
            { value: '700', measurand: 'Energy.Active.Import.Register', phase: 'L1' },
            { value: '7000', measurand: 'Power.Active.Import', unit: 'W' },
            { value: '900', measurand: 'Energy.Active.Import.Register' },
          ],
        },
      ],
    });
    assert.equal((await session(tx)).energyWh, 900);
    await cp.call('StopTransaction', { transactionId: tx, meterStop: 1000, timestamp: iso() });
  });

  test('a retried MeterValues message stores nothing twice (also when both copies arrive together)', async () => {
    const tx = await startTx(7, 0);
    const msg = {
      connectorId: 7,
      transactionId: tx,
      meterValue: [{ timestamp: iso(), sampledValue: [{ value: '10' }, { value: '3.2', measurand: 'Current.Import', unit: 'A', phase: 'L1' }] }],
    };
    await cp.call('MeterValues', msg);
    await cp.call('MeterValues', msg);
    await Promise.all([cp.call('MeterValues', msg), cp.call('MeterValues', msg)]);
    assert.equal(row(app, 'SELECT count(*) AS n FROM meter_values WHERE transaction_id = ?', tx)?.n, 2);
    await cp.call('StopTransaction', { transactionId: tx, meterStop: 10, timestamp: iso() });
  });

  test('MeterValues without a transaction (clock-aligned, connector 0) are stored with no transaction', async () => {
    const ts = iso();
    await cp.call('MeterValues', {
      connectorId: 0,
      meterValue: [
        {
          timestamp: ts,
          sampledValue: [
            { value: '99887766', context: 'Sample.Clock' },
            { value: '400.2', measurand: 'Voltage', phase: 'L1-L2', unit: 'V', context: 'Sample.Clock' },
          ],
        },
      ],
    });
    const stored = rows(app, `SELECT ${COLS} FROM meter_values WHERE timestamp = ? AND connector_id = 0 ORDER BY id`, ts);
    assert.equal(stored.length, 2);
    assert.equal(stored[0]!.transaction_id, null);
    assert.equal(stored[1]!.phase, 'L1-L2');
  });

  test('meter values that arrive after the session stopped are stored but do not change its energy', async () => {
    const tx = await startTx(8, 0);
    await cp.call('StopTransaction', { transactionId: tx, meterStop: 3000, timestamp: iso() });
    await cp.call('MeterValues', { connectorId: 8, transactionId: tx, meterValue: [{ timestamp: iso(), sampledValue: [{ value: '5000' }] }] });
    assert.equal(row(app, 'SELECT count(*) AS n FROM meter_values WHERE transaction_id = ?', tx)?.n, 1);
    assert.equal((await session(tx)).energyWh, 3000);
  });

  test("MeterValues naming another charger's transaction (a stale id from before a store reset) do not touch that session", async () => {
    const tx = await startTx(9, 0);
    await cp.call('MeterValues', { connectorId: 9, transactionId: tx, meterValue: [{ timestamp: iso(), sampledValue: [{ value: '500' }] }] });
    const stranger = await connectBooted(app, cpid('MV-OTHER'));
    try {
      await stranger.call('MeterValues', { connectorId: 1, transactionId: tx, meterValue: [{ timestamp: iso(Date.now() + 1000), sampledValue: [{ value: '987654' }] }] });
      assert.equal((await session(tx)).energyWh, 500, "the other charger's reading is not this session's energy");
      const { items } = (await (await app.api(`/api/sessions/${tx}/meter-values`)).json().then((j: any) => ({ items: Array.isArray(j) ? j : j.items }))) as {
        items: Array<{ chargePointId: string; value: string }>;
      };
      assert.deepEqual(
        items.map((s) => [s.chargePointId, s.value]),
        [[cpId, '500']],
        "the session's samples are its own charger's only",
      );
      assert.equal(row(app, 'SELECT count(*) AS n FROM meter_values WHERE value = ?', '987654')?.n, 1, 'the stray reading is still kept');
    } finally {
      await stranger.close();
    }
    await cp.call('StopTransaction', { transactionId: tx, meterStop: 600, timestamp: iso() });
  });
});
