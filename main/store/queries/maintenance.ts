import type { Db } from '../db.js';
import { stmt } from '../statements.js';

export type MaintenanceKind = 'firmware' | 'diagnostics';

export function insertJob(db: Db, j: { chargePointId: string; kind: MaintenanceKind; location: string; fileName: string | null; status: string; at: string }): number {
  return Number(
    stmt(db, 'INSERT INTO maintenance_jobs(charge_point_id, kind, location, file_name, status, requested_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      j.chargePointId,
      j.kind,
      j.location,
      j.fileName,
      j.status,
      j.at,
      j.at,
    ).lastInsertRowid,
  );
}

/** The newest job of that kind follows the charger's status notifications. */
export function updateLatestJob(db: Db, chargePointId: string, kind: MaintenanceKind, status: string, at: string): void {
  stmt(db, `UPDATE maintenance_jobs SET status = ?, updated_at = ? WHERE id = (SELECT max(id) FROM maintenance_jobs WHERE charge_point_id = ? AND kind = ?)`).run(status, at, chargePointId, kind);
}

/**
 * The command's answer for a job: its file name, and a status that applies only while the job
 * is still Requested (a status notification that came before the answer wins). One statement.
 */
export function recordJobAnswer(db: Db, id: number, a: { fileName?: string | null; statusIfRequested: string; at: string }): void {
  stmt(db, `UPDATE maintenance_jobs SET file_name = coalesce(?, file_name), status = CASE WHEN status = 'Requested' THEN ? ELSE status END, updated_at = ? WHERE id = ?`).run(
    a.fileName ?? null,
    a.statusIfRequested,
    a.at,
    id,
  );
}

export function deleteJob(db: Db, id: number): void {
  stmt(db, 'DELETE FROM maintenance_jobs WHERE id = ?').run(id);
}

export function listJobs(db: Db, chargePointId: string): unknown[] {
  return stmt(
    db,
    `SELECT id, kind, location, file_name AS fileName, status, requested_at AS requestedAt, updated_at AS updatedAt
     FROM maintenance_jobs WHERE charge_point_id = ? ORDER BY id DESC LIMIT 50`,
  ).all(chargePointId);
}
