import type { Db } from '../db.js';

export function m001Init(db: Db): void {
  db.exec(`
    CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );

    -- Seeds 000/004: the charger registry, plus what BootNotification reports.
    CREATE TABLE chargers (
      charge_point_id TEXT PRIMARY KEY,
      serial_number TEXT,
      catalog_number TEXT,
      vendor TEXT,
      model TEXT,
      firmware_version TEXT,
      charge_box_serial_number TEXT,
      iccid TEXT,
      imsi TEXT,
      meter_type TEXT,
      meter_serial_number TEXT,
      rated_volts REAL,
      rated_amps REAL,
      maximum_amps REAL,
      ip_address TEXT,
      target_group TEXT,
      description TEXT,
      registration_status TEXT NOT NULL DEFAULT 'Accepted' CHECK (registration_status IN ('Accepted','Pending','Rejected')),
      auto_registered INTEGER NOT NULL DEFAULT 0,
      lenient INTEGER NOT NULL DEFAULT 0,
      password_hash TEXT,
      is_connected INTEGER NOT NULL DEFAULT 0,
      last_seen TEXT,
      remote_address TEXT,
      remote_port INTEGER,
      boot_status TEXT,
      last_boot_at TEXT,
      last_heartbeat_at TEXT,
      firmware_status TEXT,
      firmware_status_at TEXT,
      diagnostics_status TEXT,
      diagnostics_status_at TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );

    CREATE TABLE connectors (
      charge_point_id TEXT NOT NULL REFERENCES chargers(charge_point_id) ON DELETE CASCADE,
      connector_id INTEGER NOT NULL,
      status TEXT NOT NULL,
      error_code TEXT NOT NULL,
      info TEXT,
      vendor_id TEXT,
      vendor_error_code TEXT,
      status_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (charge_point_id, connector_id)
    );

    CREATE TABLE status_history (
      id INTEGER PRIMARY KEY,
      charge_point_id TEXT NOT NULL,
      connector_id INTEGER NOT NULL,
      status TEXT NOT NULL,
      error_code TEXT NOT NULL,
      info TEXT,
      vendor_id TEXT,
      vendor_error_code TEXT,
      status_at TEXT NOT NULL,
      received_at TEXT NOT NULL
    );
    CREATE INDEX status_history_cp ON status_history(charge_point_id, id);

    -- Seed 001's RfidCard, plus the OCPP parent id tag.
    CREATE TABLE id_tags (
      tag_id TEXT PRIMARY KEY,
      status TEXT NOT NULL DEFAULT 'Active' CHECK (status IN ('Active','Blocked')),
      valid_until TEXT,
      parent_id_tag TEXT,
      description TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );

    CREATE TABLE reservations (
      id INTEGER PRIMARY KEY,
      charge_point_id TEXT NOT NULL,
      connector_id INTEGER NOT NULL,
      id_tag TEXT NOT NULL,
      parent_id_tag TEXT,
      expiry_date TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'Reserved',
      transaction_id INTEGER,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );

    -- AUTOINCREMENT: a transactionId is never reused, even after the newest row is deleted.
    CREATE TABLE transactions (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      charge_point_id TEXT NOT NULL,
      connector_id INTEGER NOT NULL,
      id_tag TEXT NOT NULL,
      start_auth_status TEXT NOT NULL,
      meter_start INTEGER NOT NULL,
      start_time TEXT NOT NULL,
      reservation_id INTEGER,
      last_meter_wh REAL,
      last_meter_at TEXT,
      meter_stop INTEGER,
      stop_time TEXT,
      stop_reason TEXT,
      stop_id_tag TEXT,
      energy_wh REAL,
      status TEXT NOT NULL DEFAULT 'Active' CHECK (status IN ('Active','Completed')),
      started_received_at TEXT NOT NULL,
      stopped_received_at TEXT,
      synced_at TEXT
    );
    -- A retried StartTransaction (its answer lost in a crash) must find its first row.
    CREATE UNIQUE INDEX transactions_start_identity ON transactions(charge_point_id, connector_id, start_time, meter_start, id_tag);
    CREATE INDEX transactions_cp ON transactions(charge_point_id, id);
    CREATE INDEX transactions_active ON transactions(charge_point_id, status) WHERE status = 'Active';
    CREATE INDEX transactions_tag ON transactions(id_tag);
    CREATE INDEX transactions_start ON transactions(start_time);

    CREATE TABLE meter_values (
      id INTEGER PRIMARY KEY,
      charge_point_id TEXT NOT NULL,
      connector_id INTEGER NOT NULL,
      transaction_id INTEGER,
      timestamp TEXT NOT NULL,
      value TEXT NOT NULL,
      value_num REAL,
      context TEXT NOT NULL,
      format TEXT NOT NULL,
      measurand TEXT NOT NULL,
      phase TEXT,
      location TEXT NOT NULL,
      unit TEXT NOT NULL,
      source TEXT NOT NULL DEFAULT 'MeterValues'
    );
    -- A retried MeterValues (its answer lost in a crash) stores nothing twice.
    CREATE UNIQUE INDEX meter_values_identity ON meter_values(
      charge_point_id, connector_id, ifnull(transaction_id, -1), timestamp, measurand, ifnull(phase, ''), location, context);
    CREATE INDEX meter_values_tx ON meter_values(transaction_id) WHERE transaction_id IS NOT NULL;

    -- StopTransactions naming a transaction we never started (-1, lost, pre-restart): kept for review.
    CREATE TABLE orphan_stops (
      id INTEGER PRIMARY KEY,
      charge_point_id TEXT NOT NULL,
      transaction_id INTEGER NOT NULL,
      id_tag TEXT,
      meter_stop INTEGER NOT NULL,
      stop_time TEXT NOT NULL,
      reason TEXT,
      payload TEXT NOT NULL,
      received_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX orphan_stops_identity ON orphan_stops(charge_point_id, transaction_id, stop_time, meter_stop);

    CREATE TABLE message_log (
      id INTEGER PRIMARY KEY,
      charge_point_id TEXT NOT NULL,
      direction TEXT NOT NULL CHECK (direction IN ('in','out')),
      frame TEXT NOT NULL,
      at TEXT NOT NULL
    );
    CREATE INDEX message_log_cp ON message_log(charge_point_id, id);

    -- Lenient mode: what a charger's firmware got wrong, so it can be reported to the vendor.
    CREATE TABLE schema_deviations (
      id INTEGER PRIMARY KEY,
      charge_point_id TEXT NOT NULL,
      action TEXT NOT NULL,
      direction TEXT NOT NULL,
      error TEXT NOT NULL,
      payload TEXT NOT NULL,
      at TEXT NOT NULL
    );
    CREATE INDEX schema_deviations_cp ON schema_deviations(charge_point_id, id);

    CREATE TABLE data_transfers (
      id INTEGER PRIMARY KEY,
      charge_point_id TEXT NOT NULL,
      vendor_id TEXT NOT NULL,
      message_id TEXT,
      data TEXT,
      status TEXT NOT NULL,
      at TEXT NOT NULL
    );
  `);
}
