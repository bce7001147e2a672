import type { Db } from '../db.js';
import { stmt } from '../statements.js';

export interface StatusReport {
  chargePointId: string;
  connectorId: number;
  status: string;
  errorCode: string;
  info?: string | undefined;
  vendorId?: string | undefined;
  vendorErrorCode?: string | undefined;
  statusAt: string;
  receivedAt: string;
}

export interface Connector {
  connectorId: number;
  status: string;
  errorCode: string;
  info: string | null;
  vendorId: string | null;
  vendorErrorCode: string | null;
  statusAt: string;
  updatedAt: string;
}

/** Current state per connector, and every report in the history. */
export function recordStatus(db: Db, s: StatusReport): void {
  const args = [s.chargePointId, s.connectorId, s.status, s.errorCode, s.info ?? null, s.vendorId ?? null, s.vendorErrorCode ?? null, s.statusAt];
  stmt(
    db,
    `INSERT INTO connectors(charge_point_id, connector_id, status, error_code, info, vendor_id, vendor_error_code, status_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(charge_point_id, connector_id) DO UPDATE SET status = excluded.status, error_code = excluded.error_code,
       info = excluded.info, vendor_id = excluded.vendor_id, vendor_error_code = excluded.vendor_error_code,
       status_at = excluded.status_at, updated_at = excluded.updated_at`,
  ).run(...args, s.receivedAt);
  stmt(
    db,
    `INSERT INTO status_history(charge_point_id, connector_id, status, error_code, info, vendor_id, vendor_error_code, status_at, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(...args, s.receivedAt);
}

/**
 * A charger that drops off reports only its current state when it returns, so a stale
 * "Charging" must not survive the disconnect (a bug users hit in SteVe).
 */
export function markConnectorsUnknown(db: Db, chargePointId: string, at: string): void {
  stmt(db, `UPDATE connectors SET status = 'Unavailable', error_code = 'NoError', info = 'charger offline', updated_at = ? WHERE charge_point_id = ?`).run(at, chargePointId);
  // A 2.0.1 station's connectors within its EVSEs too (issue 14).
  stmt(db, `UPDATE evse_connectors SET status = 'Unavailable', updated_at = ? WHERE charge_point_id = ?`).run(at, chargePointId);
}

const SELECT_CONNECTOR = `SELECT connector_id AS connectorId, status, error_code AS errorCode, info, vendor_id AS vendorId, vendor_error_code AS vendorErrorCode,
  status_at AS statusAt, updated_at AS updatedAt FROM connectors WHERE charge_point_id = ?`;

export function listConnectors(db: Db, chargePointId: string): Connector[] {
  return stmt(db, `${SELECT_CONNECTOR} ORDER BY connector_id`).all(chargePointId) as Connector[];
}

export function getConnector(db: Db, chargePointId: string, connectorId: number): Connector | undefined {
  return stmt(db, `${SELECT_CONNECTOR} AND connector_id = ?`).get(chargePointId, connectorId) as Connector | undefined;
}

export function statusHistory(db: Db, chargePointId: string, limit: number): Array<Connector & { receivedAt: string }> {
  return stmt(
    db,
    `SELECT connector_id AS connectorId, status, error_code AS errorCode, info, vendor_id AS vendorId, vendor_error_code AS vendorErrorCode,
       status_at AS statusAt, received_at AS receivedAt FROM status_history WHERE charge_point_id = ? ORDER BY id DESC LIMIT ?`,
  ).all(chargePointId, limit) as Array<Connector & { receivedAt: string }>;
}

export function pruneStatusHistory(db: Db, keep: number): number {
  return stmt(db, 'DELETE FROM status_history WHERE id <= (SELECT max(id) FROM status_history) - ?').run(keep).changes;
}
