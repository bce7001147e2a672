import type { Db } from '../db.js';
import { stmt } from '../statements.js';

export interface LocalListEntry {
  idTag: string;
  status: string;
  expiryDate: string | null;
  parentIdTag: string | null;
}

export function getLocalListVersion(db: Db, chargePointId: string): number {
  const row = stmt(db, 'SELECT version FROM local_list_versions WHERE charge_point_id = ?').get(chargePointId) as { version: number } | undefined;
  return row?.version ?? 0;
}

export function getSentEntries(db: Db, chargePointId: string): LocalListEntry[] {
  return stmt(db, 'SELECT id_tag AS idTag, status, expiry_date AS expiryDate, parent_id_tag AS parentIdTag FROM local_list_entries WHERE charge_point_id = ? ORDER BY id_tag').all(
    chargePointId,
  ) as LocalListEntry[];
}

/** Records what the charger accepted: the list it now holds and its version. */
export function saveLocalList(db: Db, chargePointId: string, version: number, entries: LocalListEntry[], removed: string[], full: boolean, at: string): void {
  if (full) stmt(db, 'DELETE FROM local_list_entries WHERE charge_point_id = ?').run(chargePointId);
  const del = stmt(db, 'DELETE FROM local_list_entries WHERE charge_point_id = ? AND id_tag = ?');
  for (const tag of removed) del.run(chargePointId, tag);
  const put = stmt(
    db,
    `INSERT INTO local_list_entries(charge_point_id, id_tag, status, expiry_date, parent_id_tag) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(charge_point_id, id_tag) DO UPDATE SET status = excluded.status, expiry_date = excluded.expiry_date, parent_id_tag = excluded.parent_id_tag`,
  );
  for (const e of entries) put.run(chargePointId, e.idTag, e.status, e.expiryDate, e.parentIdTag);
  setLocalListVersion(db, chargePointId, version, at);
}

export function setLocalListVersion(db: Db, chargePointId: string, version: number, at: string): void {
  stmt(
    db,
    `INSERT INTO local_list_versions(charge_point_id, version, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(charge_point_id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at`,
  ).run(chargePointId, version, at);
}
