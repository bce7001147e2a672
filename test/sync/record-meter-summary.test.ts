/**
 * Issue 10: a session's upload record carries a summary of its meter values (count, first and
 * last instant, measurands, signed or not, peak power in W), and the samples themselves when
 * `includeMeterSamples` is set. The summary is aggregated in SQL inside the stop's commit.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openDb } from '../../main/store/db.js';
import { ensureCharger } from '../../main/store/queries/chargers.js';
import { insertMeterSamples, type MeterSample } from '../../main/store/queries/meter-values.js';
import { configureOutbox } from '../../main/store/queries/outbox.js';
import { completeTransaction, insertTransaction } from '../../main/store/queries/transactions.js';

const root = mkdtempSync(join(tmpdir(), 'ocpp-edge-record-summary-'));
after(() => rmSync(root, { recursive: true, force: true }));

let databases = 0;
const T1 = '2026-12-01T08:00:00.000Z';
const T2 = '2026-12-01T08:15:00.000Z';

function session(includeMeterSamples: boolean, samples: (tx: number) => MeterSample[]): Record<string, unknown> {
  // A fresh database per session, so each record is the only one.
  const db = openDb(join(root, `summary-${++databases}.db`));
  try {
    configureOutbox(db, { includeMeterSamples });
    ensureCharger(db, 'SUM-1', 'Accepted');
    const tx = insertTransaction(db, { chargePointId: 'SUM-1', connectorId: 1, idTag: 'TAG', authStatus: 'Accepted', meterStart: 0, startTime: T1, reservationId: null, receivedAt: T1 });
    insertMeterSamples(db, samples(tx));
    assert.ok(completeTransaction(db, tx, { meterStop: 5000, stopTime: T2, reason: 'Local', idTag: null, receivedAt: T2 }));
    const row = db.prepare("SELECT payload FROM sync_outbox WHERE kind = 'session'").get() as { payload: string };
    return JSON.parse(row.payload) as Record<string, unknown>;
  } finally {
    db.close();
  }
}

const sample = (tx: number, timestamp: string, measurand: string, value: number, unit: string, extra: Partial<MeterSample> = {}): MeterSample => ({
  chargePointId: 'SUM-1',
  connectorId: 1,
  transactionId: tx,
  timestamp,
  value: String(value),
  valueNum: value,
  context: 'Sample.Periodic',
  format: 'Raw',
  measurand,
  phase: null,
  location: 'Outlet',
  unit,
  source: 'MeterValues',
  ...extra,
});

// The later instant is stored first: first/last are by time, not by arrival.
const mixed = (tx: number) => [
  sample(tx, T2, 'Power.Active.Import', 9000, 'W'),
  sample(tx, T2, 'Energy.Active.Import.Register', 5000, 'Wh', { format: 'SignedData', value: 'AP;0;3;ALCVHJ==', valueNum: null }),
  sample(tx, T1, 'Energy.Active.Import.Register', 1000, 'Wh'),
  sample(tx, T1, 'Power.Active.Import', 11, 'kW'),
  // A phase's power is not the charger's power.
  sample(tx, T1, 'Power.Active.Import', 20000, 'W', { phase: 'L1' }),
];

test('issue 10: a session record summarises its meter values: count, first and last instant, measurands, signed, peak power in W (kW converted, phases left out)', () => {
  const r = session(false, mixed);
  assert.deepEqual(r.meter_values_summary, {
    samples: 5,
    first_timestamp: T1,
    last_timestamp: T2,
    measurands: ['Energy.Active.Import.Register', 'Power.Active.Import'],
    signed: true,
    max_power_w: 11000,
  });
  assert.equal(r.meter_values, undefined, 'samples only when includeMeterSamples is set');
});

test('issue 10: a session without meter values has an empty summary', () => {
  const r = session(false, () => []);
  assert.deepEqual(r.meter_values_summary, { samples: 0, first_timestamp: null, last_timestamp: null, measurands: [], signed: false, max_power_w: null });
});

test('issue 10: with includeMeterSamples the record carries every sample in time order, as stored', () => {
  const r = session(true, mixed);
  const samples = r.meter_values as Array<Record<string, unknown>>;
  assert.equal(samples.length, 5);
  assert.deepEqual(
    samples.map((s) => [s.timestamp, s.measurand, s.value, s.unit, s.phase, s.format]),
    [
      [T1, 'Energy.Active.Import.Register', '1000', 'Wh', null, 'Raw'],
      [T1, 'Power.Active.Import', '11', 'kW', null, 'Raw'],
      [T1, 'Power.Active.Import', '20000', 'W', 'L1', 'Raw'],
      [T2, 'Power.Active.Import', '9000', 'W', null, 'Raw'],
      [T2, 'Energy.Active.Import.Register', 'AP;0;3;ALCVHJ==', 'Wh', null, 'SignedData'],
    ],
  );
  assert.deepEqual(Object.keys(samples[0]!).sort(), ['context', 'format', 'location', 'measurand', 'phase', 'timestamp', 'unit', 'value']);
});
