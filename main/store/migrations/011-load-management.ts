import type { Db } from '../db.js';

/**
 * Depot load management (issue 13): the site limit, circuits beneath it, per-charger and
 * per-tag settings, and what each charger was last told (so a restart knows which chargers
 * refused profiles and which limits are in force).
 */
export function m011LoadManagement(db: Db): void {
  db.exec(`
    CREATE TABLE load_site (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      limit_amps REAL CHECK (limit_amps >= 0),
      phases INTEGER NOT NULL DEFAULT 3 CHECK (phases IN (1, 3)),
      updated_at TEXT NOT NULL
    );
    CREATE TABLE load_circuits (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL UNIQUE,
      limit_amps REAL NOT NULL CHECK (limit_amps >= 0),
      target_group TEXT,
      charge_point_ids TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      CHECK ((target_group IS NULL) <> (charge_point_ids IS NULL))
    );
    CREATE TABLE load_charger_settings (
      charge_point_id TEXT PRIMARY KEY,
      priority INTEGER,
      min_amps REAL CHECK (min_amps >= 0),
      phases INTEGER CHECK (phases IN (1, 3))
    );
    CREATE TABLE load_tag_priorities (
      id_tag TEXT PRIMARY KEY,
      priority INTEGER NOT NULL
    );
    CREATE TABLE load_profiles (
      charge_point_id TEXT NOT NULL,
      connector_id INTEGER NOT NULL,
      purpose TEXT NOT NULL CHECK (purpose IN ('TxDefaultProfile', 'TxProfile')),
      limit_amps REAL NOT NULL,
      transaction_id INTEGER,
      status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'unsupported')),
      valid_to TEXT,
      sent_at TEXT NOT NULL,
      PRIMARY KEY (charge_point_id, connector_id, purpose)
    );
  `);
}
