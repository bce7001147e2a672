import type { Db } from '../db.js';
import { stmt } from '../statements.js';
import { timeOrderedUuid } from '../time-ordered-uuid.js';
import { enqueueOrphanStop, enqueueSession } from './outbox.js';

export interface Session {
  transactionId: number;
  /** The charger's own id for it: a 2.0.1 station's string, or a 1.6 charger's (the one we gave it) as text. */
  chargerTransactionId: string;
  /** OCPP 2.0.1: the seqNos still missing before its Ended event (the session is complete without any). */
  missingSeqNos: number[];
  chargePointId: string;
  connectorId: number;
  idTag: string;
  startAuthStatus: string;
  meterStart: number;
  startTime: string;
  reservationId: number | null;
  lastMeterWh: number | null;
  lastMeterAt: string | null;
  meterStop: number | null;
  stopTime: string | null;
  stopReason: string | null;
  stopIdTag: string | null;
  energyWh: number | null;
  status: 'Active' | 'Completed';
  /** Closed by us because the next session started on its connector before its stop came. */
  stopInferred: boolean;
}

const SELECT = `SELECT id AS transactionId, coalesce(charger_transaction_id, CAST(id AS TEXT)) AS chargerTransactionId, seq_gaps AS missingSeqNos,
  charge_point_id AS chargePointId, connector_id AS connectorId, id_tag AS idTag,
  start_auth_status AS startAuthStatus, meter_start AS meterStart, start_time AS startTime, reservation_id AS reservationId,
  last_meter_wh AS lastMeterWh, last_meter_at AS lastMeterAt, meter_stop AS meterStop, stop_time AS stopTime,
  stop_reason AS stopReason, stop_id_tag AS stopIdTag,
  CASE WHEN status = 'Completed' THEN energy_wh WHEN last_meter_wh IS NOT NULL THEN last_meter_wh - meter_start END AS energyWh,
  status, stop_inferred = 1 AS stopInferred FROM transactions`;

type SessionRow = Omit<Session, 'stopInferred' | 'missingSeqNos'> & { stopInferred: number; missingSeqNos: string | null };

const toSession = (r: SessionRow): Session => ({ ...r, stopInferred: r.stopInferred === 1, missingSeqNos: r.missingSeqNos ? (JSON.parse(r.missingSeqNos) as number[]) : [] });

export function getTransaction(db: Db, id: number): Session | undefined {
  const row = stmt(db, `${SELECT} WHERE id = ?`).get(id) as SessionRow | undefined;
  return row && toSession(row);
}

/** A 1.6 start's row (the condition on charger_transaction_id lets SQLite use the partial identity index). */
export function findStartedTransaction(db: Db, t: { chargePointId: string; connectorId: number; startTime: string; meterStart: number; idTag: string }): number | undefined {
  const row = stmt(db, 'SELECT id FROM transactions WHERE charge_point_id = ? AND connector_id = ? AND start_time = ? AND meter_start = ? AND id_tag = ? AND charger_transaction_id IS NULL').get(
    t.chargePointId,
    t.connectorId,
    t.startTime,
    t.meterStart,
    t.idTag,
  ) as { id: number } | undefined;
  return row?.id;
}

export function insertTransaction(
  db: Db,
  t: { chargePointId: string; connectorId: number; idTag: string; authStatus: string; meterStart: number; startTime: string; reservationId: number | null; receivedAt: string },
): number {
  const r = stmt(
    db,
    `INSERT INTO transactions(charge_point_id, connector_id, id_tag, start_auth_status, meter_start, start_time, reservation_id, started_received_at, session_uid)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(t.chargePointId, t.connectorId, t.idTag, t.authStatus, t.meterStart, t.startTime, t.reservationId, t.receivedAt, timeOrderedUuid());
  return Number(r.lastInsertRowid);
}

/**
 * Open sessions a tag holds, matched case-insensitively (OCPP IdToken is a CiString). A session
 * whose start we refused (ConcurrentTx, Invalid, ...) is recorded but does not hold the tag:
 * stacks that never stop a refused start left the tag ConcurrentTx on every other charger.
 */
export function activeTransactionsForTag(db: Db, idTag: string): Array<{ id: number; chargePointId: string; connectorId: number }> {
  return stmt(
    db,
    `SELECT id, charge_point_id AS chargePointId, connector_id AS connectorId FROM transactions
     WHERE status = 'Active' AND id_tag = ? COLLATE NOCASE AND start_auth_status = 'Accepted'`,
  ).all(idTag) as Array<{ id: number; chargePointId: string; connectorId: number }>;
}

export function activeTransactionOnConnector(db: Db, chargePointId: string, connectorId: number): number | undefined {
  const row = stmt(db, `SELECT id FROM transactions WHERE charge_point_id = ? AND connector_id = ? AND status = 'Active' ORDER BY id DESC LIMIT 1`).get(chargePointId, connectorId) as
    | { id: number }
    | undefined;
  return row?.id;
}

/** Active sessions on a connector that started at or before `before` (a UTC instant): their stops were lost. */
export function staleActiveOnConnector(db: Db, chargePointId: string, connectorId: number, before: string): Array<{ id: number; meterStart: number; lastMeterWh: number | null }> {
  return stmt(
    db,
    `SELECT id, meter_start AS meterStart, last_meter_wh AS lastMeterWh FROM transactions
     WHERE charge_point_id = ? AND connector_id = ? AND status = 'Active' AND start_time <= ?`,
  ).all(chargePointId, connectorId, before) as Array<{ id: number; meterStart: number; lastMeterWh: number | null }>;
}

/**
 * Closes a session whose stop was lost; flagged so the real stop still applies if it comes.
 * Its head-office record is queued in the same transaction (as for every completion below).
 */
export function completeInferred(db: Db, id: number, s: { meterStop: number; stopTime: string; receivedAt: string }): void {
  const closed = stmt(
    db,
    `UPDATE transactions SET status = 'Completed', meter_stop = ?, stop_time = ?, stop_reason = 'Other', stop_inferred = 1,
       energy_wh = ? - meter_start, stopped_received_at = ? WHERE id = ? AND status = 'Active'`,
  ).run(s.meterStop, s.stopTime, s.meterStop, s.receivedAt, id).changes;
  if (closed) enqueueSession(db, id);
}

/**
 * Records the charger's stop: completes an active session, or replaces a stop we inferred (a
 * late real stop wins). Returns false when the session already holds a real stop (a retry).
 */
export function completeTransaction(db: Db, id: number, s: { meterStop: number; stopTime: string; reason: string | null; idTag: string | null; receivedAt: string }): boolean {
  const completed =
    stmt(
      db,
      `UPDATE transactions SET status = 'Completed', meter_stop = ?, stop_time = ?, stop_reason = ?, stop_id_tag = ?,
         energy_wh = ? - meter_start, stopped_received_at = ?, stop_inferred = 0 WHERE id = ? AND (status = 'Active' OR stop_inferred = 1)`,
    ).run(s.meterStop, s.stopTime, s.reason, s.idTag, s.meterStop, s.receivedAt, id).changes > 0;
  if (completed) enqueueSession(db, id);
  return completed;
}

/**
 * Moves an active session's running energy forward (never back to an older sample). Only the
 * session's own charger may: a stale id can name another charger's session. One statement,
 * returning meter_start, because it runs for every MeterValues message.
 */
export function advanceLastMeter(db: Db, id: number, chargePointId: string, wh: number, at: string): { meterStart: number } | undefined {
  return stmt(
    db,
    `UPDATE transactions SET last_meter_wh = ?, last_meter_at = ?
     WHERE id = ? AND charge_point_id = ? AND status = 'Active' AND (last_meter_at IS NULL OR last_meter_at <= ?)
     RETURNING meter_start AS meterStart`,
  ).get(wh, at, id, chargePointId, at) as { meterStart: number } | undefined;
}

export interface SessionFilter {
  chargePointId?: string;
  idTag?: string;
  status?: 'Active' | 'Completed';
  /** Start time bounds, UTC instants (see store/instant.ts) like the stored ones. */
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

/** The WHERE clause of the session filters, shared by the list and the CSV export. */
function sessionWhere(f: SessionFilter): { clause: string; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.chargePointId) where.push('charge_point_id = ?'), args.push(f.chargePointId);
  // IdToken is a CiString: the filter ignores case as authorization does (index transactions_tag).
  if (f.idTag) where.push('id_tag = ? COLLATE NOCASE'), args.push(f.idTag);
  if (f.status) where.push('status = ?'), args.push(f.status);
  if (f.from) where.push('start_time >= ?'), args.push(f.from);
  if (f.to) where.push('start_time < ?'), args.push(f.to);
  return { clause: where.length ? ` WHERE ${where.join(' AND ')}` : '', args };
}

export function listSessions(db: Db, f: SessionFilter): { total: number; items: Session[] } {
  const { clause, args } = sessionWhere(f);
  const total = (db.prepare(`SELECT count(*) AS n FROM transactions${clause}`).get(...args) as { n: number }).n;
  const items = (db.prepare(`${SELECT}${clause} ORDER BY id DESC LIMIT ? OFFSET ?`).all(...args, f.limit, f.offset) as SessionRow[]).map(toSession);
  return { total, items };
}

/**
 * The sessions of `f` (newest first, from f.offset, at most f.limit), `size` at a time. Keyset
 * paging on id: each slice is one short query, so a caller can yield to the event loop between
 * slices without holding a statement open (an open better-sqlite3 iterator makes every write on
 * the connection fail with "busy"), and sessions added meanwhile neither shift nor repeat rows.
 */
export function* sessionSlices(db: Db, f: SessionFilter, size: number): Generator<Session[]> {
  const { clause, args } = sessionWhere(f);
  const next = stmt(db, `${SELECT}${clause ? `${clause} AND` : ' WHERE'} id < ? ORDER BY id DESC LIMIT ? OFFSET ?`);
  let beforeId = Number.MAX_SAFE_INTEGER;
  let offset = f.offset;
  for (let left = f.limit; left > 0; ) {
    const rows = (next.all(...args, beforeId, Math.min(size, left), offset) as SessionRow[]).map(toSession);
    if (!rows.length) return;
    yield rows;
    left -= rows.length;
    offset = 0;
    beforeId = rows.at(-1)!.transactionId;
  }
}

/** Keeps a stop for an unknown transaction (a retry of one already kept changes nothing) and queues it for head office. */
export function insertOrphanStop(
  db: Db,
  o: { chargePointId: string; transactionId: number; idTag: string | null; meterStop: number; stopTime: string; reason: string | null; payload: string; receivedAt: string },
): void {
  const sessionUid = timeOrderedUuid();
  const kept = stmt(
    db,
    `INSERT OR IGNORE INTO orphan_stops(charge_point_id, transaction_id, id_tag, meter_stop, stop_time, reason, payload, received_at, session_uid)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(o.chargePointId, o.transactionId, o.idTag, o.meterStop, o.stopTime, o.reason, o.payload, o.receivedAt, sessionUid).changes;
  if (kept) enqueueOrphanStop(db, { ...o, sessionUid });
}

export function listOrphanStops(db: Db, limit: number): unknown[] {
  return stmt(
    db,
    `SELECT id, charge_point_id AS chargePointId, transaction_id AS transactionId, id_tag AS idTag, meter_stop AS meterStop,
       stop_time AS stopTime, reason, received_at AS receivedAt FROM orphan_stops ORDER BY id DESC LIMIT ?`,
  ).all(limit);
}
