import type { Db } from '../db.js';
import { stmt } from '../statements.js';

export interface AuditEntry {
  at: string;
  by: string;
  chargePointId: string;
  action: string;
  payload: string;
  ok: boolean;
  result: string | null;
  error: string | null;
  durationMs: number;
}

export function insertAudit(db: Db, e: AuditEntry): void {
  stmt(db, 'INSERT INTO command_audit(at, by, charge_point_id, action, payload, ok, result, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
    e.at,
    e.by,
    e.chargePointId,
    e.action,
    e.payload,
    e.ok ? 1 : 0,
    e.result,
    e.error,
    e.durationMs,
  );
}

export function listAudit(db: Db, f: { chargePointId?: string; limit: number; offset: number }): unknown[] {
  const sql = `SELECT id, at, by, charge_point_id AS chargePointId, action, payload, ok, result, error, duration_ms AS durationMs FROM command_audit
    ${f.chargePointId ? 'WHERE charge_point_id = ?' : ''} ORDER BY id DESC LIMIT ? OFFSET ?`;
  const rows = stmt(db, sql).all(...(f.chargePointId ? [f.chargePointId] : []), f.limit, f.offset) as Array<Record<string, unknown>>;
  return rows.map((r) => ({ ...r, ok: r.ok === 1, payload: JSON.parse(r.payload as string), result: r.result ? JSON.parse(r.result as string) : null }));
}
