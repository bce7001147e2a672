import type { Db } from '../db.js';
import { stmt } from '../statements.js';

/** A 2.0.1 station's connector within an EVSE, with its own status (Available, Occupied, Reserved, Unavailable, Faulted). */
export interface EvseConnector {
  evseId: number;
  connectorId: number;
  status: string;
  statusAt: string;
  updatedAt: string;
}

export function recordEvseConnector(db: Db, c: { chargePointId: string; evseId: number; connectorId: number; status: string; statusAt: string; receivedAt: string }): void {
  stmt(
    db,
    `INSERT INTO evse_connectors(charge_point_id, evse_id, connector_id, status, status_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(charge_point_id, evse_id, connector_id) DO UPDATE SET status = excluded.status, status_at = excluded.status_at, updated_at = excluded.updated_at`,
  ).run(c.chargePointId, c.evseId, c.connectorId, c.status, c.statusAt, c.receivedAt);
}

/** A 2.0.1 station's EVSEs, each with its connectors (none for a 1.6 charger, whose connectors are its EVSEs). */
export function listEvses(db: Db, chargePointId: string): Array<{ evseId: number; connectors: Array<Omit<EvseConnector, 'evseId'>> }> {
  const rows = stmt(
    db,
    `SELECT evse_id AS evseId, connector_id AS connectorId, status, status_at AS statusAt, updated_at AS updatedAt FROM evse_connectors
     WHERE charge_point_id = ? ORDER BY evse_id, connector_id`,
  ).all(chargePointId) as EvseConnector[];
  const evses = new Map<number, Array<Omit<EvseConnector, 'evseId'>>>();
  for (const { evseId, ...c } of rows) evses.set(evseId, [...(evses.get(evseId) ?? []), c]);
  return [...evses].map(([evseId, connectors]) => ({ evseId, connectors }));
}

export function evseConnectorStatuses(db: Db, chargePointId: string, evseId: number): string[] {
  return (stmt(db, 'SELECT status FROM evse_connectors WHERE charge_point_id = ? AND evse_id = ?').all(chargePointId, evseId) as Array<{ status: string }>).map((r) => r.status);
}
