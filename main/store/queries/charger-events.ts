import type { Db } from '../db.js';
import { stmt } from '../statements.js';

/** A 2.0.1 station's own report: a monitored variable's event (NotifyEvent) or a security event. */
export interface ChargerEvent {
  kind: 'event' | 'security';
  type: string;
  detail: string | null;
  /** When it happened, by the station's clock (UTC instant). */
  at: string;
}

/** Rows kept: a chatty monitor must not grow the store without bound (the delete is a rowid range, nearly free). */
const KEEP = 10_000;

export function insertChargerEvents(db: Db, chargePointId: string, events: readonly ChargerEvent[], receivedAt: string): void {
  const insert = stmt(db, 'INSERT INTO charger_events(charge_point_id, kind, type, detail, at, received_at) VALUES (?, ?, ?, ?, ?, ?)');
  for (const e of events) insert.run(chargePointId, e.kind, e.type, e.detail, e.at, receivedAt);
  stmt(db, 'DELETE FROM charger_events WHERE id <= (SELECT max(id) FROM charger_events) - ?').run(KEEP);
}

export function listChargerEvents(db: Db, chargePointId: string, limit: number): Array<ChargerEvent & { id: number; receivedAt: string }> {
  return stmt(db, 'SELECT id, kind, type, detail, at, received_at AS receivedAt FROM charger_events WHERE charge_point_id = ? ORDER BY id DESC LIMIT ?').all(chargePointId, limit) as Array<
    ChargerEvent & { id: number; receivedAt: string }
  >;
}
