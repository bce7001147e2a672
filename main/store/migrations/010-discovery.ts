import type { Db } from '../db.js';

/**
 * Issue 11, installer's toolkit: the merged list of devices found on the LAN (probe, mDNS,
 * OCPP sockets) with the scans that found them, and provisioning (steps shown live, the
 * configuration template per target group).
 */
export function m010Discovery(db: Db): void {
  db.exec(`
    CREATE TABLE discovery_scans (
      id TEXT PRIMARY KEY,
      range_text TEXT NOT NULL,
      ports TEXT NOT NULL,
      state TEXT NOT NULL,
      total INTEGER NOT NULL,
      done INTEGER NOT NULL DEFAULT 0,
      found INTEGER NOT NULL DEFAULT 0,
      error TEXT,
      started_at TEXT NOT NULL,
      finished_at TEXT
    );
    CREATE TABLE discovered_devices (
      ip TEXT PRIMARY KEY,
      mac TEXT,
      mac_vendor TEXT,
      vendor TEXT,
      model TEXT,
      hostname TEXT,
      open_ports TEXT NOT NULL DEFAULT '[]',
      title TEXT,
      mdns_services TEXT NOT NULL DEFAULT '[]',
      sources TEXT NOT NULL DEFAULT '[]',
      ocpp_charge_point_id TEXT,
      first_seen TEXT NOT NULL,
      last_seen TEXT NOT NULL,
      first_scan_id TEXT,
      gone_at TEXT
    );
    CREATE TABLE config_templates (
      target_group TEXT PRIMARY KEY,
      keys TEXT NOT NULL,
      send_local_list INTEGER NOT NULL DEFAULT 1,
      updated_at TEXT NOT NULL
    );
    CREATE TABLE provisioning (
      charge_point_id TEXT PRIMARY KEY REFERENCES chargers(charge_point_id) ON DELETE CASCADE,
      created_at TEXT NOT NULL,
      template_applied_at TEXT,
      reboot_required INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE provisioning_steps (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      charge_point_id TEXT NOT NULL REFERENCES provisioning(charge_point_id) ON DELETE CASCADE,
      at TEXT NOT NULL,
      step TEXT NOT NULL,
      ok INTEGER NOT NULL,
      detail TEXT NOT NULL
    );
    CREATE INDEX provisioning_steps_cp ON provisioning_steps(charge_point_id, id);
  `);
}
