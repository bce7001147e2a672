import type { Db } from '../db.js';
import { stmt } from '../statements.js';

export interface ConfigEntry {
  key: string;
  value: string | null;
  readonly: boolean;
  updatedAt: string;
}

/** Stores keys a GetConfiguration returned (a full read replaces the snapshot). */
export function saveConfiguration(db: Db, chargePointId: string, entries: Array<{ key: string; value?: string; readonly: boolean }>, full: boolean, at: string): void {
  if (full) stmt(db, 'DELETE FROM charger_configuration WHERE charge_point_id = ?').run(chargePointId);
  const s = stmt(
    db,
    `INSERT INTO charger_configuration(charge_point_id, key, value, readonly, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(charge_point_id, key) DO UPDATE SET value = excluded.value, readonly = excluded.readonly, updated_at = excluded.updated_at`,
  );
  for (const e of entries) s.run(chargePointId, e.key, e.value ?? null, e.readonly ? 1 : 0, at);
}

export function setConfigurationValue(db: Db, chargePointId: string, key: string, value: string, at: string): void {
  stmt(
    db,
    `INSERT INTO charger_configuration(charge_point_id, key, value, readonly, updated_at) VALUES (?, ?, ?, 0, ?)
     ON CONFLICT(charge_point_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(chargePointId, key, value, at);
}

export function getConfiguration(db: Db, chargePointId: string): ConfigEntry[] {
  const rows = stmt(db, 'SELECT key, value, readonly, updated_at AS updatedAt FROM charger_configuration WHERE charge_point_id = ? ORDER BY key').all(chargePointId) as Array<
    Omit<ConfigEntry, 'readonly'> & { readonly: number }
  >;
  return rows.map((r) => ({ ...r, readonly: r.readonly === 1 }));
}
