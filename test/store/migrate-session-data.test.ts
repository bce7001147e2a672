import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { migrate } from '../../main/store/migrate.js';
import { migrations } from '../../main/store/migrations/index.js';
import { insertMeterSamples, type MeterSample } from '../../main/store/queries/meter-values.js';

/** The schema version before the issue 8 data fixes (migrations 006 and 007). */
const OLD_VERSION = 5;

function oldDatabase(): Database.Database {
  const db = new Database(':memory:');
  migrate(db, migrations.slice(0, OLD_VERSION));
  const at = '2026-11-30T00:00:00.000Z';
  db.prepare(`INSERT INTO chargers(charge_point_id, created_at, updated_at) VALUES ('CP', ?, ?)`).run(at, at);
  const tx = db.prepare(
    `INSERT INTO transactions(id, charge_point_id, connector_id, id_tag, start_auth_status, meter_start, start_time, last_meter_at, meter_stop, stop_time, stop_reason, status, stop_inferred, started_received_at)
     VALUES (?, 'CP', ?, 'TAG', 'Accepted', 0, ?, ?, ?, ?, ?, ?, ?, '${at}')`,
  );
  tx.run(1, 1, '2026-12-01T09:28:47.442+02:00', '2026-12-01T09:59:00+02:00', 100, '2026-12-01T10:00:00+02:00', null, 'Completed', 0);
  tx.run(2, 2, '2026-12-01T07:00:00Z', null, 50, '2026-12-01T08:00:00Z', null, 'Completed', 1);
  tx.run(3, 3, '2026-12-01T07:00:00.000Z', null, null, null, null, 'Active', 0);
  // The same start stored twice under two spellings of one instant: both rows must survive.
  tx.run(4, 4, '2026-12-01T07:00:00.000Z', null, null, null, 'EVDisconnected', 'Active', 0);
  tx.run(5, 4, '2026-12-01T09:00:00+02:00', null, null, null, 'EVDisconnected', 'Active', 0);
  const mv = db.prepare(
    `INSERT INTO meter_values(charge_point_id, connector_id, transaction_id, timestamp, value, value_num, context, format, measurand, phase, location, unit)
     VALUES ('CP', 1, 1, ?, ?, NULL, 'Sample.Periodic', 'Raw', 'Energy.Active.Import.Register', NULL, 'Outlet', 'Wh')`,
  );
  mv.run('2026-12-01T09:30:00+02:00', '10');
  mv.run('2026-12-01T07:45:00Z', '20');
  mv.run('not a time', '30');
  db.prepare(`INSERT INTO orphan_stops(charge_point_id, transaction_id, meter_stop, stop_time, reason, payload, received_at) VALUES ('CP', 99, 1, '2026-12-01T09:00:00+02:00', NULL, '{}', ?)`).run(at);
  db.prepare(`INSERT INTO connectors(charge_point_id, connector_id, status, error_code, status_at, updated_at) VALUES ('CP', 1, 'Available', 'NoError', '2026-12-01T01:00:00-05:00', ?)`).run(at);
  db.prepare(`INSERT INTO status_history(charge_point_id, connector_id, status, error_code, status_at, received_at) VALUES ('CP', 1, 'Available', 'NoError', '2026-12-01T01:00:00-05:00', ?)`).run(at);
  db.prepare(`INSERT INTO id_tags(tag_id, valid_until, created_at, updated_at) VALUES ('TAG', '2027-01-01T00:00:00+01:00', ?, ?)`).run(at, at);
  db.prepare(`INSERT INTO reservations(charge_point_id, connector_id, id_tag, expiry_date, created_at, updated_at) VALUES ('CP', 1, 'TAG', '2026-12-01T12:00:00+01:00', ?, ?)`).run(at, at);
  return db;
}

const all = (db: Database.Database, sql: string) => db.prepare(sql).all() as Array<Record<string, unknown>>;

test('issue 8: migrating a database of the old schema with rows in it keeps every row, stores its instants as UTC and an omitted real stop reason as Local', () => {
  const db = oldDatabase();
  try {
    assert.equal(migrate(db), migrations.length);
    assert.deepEqual(all(db, 'SELECT id, start_time, last_meter_at, stop_time, stop_reason FROM transactions ORDER BY id'), [
      { id: 1, start_time: '2026-12-01T07:28:47.442Z', last_meter_at: '2026-12-01T07:59:00.000Z', stop_time: '2026-12-01T08:00:00.000Z', stop_reason: 'Local' },
      // Inferred stops and open sessions keep their reason.
      { id: 2, start_time: '2026-12-01T07:00:00.000Z', last_meter_at: null, stop_time: '2026-12-01T08:00:00.000Z', stop_reason: null },
      { id: 3, start_time: '2026-12-01T07:00:00.000Z', last_meter_at: null, stop_time: null, stop_reason: null },
      { id: 4, start_time: '2026-12-01T07:00:00.000Z', last_meter_at: null, stop_time: null, stop_reason: 'EVDisconnected' },
      { id: 5, start_time: '2026-12-01T09:00:00+02:00', last_meter_at: null, stop_time: null, stop_reason: 'EVDisconnected' },
    ]);
    assert.deepEqual(all(db, 'SELECT timestamp, value FROM meter_values ORDER BY timestamp'), [
      { timestamp: '2026-12-01T07:30:00.000Z', value: '10' },
      { timestamp: '2026-12-01T07:45:00.000Z', value: '20' },
      { timestamp: 'not a time', value: '30' },
    ]);
    assert.deepEqual(all(db, 'SELECT stop_time, reason FROM orphan_stops'), [{ stop_time: '2026-12-01T07:00:00.000Z', reason: 'Local' }]);
    assert.deepEqual(all(db, 'SELECT status_at FROM connectors UNION ALL SELECT status_at FROM status_history'), [
      { status_at: '2026-12-01T06:00:00.000Z' },
      { status_at: '2026-12-01T06:00:00.000Z' },
    ]);
    assert.deepEqual(all(db, 'SELECT valid_until FROM id_tags'), [{ valid_until: '2026-12-31T23:00:00.000Z' }]);
    assert.deepEqual(all(db, 'SELECT expiry_date FROM reservations'), [{ expiry_date: '2026-12-01T11:00:00.000Z' }]);
  } finally {
    db.close();
  }
});

test('issue 8: after the migration a sample is identified by all it states: Raw, SignedData and kWh beside Wh at one instant are three rows, and a retry adds none', () => {
  const db = oldDatabase();
  try {
    migrate(db);
    const base: MeterSample = {
      chargePointId: 'CP',
      connectorId: 1,
      transactionId: 3,
      timestamp: '2026-12-01T07:10:00.000Z',
      value: '1000',
      valueNum: 1000,
      context: 'Transaction.Begin',
      format: 'Raw',
      measurand: 'Energy.Active.Import.Register',
      phase: null,
      location: 'Outlet',
      unit: 'Wh',
      source: 'MeterValues',
    };
    const samples: MeterSample[] = [base, { ...base, format: 'SignedData', value: 'OCMF|{...}|{...}', valueNum: null }, { ...base, unit: 'kWh', value: '1', valueNum: 1 }];
    assert.equal(insertMeterSamples(db, samples), 3);
    assert.equal(insertMeterSamples(db, samples), 0);
  } finally {
    db.close();
  }
});
