import type { Db } from '../db.js';
import { nowIso, stmt } from '../statements.js';
import { timeOrderedUuid } from '../time-ordered-uuid.js';

/**
 * The head-office outbox (issue 10). Records are written by the store functions that complete a
 * session, in the caller's transaction, so a session cannot commit without its upload record.
 * A record's payload is frozen when it is queued: every retry sends the same bytes under the
 * same idempotency key.
 */
export type OutboxKind = 'session' | 'snapshot' | 'alert';
export type OutboxState = 'pending' | 'sent' | 'parked' | 'dismissed';

export interface OutboxRecord {
  id: number;
  kind: OutboxKind;
  idempotencyKey: string;
  subject: string | null;
  payload: string;
  createdAt: string;
  state: OutboxState;
  attempts: number;
  lastError: string | null;
  parkedReason: string | null;
  sentAt: string | null;
}

const SELECT = `SELECT id, kind, idempotency_key AS idempotencyKey, subject, payload, created_at AS createdAt, state, attempts,
  last_error AS lastError, parked_reason AS parkedReason, sent_at AS sentAt FROM sync_outbox`;

/** Per-connection outbox options, set once by the composition (app.ts). */
const options = new WeakMap<Db, { includeMeterSamples: boolean }>();

export function configureOutbox(db: Db, o: { includeMeterSamples: boolean }): void {
  options.set(db, o);
}

export function enqueue(db: Db, r: { kind: OutboxKind; idempotencyKey: string; subject: string | null; payload: unknown }): void {
  stmt(db, 'INSERT INTO sync_outbox(kind, idempotency_key, subject, payload, created_at) VALUES (?, ?, ?, ?, ?)').run(r.kind, r.idempotencyKey, r.subject, JSON.stringify(r.payload), nowIso());
}

interface SessionRow {
  transactionId: number;
  chargerTransactionId: string;
  sessionUid: string;
  chargePointId: string;
  connectorId: number;
  idTag: string;
  startAuthStatus: string;
  meterStart: number;
  startTime: string;
  meterStop: number;
  stopTime: string;
  stopReason: string | null;
  stopIdTag: string | null;
  stopInferred: number;
  reservationId: number | null;
}

interface SampleRow {
  timestamp: string;
  measurand: string;
  value: string;
  unit: string;
  phase: string | null;
  context: string;
  location: string;
  format: string;
}

/**
 * The session's meter values in its record: a summary, aggregated by SQLite (the record is built
 * in the writer's commit, once per completed session), and the samples themselves when configured.
 * Instants are stored normalised (UTC, one format), so min/max order them as time.
 */
function meterValues(db: Db, transactionId: number, chargePointId: string): Record<string, unknown> {
  const s = stmt(
    db,
    `SELECT count(*) AS samples, min(timestamp) AS first, max(timestamp) AS last, group_concat(DISTINCT measurand) AS measurands,
       coalesce(max(format = 'SignedData'), 0) AS signed,
       max(CASE WHEN measurand = 'Power.Active.Import' AND phase IS NULL THEN CASE unit WHEN 'kW' THEN value_num * 1000 ELSE value_num END END) AS maxPowerW
     FROM meter_values WHERE transaction_id = ? AND charge_point_id = ?`,
  ).get(transactionId, chargePointId) as { samples: number; first: string | null; last: string | null; measurands: string | null; signed: number; maxPowerW: number | null };
  const summary = {
    samples: s.samples,
    first_timestamp: s.first,
    last_timestamp: s.last,
    measurands: s.measurands ? s.measurands.split(',').sort() : [],
    signed: s.signed === 1,
    max_power_w: s.maxPowerW,
  };
  if (!options.get(db)?.includeMeterSamples) return { meter_values_summary: summary };
  const samples = stmt(
    db,
    `SELECT timestamp, measurand, value, unit, phase, context, location, format FROM meter_values
     WHERE transaction_id = ? AND charge_point_id = ? ORDER BY timestamp, id`,
  ).all(transactionId, chargePointId) as SampleRow[];
  return { meter_values_summary: summary, meter_values: samples };
}

/** Later records of one session (a real stop replacing an inferred one) are revisions under their own key. */
function nextRevision(db: Db, sessionUid: string): { revision: number; idempotencyKey: string } {
  const n = (stmt(db, "SELECT count(*) AS n FROM sync_outbox WHERE kind = 'session' AND subject = ?").get(sessionUid) as { n: number }).n;
  return { revision: n + 1, idempotencyKey: n === 0 ? sessionUid : `${sessionUid}.r${n + 1}` };
}

/** Queues the upload record of a completed session; field names follow OCPI 2.2.1 CDRs where they overlap. */
export function enqueueSession(db: Db, transactionId: number): void {
  const t = stmt(
    db,
    `SELECT id AS transactionId, coalesce(charger_transaction_id, CAST(id AS TEXT)) AS chargerTransactionId, session_uid AS sessionUid, charge_point_id AS chargePointId, connector_id AS connectorId, id_tag AS idTag,
       start_auth_status AS startAuthStatus, meter_start AS meterStart, start_time AS startTime, meter_stop AS meterStop, stop_time AS stopTime,
       stop_reason AS stopReason, stop_id_tag AS stopIdTag, stop_inferred AS stopInferred, reservation_id AS reservationId
     FROM transactions WHERE id = ? AND status = 'Completed'`,
  ).get(transactionId) as SessionRow | undefined;
  if (!t) return;
  const rev = nextRevision(db, t.sessionUid);
  enqueue(db, {
    kind: 'session',
    idempotencyKey: rev.idempotencyKey,
    subject: t.sessionUid,
    payload: {
      id: t.sessionUid,
      idempotency_key: rev.idempotencyKey,
      revision: rev.revision,
      charge_point_id: t.chargePointId,
      connector_id: t.connectorId,
      transaction_id: t.transactionId,
      // The charger's own id: a 2.0.1 station's string, a 1.6 charger's the one we gave it.
      charger_transaction_id: t.chargerTransactionId,
      auth_id: t.idTag,
      auth_status: t.startAuthStatus,
      stop_auth_id: t.stopIdTag,
      reservation_id: t.reservationId,
      start_date_time: t.startTime,
      end_date_time: t.stopTime,
      meter_start_wh: t.meterStart,
      meter_stop_wh: t.meterStop,
      total_energy: (t.meterStop - t.meterStart) / 1000,
      // Hours, as in OCPI; null when a charger's clock put the stop before the start.
      total_time: Date.parse(t.stopTime) >= Date.parse(t.startTime) ? (Date.parse(t.stopTime) - Date.parse(t.startTime)) / 3_600_000 : null,
      stop_reason: t.stopReason,
      stop_inferred: t.stopInferred === 1,
      orphan: false,
      ...meterValues(db, t.transactionId, t.chargePointId),
      last_updated: nowIso(),
    },
  });
}

/** A stop for a transaction we never knew, kept for review: head office learns of it too. */
export function enqueueOrphanStop(
  db: Db,
  o: { sessionUid: string; chargePointId: string; transactionId: number; idTag: string | null; meterStop: number; stopTime: string; reason: string | null },
): void {
  enqueue(db, {
    kind: 'session',
    idempotencyKey: o.sessionUid,
    subject: o.sessionUid,
    payload: {
      id: o.sessionUid,
      idempotency_key: o.sessionUid,
      revision: 1,
      charge_point_id: o.chargePointId,
      connector_id: null,
      transaction_id: o.transactionId,
      auth_id: o.idTag,
      auth_status: null,
      stop_auth_id: o.idTag,
      reservation_id: null,
      start_date_time: null,
      end_date_time: o.stopTime,
      meter_start_wh: null,
      meter_stop_wh: o.meterStop,
      total_energy: null,
      total_time: null,
      stop_reason: o.reason,
      stop_inferred: false,
      orphan: true,
      meter_values_summary: null,
      last_updated: nowIso(),
    },
  });
}

/** Inventory of a charger as head office sees it; queued only when it changed since the last one. */
export function enqueueChargerSnapshot(db: Db, chargePointId: string, cause: string): void {
  const c = stmt(
    db,
    `SELECT charge_point_id, vendor, model, serial_number, charge_box_serial_number, firmware_version, firmware_status, meter_type,
       meter_serial_number, registration_status, description FROM chargers WHERE charge_point_id = ?`,
  ).get(chargePointId) as Record<string, unknown> | undefined;
  if (!c) return;
  const content = JSON.stringify(c);
  const last = stmt(db, "SELECT payload FROM sync_outbox WHERE kind = 'snapshot' AND subject = ? ORDER BY id DESC LIMIT 1").get(chargePointId) as { payload: string } | undefined;
  if (last && JSON.stringify((JSON.parse(last.payload) as { charger: unknown }).charger) === content) return;
  const key = timeOrderedUuid();
  enqueue(db, { kind: 'snapshot', idempotencyKey: key, subject: chargePointId, payload: { type: 'charger', idempotency_key: key, cause, at: nowIso(), charger: c } });
}

export function enqueueAlert(db: Db, a: { kind: string; message: string; at: string; chargePointId?: string }): void {
  const key = timeOrderedUuid();
  enqueue(db, {
    kind: 'alert',
    idempotencyKey: key,
    subject: a.kind,
    payload: { type: 'alert', idempotency_key: key, kind: a.kind, message: a.message, at: a.at, charge_point_id: a.chargePointId ?? null },
  });
}

/** The oldest pending records of the given kinds. */
export function pendingBatch(db: Db, kinds: readonly OutboxKind[], limit: number): OutboxRecord[] {
  return stmt(db, `${SELECT} WHERE state = 'pending' AND kind IN (${kinds.map(() => '?').join(', ')}) ORDER BY id LIMIT ?`).all(...kinds, limit) as OutboxRecord[];
}

export const hasPending = (db: Db): boolean => stmt(db, "SELECT 1 FROM sync_outbox WHERE state = 'pending' LIMIT 1").get() !== undefined;

export function markSent(db: Db, ids: number[], at: string): void {
  const s = stmt(db, "UPDATE sync_outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ? AND state = 'pending'");
  for (const id of ids) s.run(at, id);
}

export function park(db: Db, id: number, reason: string): void {
  stmt(db, "UPDATE sync_outbox SET state = 'parked', parked_reason = ?, attempts = attempts + 1 WHERE id = ? AND state = 'pending'").run(reason, id);
}

export function noteFailure(db: Db, ids: number[], error: string): void {
  const s = stmt(db, "UPDATE sync_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ? AND state = 'pending'");
  for (const id of ids) s.run(error, id);
}

export function outboxStats(db: Db): { pending: number; oldestPendingAt: string | null; parked: number } {
  return stmt(
    db,
    `SELECT (SELECT count(*) FROM sync_outbox WHERE state = 'pending') AS pending,
       (SELECT min(created_at) FROM sync_outbox WHERE state = 'pending') AS oldestPendingAt,
       (SELECT count(*) FROM sync_outbox WHERE state = 'parked') AS parked`,
  ).get() as { pending: number; oldestPendingAt: string | null; parked: number };
}

export function listParked(db: Db, limit: number, offset: number): OutboxRecord[] {
  return stmt(db, `${SELECT} WHERE state = 'parked' ORDER BY id LIMIT ? OFFSET ?`).all(limit, offset) as OutboxRecord[];
}

/** An operator's decision on a parked record: queue it again, or give up on it (the row stays). */
export function resolveParked(db: Db, id: number, to: 'pending' | 'dismissed'): boolean {
  return stmt(db, "UPDATE sync_outbox SET state = ?, last_error = NULL WHERE id = ? AND state = 'parked'").run(to, id).changes > 0;
}

/** Sessions ended in [from, to) (UTC instants), orphan stops included: what a day manifest counts. */
export function sessionsEndedBetween(db: Db, from: string, to: string): Array<{ chargePointId: string; sessionUid: string }> {
  return stmt(
    db,
    `SELECT charge_point_id AS chargePointId, session_uid AS sessionUid FROM transactions WHERE status = 'Completed' AND stop_time >= ? AND stop_time < ?
     UNION ALL SELECT charge_point_id, session_uid FROM orphan_stops WHERE stop_time >= ? AND stop_time < ?
     ORDER BY 1, 2`,
  ).all(from, to, from, to) as Array<{ chargePointId: string; sessionUid: string }>;
}

/**
 * Sent snapshots and alerts are history once head office has had them this long. Session rows
 * stay: they number the revisions of a session (a late real stop must not reuse a sent key).
 */
export function pruneSent(db: Db, before: string): number {
  return stmt(db, "DELETE FROM sync_outbox WHERE state = 'sent' AND kind != 'session' AND sent_at < ?").run(before).changes;
}
