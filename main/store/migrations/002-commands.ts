import type { Db } from '../db.js';

/** Remote control (issue 3): audit log, configuration snapshots, local list sync, availability, profiles. */
export function m002Commands(db: Db): void {
  db.exec(`
    CREATE TABLE command_audit (
      id INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      by TEXT NOT NULL,
      charge_point_id TEXT NOT NULL,
      action TEXT NOT NULL,
      payload TEXT NOT NULL,
      ok INTEGER NOT NULL,
      result TEXT,
      error TEXT,
      duration_ms INTEGER NOT NULL
    );
    CREATE INDEX command_audit_cp ON command_audit(charge_point_id, id);

    -- The charger's configuration as last read (GetConfiguration) or changed (ChangeConfiguration).
    CREATE TABLE charger_configuration (
      charge_point_id TEXT NOT NULL REFERENCES chargers(charge_point_id) ON DELETE CASCADE,
      key TEXT NOT NULL,
      value TEXT,
      readonly INTEGER NOT NULL DEFAULT 0,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (charge_point_id, key)
    );

    -- What each charger's local authorization list holds, as we last sent it, and its version.
    CREATE TABLE local_list_versions (
      charge_point_id TEXT PRIMARY KEY REFERENCES chargers(charge_point_id) ON DELETE CASCADE,
      version INTEGER NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE TABLE local_list_entries (
      charge_point_id TEXT NOT NULL REFERENCES chargers(charge_point_id) ON DELETE CASCADE,
      id_tag TEXT NOT NULL,
      status TEXT NOT NULL,
      expiry_date TEXT,
      parent_id_tag TEXT,
      PRIMARY KEY (charge_point_id, id_tag)
    );

    -- ChangeAvailability answered Scheduled: pending until a StatusNotification shows it took effect.
    CREATE TABLE availability (
      charge_point_id TEXT NOT NULL REFERENCES chargers(charge_point_id) ON DELETE CASCADE,
      connector_id INTEGER NOT NULL,
      requested TEXT NOT NULL,
      state TEXT NOT NULL,
      requested_at TEXT NOT NULL,
      effective_at TEXT,
      PRIMARY KEY (charge_point_id, connector_id)
    );

    CREATE TABLE charging_profiles (
      charge_point_id TEXT NOT NULL REFERENCES chargers(charge_point_id) ON DELETE CASCADE,
      connector_id INTEGER NOT NULL,
      profile_id INTEGER NOT NULL,
      purpose TEXT NOT NULL,
      stack_level INTEGER NOT NULL,
      profile TEXT NOT NULL,
      set_at TEXT NOT NULL,
      PRIMARY KEY (charge_point_id, profile_id)
    );

    -- UpdateFirmware / GetDiagnostics requests; progress comes from the status notifications.
    CREATE TABLE maintenance_jobs (
      id INTEGER PRIMARY KEY,
      charge_point_id TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('firmware','diagnostics')),
      location TEXT NOT NULL,
      file_name TEXT,
      status TEXT NOT NULL,
      requested_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX maintenance_jobs_cp ON maintenance_jobs(charge_point_id, kind, id);
  `);
}
