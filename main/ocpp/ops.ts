/**
 * Every write the OCPP side makes, as plain functions of (db, plain-data args). They run
 * inside the group-commit writer's transaction, so checks and inserts are atomic and an
 * answer goes to the charger only once they are committed.
 */

import { authorizeForStart } from '../auth/authorize.js';
import type { IdTagInfo } from '../auth/decide.js';
import type { Db } from '../store/db.js';
import { type AuditEntry, insertAudit } from '../store/queries/audit.js';
import * as chargers from '../store/queries/chargers.js';
import * as connectors from '../store/queries/connectors.js';
import * as messageLog from '../store/queries/message-log.js';
import { insertMeterSamples, type MeterSample } from '../store/queries/meter-values.js';
import { enqueueChargerSnapshot } from '../store/queries/outbox.js';
import { consumeReservation } from '../store/queries/reservations.js';
import * as tx from '../store/queries/transactions.js';
import { stmt } from '../store/statements.js';
import { type MeterSummary, summariseSamples } from './domain/meter-events.js';
import { latestEnergyWh, toSamples } from './meter.js';
import type { MeterValuesRequest } from './schema/ocpp16.js';
import { v201WriteOps } from './v201/ops.js';

function connect(db: Db, a: { chargePointId: string; autoRegister: chargers.RegistrationStatus | null; remoteAddress: string; remotePort: number; ocppVersion: string; at: string }): void {
  if (a.autoRegister) chargers.ensureCharger(db, a.chargePointId, a.autoRegister);
  chargers.setConnection(db, a.chargePointId, { isConnected: true, at: a.at, remoteAddress: a.remoteAddress, remotePort: a.remotePort, ocppVersion: a.ocppVersion });
}

/** After a store outage: the connected flags are rewritten from the live sockets. */
function resyncConnections(db: Db, a: { live: Array<{ chargePointId: string; remoteAddress: string; remotePort: number }>; autoRegister: chargers.RegistrationStatus; at: string }): void {
  const live = new Set(a.live.map((c) => c.chargePointId));
  for (const c of chargers.listChargers(db, { connectedOnly: true })) {
    if (live.has(c.chargePointId)) continue;
    chargers.setConnection(db, c.chargePointId, { isConnected: false, at: a.at });
    connectors.markConnectorsUnknown(db, c.chargePointId, a.at);
  }
  for (const c of a.live) {
    // Its auto-registration may have been among the failed writes.
    chargers.ensureCharger(db, c.chargePointId, a.autoRegister);
    chargers.setConnection(db, c.chargePointId, { isConnected: true, at: a.at, remoteAddress: c.remoteAddress, remotePort: c.remotePort });
  }
}

function disconnect(db: Db, a: { chargePointId: string; at: string }): void {
  chargers.setConnection(db, a.chargePointId, { isConnected: false, at: a.at });
  connectors.markConnectorsUnknown(db, a.chargePointId, a.at);
}

/**
 * Decides the registration status and records the boot in one step inside the writer, so the
 * decision sees every earlier write of this charger. The handler used to read the registry
 * before queueing this op: a brand-new charger whose first frame arrived with (or right after)
 * the upgrade was read before its `connect` op (auto-registration) had committed, and got
 * Rejected - after which every other message of the connection was refused.
 */
function boot(db: Db, a: { chargePointId: string } & Omit<Parameters<typeof chargers.recordBoot>[2], 'status'>): { status: chargers.RegistrationStatus } {
  // No row at all (deleted while connected): the registry no longer knows it.
  const status = chargers.getChargerAuth(db, a.chargePointId)?.registrationStatus ?? 'Rejected';
  chargers.recordBoot(db, a.chargePointId, { ...a, status });
  // A new charger or changed inventory (firmware, meter) is reported to head office.
  enqueueChargerSnapshot(db, a.chargePointId, 'boot');
  return { status };
}

/** A charger logged in with the key we were rolling out: it becomes its key, if still that pending one. */
function confirmPendingPassword(db: Db, a: { chargePointId: string; pendingHash: string }): void {
  chargers.promotePendingPassword(db, a.chargePointId, a.pendingHash);
}

function presence(db: Db, a: Array<{ chargePointId: string; at: string; heartbeat: boolean }>): void {
  for (const p of a) chargers.touchLastSeen(db, p.chargePointId, p.at, p.heartbeat);
}

/**
 * Connector states that hold no transaction (OCPP 1.6 §4.9): Available is free for a new user;
 * Reserved only follows Available (ReserveNow on an occupied connector answers Occupied);
 * Unavailable allows no charging (ChangeAvailability during a transaction is Scheduled until it
 * ends). Not Faulted (a transaction may resume when the fault clears), nor Finishing or
 * Preparing (StopTransaction usually comes just after Finishing; Preparing precedes a start).
 */
const HOLDS_NO_TRANSACTION: ReadonlySet<string> = new Set(['Available', 'Reserved', 'Unavailable']);

/**
 * `keepHistory` bounds status_history (config statusHistoryMaxRows). It used to be applied
 * nowhere, so the history grew without limit. The delete is a rowid range, nearly free.
 * A connector reporting a state without a transaction closes the sessions still open on it that
 * started by then: their stops never came (some stacks never stop a refused start). Connector 0
 * (the charger itself) holds no session, so its report closes none. Returns the inferred stops.
 */
function status(db: Db, a: connectors.StatusReport & { keepHistory?: number }): InferredStop[] {
  connectors.recordStatus(db, a);
  if (a.keepHistory !== undefined) connectors.pruneStatusHistory(db, a.keepHistory);
  if (!HOLDS_NO_TRANSACTION.has(a.status)) return [];
  return inferStops(db, { chargePointId: a.chargePointId, connectorId: a.connectorId, at: a.statusAt, receivedAt: a.receivedAt });
}

export interface InferredStop {
  transactionId: number;
  meterStop: number;
  energyWh: number;
}

/**
 * Closes the sessions open on a connector that started at or before `at`, flagged stop-inferred
 * so a late real stop still replaces it. They end at `meterAt` (the next session's meter start)
 * when that is a plausible reading for them, else at their last known register.
 */
function inferStops(db: Db, c: { chargePointId: string; connectorId: number; at: string; receivedAt: string; meterAt?: number }): InferredStop[] {
  return tx.staleActiveOnConnector(db, c.chargePointId, c.connectorId, c.at).map((old) => {
    const meterStop = c.meterAt !== undefined && c.meterAt >= old.meterStart ? c.meterAt : Math.round(old.lastMeterWh ?? old.meterStart);
    tx.completeInferred(db, old.id, { meterStop, stopTime: c.at, receivedAt: c.receivedAt });
    return { transactionId: old.id, meterStop, energyWh: meterStop - old.meterStart };
  });
}

/** Instants (timestamp, receivedAt) are UTC (store/instant.ts), as everything stored. */
export interface StartArgs {
  chargePointId: string;
  connectorId: number;
  idTag: string;
  meterStart: number;
  timestamp: string;
  reservationId: number | null;
  receivedAt: string;
}

/** Always yields a transactionId; a retry of an already stored start yields the same one. */
function startTransaction(db: Db, a: StartArgs): { transactionId: number; idTagInfo: IdTagInfo; duplicate: boolean } {
  const identity = { chargePointId: a.chargePointId, connectorId: a.connectorId, startTime: a.timestamp, meterStart: a.meterStart, idTag: a.idTag };
  const existing = tx.findStartedTransaction(db, identity);
  if (existing !== undefined) {
    return { transactionId: existing, idTagInfo: authorizeForStart(db, a.idTag, existing, undefined, a), duplicate: true };
  }
  // A charger delivers its queued messages in order, so a new start on a connector means the
  // previous session's stop was lost.
  inferStops(db, { chargePointId: a.chargePointId, connectorId: a.connectorId, at: a.timestamp, receivedAt: a.receivedAt, meterAt: a.meterStart });
  const idTagInfo = authorizeForStart(db, a.idTag, null, undefined, a);
  const transactionId = tx.insertTransaction(db, { ...identity, authStatus: idTagInfo.status, reservationId: a.reservationId, receivedAt: a.receivedAt });
  if (a.reservationId !== null) consumeReservation(db, a.reservationId, a.chargePointId, transactionId, a.receivedAt);
  return { transactionId, idTagInfo, duplicate: false };
}

export interface StopArgs {
  chargePointId: string;
  transactionId: number;
  idTag: string | null;
  meterStop: number;
  timestamp: string;
  reason: string;
  samples: MeterSample[];
  payload: string;
  receivedAt: string;
}

export type StopOutcome = 'stopped' | 'already-stopped' | 'unknown';

/** Idempotent: a retried stop changes nothing; an unknown id is kept for review. */
function stopTransaction(db: Db, a: StopArgs): { outcome: StopOutcome; energyWh: number | null; connectorId: number | null } {
  const t = tx.getTransaction(db, a.transactionId);
  if (!t || t.chargePointId !== a.chargePointId) {
    tx.insertOrphanStop(db, { ...a, transactionId: a.transactionId, stopTime: a.timestamp });
    return { outcome: 'unknown', energyWh: null, connectorId: null };
  }
  // The stop's own samples go in first so the session's head-office record (queued by
  // completeTransaction) summarises them; a retry's samples are ignored by their identity.
  insertMeterSamples(
    db,
    a.samples.map((s) => ({ ...s, connectorId: t.connectorId })),
  );
  // A retried stop changes nothing; a late real stop replaces the one we inferred.
  if (!tx.completeTransaction(db, a.transactionId, { meterStop: a.meterStop, stopTime: a.timestamp, reason: a.reason, idTag: a.idTag, receivedAt: a.receivedAt })) {
    return { outcome: 'already-stopped', energyWh: t.energyWh, connectorId: t.connectorId };
  }
  return { outcome: 'stopped', energyWh: a.meterStop - t.meterStart, connectorId: t.connectorId };
}

/** Samples already flattened (a 2.0.1 station's MeterValues): stored; a session's energy advanced. */
function meterSamples(db: Db, a: { chargePointId: string; samples: MeterSample[]; transactionId: number | null }): { added: number; energyWh: number | null } {
  const added = insertMeterSamples(db, a.samples);
  let energyWh: number | null = null;
  const latest = a.transactionId !== null ? latestEnergyWh(a.samples) : undefined;
  if (latest) {
    const t = tx.advanceLastMeter(db, a.transactionId!, a.chargePointId, latest.wh, latest.at);
    if (t) energyWh = latest.wh - t.meterStart;
  }
  return { added, energyWh };
}

/**
 * A 1.6 message's meterValue[] as received: flattened into samples here, on the writer's thread,
 * which also spares the main thread copying the (larger) flattened rows across to it.
 */
function meterValues(
  db: Db,
  a: { chargePointId: string; connectorId: number; transactionId: number | null; meterValue: MeterValuesRequest['meterValue']; receivedAt: string },
): MeterSummary & { added: number } {
  const samples = toSamples(a.chargePointId, a.connectorId, a.transactionId, a.meterValue, 'MeterValues', a.receivedAt);
  const { added, energyWh } = meterSamples(db, { chargePointId: a.chargePointId, samples, transactionId: a.transactionId });
  return { ...summariseSamples(samples, energyWh), added };
}

function firmwareStatus(db: Db, a: { chargePointId: string; status: string; at: string }): void {
  chargers.setFirmwareStatus(db, a.chargePointId, a.status, a.at);
  enqueueChargerSnapshot(db, a.chargePointId, 'firmware');
}

function diagnosticsStatus(db: Db, a: { chargePointId: string; status: string; at: string }): void {
  chargers.setDiagnosticsStatus(db, a.chargePointId, a.status, a.at);
}

function dataTransfer(db: Db, a: { chargePointId: string; vendorId: string; messageId: string | null; data: string | null; status: string; at: string }): void {
  stmt(db, 'INSERT INTO data_transfers(charge_point_id, vendor_id, message_id, data, status, at) VALUES (?, ?, ?, ?, ?, ?)').run(a.chargePointId, a.vendorId, a.messageId, a.data, a.status, a.at);
}

function logFrames(db: Db, a: { frames: messageLog.FrameToLog[]; keep: number }): void {
  messageLog.insertFrames(db, a.frames);
  messageLog.pruneFrames(db, a.keep);
}

function deviation(db: Db, a: Parameters<typeof messageLog.insertDeviation>[1]): void {
  messageLog.insertDeviation(db, a);
}

/** An audit entry the OCPP side raises itself (a security event, not a command). */
function audit(db: Db, a: AuditEntry): void {
  insertAudit(db, a);
}

export const writeOps = {
  connect,
  disconnect,
  resyncConnections,
  boot,
  confirmPendingPassword,
  presence,
  status,
  startTransaction,
  stopTransaction,
  meterValues,
  meterSamples,
  firmwareStatus,
  diagnosticsStatus,
  dataTransfer,
  logFrames,
  deviation,
  audit,
  ...v201WriteOps,
};

export type WriteOps = typeof writeOps;
