import type { Db } from '../db.js';
import { stmt } from '../statements.js';

export interface Availability {
  connectorId: number;
  requested: 'Operative' | 'Inoperative';
  state: 'Accepted' | 'Scheduled' | 'Effective';
  requestedAt: string;
  effectiveAt: string | null;
}

export function setAvailability(db: Db, chargePointId: string, connectorId: number, requested: string, state: string, at: string): void {
  stmt(
    db,
    `INSERT INTO availability(charge_point_id, connector_id, requested, state, requested_at, effective_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(charge_point_id, connector_id) DO UPDATE SET requested = excluded.requested, state = excluded.state,
       requested_at = excluded.requested_at, effective_at = excluded.effective_at`,
  ).run(chargePointId, connectorId, requested, state, at, state === 'Scheduled' ? null : at);
}

/**
 * A Scheduled change has taken effect once the connector (or, for connector 0, the charger)
 * reports Unavailable for Inoperative, or anything but Unavailable/Faulted for Operative.
 */
export function settleScheduledAvailability(db: Db, chargePointId: string, connectorId: number, status: string, at: string): boolean {
  const operativeNow = status !== 'Unavailable' && status !== 'Faulted';
  return (
    stmt(
      db,
      `UPDATE availability SET state = 'Effective', effective_at = ?
       WHERE charge_point_id = ? AND state = 'Scheduled' AND (connector_id = ? OR connector_id = 0)
         AND requested = ?`,
    ).run(at, chargePointId, connectorId, operativeNow ? 'Operative' : 'Inoperative').changes > 0
  );
}

export function listAvailability(db: Db, chargePointId: string): Availability[] {
  return stmt(
    db,
    `SELECT connector_id AS connectorId, requested, state, requested_at AS requestedAt, effective_at AS effectiveAt
     FROM availability WHERE charge_point_id = ? ORDER BY connector_id`,
  ).all(chargePointId) as Availability[];
}
