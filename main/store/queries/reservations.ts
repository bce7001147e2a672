import type { Db } from '../db.js';
import { stmt } from '../statements.js';

/** Links a StartTransaction to the reservation it names and marks the reservation used. */
export function consumeReservation(db: Db, reservationId: number, chargePointId: string, transactionId: number, at: string): boolean {
  return (
    stmt(db, `UPDATE reservations SET status = 'Used', transaction_id = ?, updated_at = ? WHERE id = ? AND charge_point_id = ? AND status = 'Reserved'`).run(
      transactionId,
      at,
      reservationId,
      chargePointId,
    ).changes > 0
  );
}

export interface Reservation {
  reservationId: number;
  chargePointId: string;
  connectorId: number;
  idTag: string;
  parentIdTag: string | null;
  expiryDate: string;
  status: string;
  transactionId: number | null;
  createdAt: string;
  updatedAt: string;
}

const SELECT_RESERVATION = `SELECT id AS reservationId, charge_point_id AS chargePointId, connector_id AS connectorId, id_tag AS idTag,
  parent_id_tag AS parentIdTag, expiry_date AS expiryDate, status, transaction_id AS transactionId, created_at AS createdAt,
  updated_at AS updatedAt FROM reservations`;

/** A new reservation id, stored before ReserveNow goes out so the id is never reused. */
export function createReservation(db: Db, r: { chargePointId: string; connectorId: number; idTag: string; parentIdTag: string | null; expiryDate: string; at: string }): number {
  return Number(
    stmt(
      db,
      `INSERT INTO reservations(charge_point_id, connector_id, id_tag, parent_id_tag, expiry_date, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'Requested', ?, ?)`,
    ).run(r.chargePointId, r.connectorId, r.idTag, r.parentIdTag, r.expiryDate, r.at, r.at).lastInsertRowid,
  );
}

export function setReservationStatus(db: Db, id: number, status: string, at: string): void {
  stmt(db, 'UPDATE reservations SET status = ?, updated_at = ? WHERE id = ?').run(status, at, id);
}

/** A station's report on one of its reservations; false when it names none of its own. */
export function setStationReservationStatus(db: Db, chargePointId: string, id: number, status: string, at: string): boolean {
  return stmt(db, 'UPDATE reservations SET status = ?, updated_at = ? WHERE id = ? AND charge_point_id = ?').run(status, at, id, chargePointId).changes > 0;
}

export function getReservation(db: Db, id: number): Reservation | undefined {
  return stmt(db, `${SELECT_RESERVATION} WHERE id = ?`).get(id) as Reservation | undefined;
}

export function listReservations(db: Db, f: { chargePointId?: string; status?: string }): Reservation[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.chargePointId) where.push('charge_point_id = ?'), args.push(f.chargePointId);
  if (f.status) where.push('status = ?'), args.push(f.status);
  return db.prepare(`${SELECT_RESERVATION}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT 500`).all(...args) as Reservation[];
}

/** Marks reservations whose expiry passed; returns them so their expiry can be announced. */
export function expireReservations(db: Db, now: string): Reservation[] {
  const due = stmt(db, `${SELECT_RESERVATION} WHERE status = 'Reserved' AND expiry_date <= ?`).all(now) as Reservation[];
  if (due.length) stmt(db, `UPDATE reservations SET status = 'Expired', updated_at = ? WHERE status = 'Reserved' AND expiry_date <= ?`).run(now, now);
  return due;
}

/** The earliest expiry still pending, to schedule the next sweep exactly. */
export function nextReservationExpiry(db: Db): string | undefined {
  return (stmt(db, `SELECT min(expiry_date) AS e FROM reservations WHERE status = 'Reserved'`).get() as { e: string | null }).e ?? undefined;
}

/** A reservation whose id the caller chose (ReserveNow sent as a raw OCPP payload). */
export function insertReservationWithId(db: Db, r: { id: number; chargePointId: string; connectorId: number; idTag: string; parentIdTag: string | null; expiryDate: string; at: string }): void {
  stmt(
    db,
    `INSERT INTO reservations(id, charge_point_id, connector_id, id_tag, parent_id_tag, expiry_date, status, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'Requested', ?, ?)`,
  ).run(r.id, r.chargePointId, r.connectorId, r.idTag, r.parentIdTag, r.expiryDate, r.at, r.at);
}

/** The charger's answer to ReserveNow decides the status; the request's terms replace older ones. */
export function applyReserveNow(db: Db, r: { id: number; status: string; connectorId: number; idTag: string; parentIdTag: string | null; expiryDate: string; at: string }): void {
  stmt(db, 'UPDATE reservations SET status = ?, connector_id = ?, id_tag = ?, parent_id_tag = ?, expiry_date = ?, updated_at = ? WHERE id = ?').run(
    r.status,
    r.connectorId,
    r.idTag,
    r.parentIdTag,
    r.expiryDate,
    r.at,
    r.id,
  );
}
