import type { Db } from '../db.js';

/**
 * OCPP 2.0.1 stations beside 1.6 chargers (issue 14):
 * - chargers.ocpp_version: what the charger negotiated on its last connection.
 * - transactions.charger_transaction_id: a 2.0.1 station chooses its transaction ids (strings);
 *   the row id stays the session's id in the API for both versions. The 1.6 start identity
 *   index covers only 1.6 rows (a 2.0.1 session is found by its station's id instead, and its
 *   start fields move while late events come in). seq_gaps: the seqNos still missing before its
 *   Ended event (JSON array), NULL once every event is in.
 * - transaction_events: every TransactionEvent applied, once, keyed by its seqNo.
 * - evse_connectors: the connectors of each EVSE with their own 2.0.1 status (the connectors
 *   table holds one row per EVSE, the unit that runs a session, as a 1.6 connector does).
 * - device_model: the variables a station reports (NotifyReport after GetBaseReport).
 * - charger_events: NotifyEvent and SecurityEventNotification entries.
 */
export function m013Ocpp201(db: Db): void {
  db.exec(`
    ALTER TABLE chargers ADD COLUMN ocpp_version TEXT;
    ALTER TABLE transactions ADD COLUMN charger_transaction_id TEXT;
    ALTER TABLE transactions ADD COLUMN seq_gaps TEXT;
    DROP INDEX transactions_start_identity;
    CREATE UNIQUE INDEX transactions_start_identity ON transactions(charge_point_id, connector_id, start_time, meter_start, id_tag) WHERE charger_transaction_id IS NULL;
    CREATE UNIQUE INDEX transactions_charger_id ON transactions(charge_point_id, charger_transaction_id) WHERE charger_transaction_id IS NOT NULL;

    CREATE TABLE transaction_events (
      charge_point_id TEXT NOT NULL,
      charger_transaction_id TEXT NOT NULL,
      seq_no INTEGER NOT NULL,
      event_type TEXT NOT NULL CHECK (event_type IN ('Started', 'Updated', 'Ended')),
      trigger_reason TEXT NOT NULL,
      timestamp TEXT NOT NULL,
      offline INTEGER NOT NULL,
      id_token TEXT,
      evse_id INTEGER,
      stopped_reason TEXT,
      energy_wh REAL,
      payload TEXT NOT NULL,
      received_at TEXT NOT NULL,
      PRIMARY KEY (charge_point_id, charger_transaction_id, seq_no)
    );
    -- A station counting seqNo across its transactions: its gaps are checked against all of them.
    CREATE INDEX transaction_events_seq ON transaction_events(charge_point_id, seq_no);
    -- A session is recomputed from its Started/Ended events, first and last register readings,
    -- first token and EVSE: each found by an index seek, however many events it has.
    CREATE INDEX transaction_events_type ON transaction_events(charge_point_id, charger_transaction_id, event_type, seq_no);
    CREATE INDEX transaction_events_metered ON transaction_events(charge_point_id, charger_transaction_id, seq_no) WHERE energy_wh IS NOT NULL;
    CREATE INDEX transaction_events_token ON transaction_events(charge_point_id, charger_transaction_id, seq_no) WHERE id_token IS NOT NULL;
    CREATE INDEX transaction_events_evse ON transaction_events(charge_point_id, charger_transaction_id, seq_no) WHERE evse_id IS NOT NULL;

    CREATE TABLE evse_connectors (
      charge_point_id TEXT NOT NULL REFERENCES chargers(charge_point_id) ON DELETE CASCADE,
      evse_id INTEGER NOT NULL,
      connector_id INTEGER NOT NULL,
      status TEXT NOT NULL,
      status_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (charge_point_id, evse_id, connector_id)
    );

    CREATE TABLE device_model (
      charge_point_id TEXT NOT NULL REFERENCES chargers(charge_point_id) ON DELETE CASCADE,
      component TEXT NOT NULL,
      component_instance TEXT NOT NULL DEFAULT '',
      evse_id INTEGER NOT NULL DEFAULT -1,
      connector_id INTEGER NOT NULL DEFAULT -1,
      variable TEXT NOT NULL,
      variable_instance TEXT NOT NULL DEFAULT '',
      attribute_type TEXT NOT NULL DEFAULT 'Actual',
      value TEXT,
      mutability TEXT,
      data_type TEXT,
      unit TEXT,
      report_id INTEGER NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (charge_point_id, component, component_instance, evse_id, connector_id, variable, variable_instance, attribute_type)
    );

    CREATE TABLE charger_events (
      id INTEGER PRIMARY KEY,
      charge_point_id TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('event', 'security')),
      type TEXT NOT NULL,
      detail TEXT,
      at TEXT NOT NULL,
      received_at TEXT NOT NULL
    );
    CREATE INDEX charger_events_cp ON charger_events(charge_point_id, id);
  `);
}
