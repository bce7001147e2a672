import type { Db } from '../db.js';
import { stmt } from '../statements.js';
import { timeOrderedUuid } from '../time-ordered-uuid.js';
import { enqueueSession } from './outbox.js';

/**
 * OCPP 2.0.1 sessions (issue 14). A station chooses its transaction ids and reports each
 * transaction as numbered events (seqNo) that may come late, out of order and more than once
 * (its offline queue). Every event is stored once; the session row is then recomputed from all
 * of them, so the order they came in does not matter.
 */
export interface TransactionEventRow {
  chargePointId: string;
  chargerTransactionId: string;
  seqNo: number;
  eventType: 'Started' | 'Updated' | 'Ended';
  triggerReason: string;
  /** UTC instant (store/instant.ts). */
  timestamp: string;
  offline: boolean;
  idToken: string | null;
  evseId: number | null;
  stoppedReason: string | null;
  /** The event's newest total import register reading, in Wh. */
  energyWh: number | null;
  payload: string;
  receivedAt: string;
}

/** Stores the event; false when this seqNo of the transaction is in already (a repeat). */
export function insertTransactionEvent(db: Db, e: TransactionEventRow): boolean {
  return (
    stmt(
      db,
      `INSERT OR IGNORE INTO transaction_events(charge_point_id, charger_transaction_id, seq_no, event_type, trigger_reason, timestamp, offline,
         id_token, evse_id, stopped_reason, energy_wh, payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(e.chargePointId, e.chargerTransactionId, e.seqNo, e.eventType, e.triggerReason, e.timestamp, e.offline ? 1 : 0, e.idToken, e.evseId, e.stoppedReason, e.energyWh, e.payload, e.receivedAt)
      .changes > 0
  );
}

export interface ChargerSession {
  id: number;
  connectorId: number;
  idTag: string;
  startAuthStatus: string;
  status: 'Active' | 'Completed';
  /** Ended, and every event before it in. */
  complete: boolean;
}

export function findChargerSession(db: Db, chargePointId: string, chargerTransactionId: string): ChargerSession | undefined {
  const row = stmt(
    db,
    `SELECT id, connector_id AS connectorId, id_tag AS idTag, start_auth_status AS startAuthStatus, status,
       status = 'Completed' AND seq_gaps IS NULL AS complete FROM transactions WHERE charge_point_id = ? AND charger_transaction_id = ?`,
  ).get(chargePointId, chargerTransactionId) as (Omit<ChargerSession, 'complete'> & { complete: number }) | undefined;
  return row && { ...row, complete: row.complete === 1 };
}

/** Before the station names a token (a session may start when the cable goes in), the session's start is not authorised yet. */
export const NO_TOKEN_YET = 'Pending';

/** The session row of a transaction seen for the first time (by whichever of its events came first). */
export function insertChargerSession(
  db: Db,
  s: { chargePointId: string; chargerTransactionId: string; connectorId: number; startTime: string; reservationId: number | null; receivedAt: string },
): number {
  const r = stmt(
    db,
    `INSERT INTO transactions(charge_point_id, charger_transaction_id, connector_id, id_tag, start_auth_status, meter_start, start_time, reservation_id,
       started_received_at, session_uid) VALUES (?, ?, ?, '', ?, 0, ?, ?, ?, ?)`,
  ).run(s.chargePointId, s.chargerTransactionId, s.connectorId, NO_TOKEN_YET, s.startTime, s.reservationId, s.receivedAt, timeOrderedUuid());
  return Number(r.lastInsertRowid);
}

export function setStartAuthorization(db: Db, id: number, idTag: string, status: string): void {
  stmt(db, 'UPDATE transactions SET id_tag = ?, start_auth_status = ? WHERE id = ?').run(idTag, status, id);
}

interface StoredEvent {
  seqNo: number;
  eventType: 'Started' | 'Updated' | 'Ended';
  timestamp: string;
  idToken: string | null;
  evseId: number | null;
  stoppedReason: string | null;
  energyWh: number | null;
  receivedAt: string;
}

/** Missing seqNos are listed up to this many (a station's counter may jump far). */
const MAX_LISTED_GAPS = 50;

const COLUMNS = `seq_no AS seqNo, event_type AS eventType, timestamp, id_token AS idToken, evse_id AS evseId, stopped_reason AS stoppedReason,
  energy_wh AS energyWh, received_at AS receivedAt`;

/**
 * One event of a transaction: the first (or, `last`, the latest) by seqNo that meets `where`.
 * Each is an index seek (primary key, or the partial and event-type indexes of migration 013),
 * so a session with thousands of Updated events costs the same per event as a short one.
 */
function pick(db: Db, chargePointId: string, chargerTransactionId: string, where: string, last = false): StoredEvent | undefined {
  return stmt(db, `SELECT ${COLUMNS} FROM transaction_events WHERE charge_point_id = ? AND charger_transaction_id = ?${where} ORDER BY seq_no${last ? ' DESC' : ''} LIMIT 1`).get(
    chargePointId,
    chargerTransactionId,
  ) as StoredEvent | undefined;
}

/**
 * The seqNos missing between the Started event and the Ended one. Stations number a
 * transaction's events from 0 (OCPP 2.0.1 E, as EVerest's libocpp does), so without its Started
 * event the count starts at 0. A Started event numbered above 0 shows a station counting
 * across its transactions: a number another of its transactions holds is then not missing.
 */
function missingSeqNos(db: Db, chargePointId: string, chargerTransactionId: string, started: StoredEvent | undefined, ended: StoredEvent): number[] {
  const lo = started?.seqNo ?? 0;
  const range = (sql: string, ...args: unknown[]) => (stmt(db, sql).all(...args) as Array<{ seqNo: number }>).map((r) => r.seqNo);
  const own = range(
    'SELECT seq_no AS seqNo FROM transaction_events WHERE charge_point_id = ? AND charger_transaction_id = ? AND seq_no BETWEEN ? AND ?',
    chargePointId,
    chargerTransactionId,
    lo,
    ended.seqNo,
  );
  if (own.length === ended.seqNo - lo + 1) return [];
  const present = new Set(own);
  if (lo > 0) for (const n of range('SELECT DISTINCT seq_no AS seqNo FROM transaction_events WHERE charge_point_id = ? AND seq_no BETWEEN ? AND ?', chargePointId, lo, ended.seqNo)) present.add(n);
  const missing: number[] = [];
  // Each step is either a present number or a listed gap, so the loop is bounded by both.
  for (let n = lo; n <= ended.seqNo && missing.length < MAX_LISTED_GAPS; n++) if (!present.has(n)) missing.push(n);
  return missing;
}

export interface SessionState {
  connectorId: number;
  idTag: string;
  meterStart: number;
  startTime: string;
  status: 'Active' | 'Completed';
  meterStop: number | null;
  stopTime: string | null;
  stopReason: string | null;
  energyWh: number | null;
  /** Seqnos still missing before its Ended event (empty when complete or still active). */
  gaps: number[];
  complete: boolean;
}

/**
 * Recomputes a 2.0.1 session from its stored events: the start from the Started event (or the
 * earliest), the energy from the first and last register readings by seqNo, the stop from the
 * Ended event. A session is complete once its Ended event and every seqNo before it are in;
 * its head-office record is queued in the same transaction, when it becomes complete.
 */
export function recomputeChargerSession(db: Db, id: number, chargePointId: string, chargerTransactionId: string, wasComplete: boolean): SessionState {
  const event = (where: string, last = false) => pick(db, chargePointId, chargerTransactionId, where, last);
  const current = stmt(db, 'SELECT connector_id AS connectorId, id_tag AS idTag FROM transactions WHERE id = ?').get(id) as { connectorId: number; idTag: string };
  const started = event(" AND event_type = 'Started'");
  const ended = event(" AND event_type = 'Ended'", true);
  const first = event(' AND energy_wh IS NOT NULL');
  const last = event(' AND energy_wh IS NOT NULL', true);
  const meterStart = Math.round(first?.energyWh ?? 0);
  const state: SessionState = {
    connectorId: event(' AND evse_id IS NOT NULL')?.evseId ?? current.connectorId,
    idTag: event(' AND id_token IS NOT NULL')?.idToken ?? current.idTag,
    meterStart,
    startTime: (started ?? event(''))!.timestamp,
    status: ended ? 'Completed' : 'Active',
    meterStop: null,
    stopTime: null,
    stopReason: null,
    energyWh: null,
    gaps: [],
    complete: false,
  };
  if (ended) {
    state.meterStop = Math.round(ended.energyWh ?? last?.energyWh ?? meterStart);
    state.stopTime = ended.timestamp;
    state.stopReason = ended.stoppedReason ?? 'Local';
    state.energyWh = state.meterStop - meterStart;
    state.gaps = missingSeqNos(db, chargePointId, chargerTransactionId, started, ended);
    state.complete = state.gaps.length === 0;
  }
  stmt(
    db,
    `UPDATE transactions SET connector_id = ?, id_tag = ?, meter_start = ?, start_time = ?, last_meter_wh = ?, last_meter_at = ?, status = ?,
       meter_stop = ?, stop_time = ?, stop_reason = ?, stop_id_tag = ?, energy_wh = ?, stopped_received_at = ?, seq_gaps = ? WHERE id = ?`,
  ).run(
    state.connectorId,
    state.idTag,
    meterStart,
    state.startTime,
    last?.energyWh ?? null,
    last?.timestamp ?? null,
    state.status,
    state.meterStop,
    state.stopTime,
    state.stopReason,
    ended?.idToken ?? null,
    state.energyWh,
    ended?.receivedAt ?? null,
    state.gaps.length ? JSON.stringify(state.gaps) : null,
    id,
  );
  if (state.complete && !wasComplete) enqueueSession(db, id);
  return state;
}
