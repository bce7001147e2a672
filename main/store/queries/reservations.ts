import type { Db } from '../db.js';
import { stmt } from '../statements.js';

/** Links a StartTransaction to the reservation it names and marks the reservation used. */
export function consumeReservation(db: Db, reservationId: number, chargePointId: string, transactionId: number, at: string): boolean {
  return (
    stmt(
      db,
      `UPDATE reservations SET status = 'Used', transaction_id = ?, updated_at = ? WHERE id = ? AND charge_point_id = ? AND status = 'Reserved'`,
    ).run(transactionId, at, reservationId, chargePointId).changes > 0
  );
}
