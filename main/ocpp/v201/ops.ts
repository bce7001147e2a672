/**
 * The writes of the 2.0.1 adapter, run inside the group-commit writer's transaction like every
 * op of ../ops.ts (which lists them in writeOps): an answer leaves only once they are committed.
 */

import { authorizeForStart } from '../../auth/authorize.js';
import type { IdTagInfo } from '../../auth/decide.js';
import type { Db } from '../../store/db.js';
import { type ChargerEvent, insertChargerEvents } from '../../store/queries/charger-events.js';
import * as connectors from '../../store/queries/connectors.js';
import { type DeviceVariable, upsertDeviceVariables } from '../../store/queries/device-model.js';
import { evseConnectorStatuses, recordEvseConnector } from '../../store/queries/evse-connectors.js';
import { insertMeterSamples, type MeterSample } from '../../store/queries/meter-values.js';
import { consumeReservation, setStationReservationStatus } from '../../store/queries/reservations.js';
import * as txEvents from '../../store/queries/transaction-events.js';

/** EVSE states while a transaction runs, in the connector vocabulary the core and the UI share with 1.6. */
const CHARGING_STATE: Readonly<Record<string, string>> = {
  Charging: 'Charging',
  SuspendedEV: 'SuspendedEV',
  SuspendedEVSE: 'SuspendedEVSE',
  EVConnected: 'Preparing',
  Idle: 'Preparing',
};
const IN_SESSION: ReadonlySet<string> = new Set(['Charging', 'SuspendedEV', 'SuspendedEVSE', 'Preparing', 'Finishing']);

/** The EVSE's state as the core sees it; only a report newer than the one it holds counts (events come late). */
function setEvseState(db: Db, a: { chargePointId: string; evseId: number; status: string; errorCode: string; at: string; receivedAt: string }): boolean {
  const current = connectors.getConnector(db, a.chargePointId, a.evseId);
  if (current && current.statusAt > a.at) return false;
  if (current?.status === a.status && current.errorCode === a.errorCode) return false;
  connectors.recordStatus(db, { chargePointId: a.chargePointId, connectorId: a.evseId, status: a.status, errorCode: a.errorCode, statusAt: a.at, receivedAt: a.receivedAt });
  return true;
}

/**
 * StatusNotification: the connector's own status, and its EVSE's in the core's terms. An EVSE
 * is occupied when any of its connectors is; occupied, it keeps the session state a
 * TransactionEvent gave it, else it is Preparing (a cable in, no transaction running).
 * Returns the EVSE state recorded, or null when it did not change.
 */
function evseStatus(db: Db, a: { chargePointId: string; evseId: number; connectorId: number; status: string; statusAt: string; receivedAt: string; keepHistory?: number }): string | null {
  recordEvseConnector(db, a);
  const all = evseConnectorStatuses(db, a.chargePointId, a.evseId);
  const current = connectors.getConnector(db, a.chargePointId, a.evseId)?.status;
  const status = all.includes('Occupied') ? (current && IN_SESSION.has(current) ? current : 'Preparing') : (['Faulted', 'Reserved', 'Available'].find((s) => all.includes(s)) ?? 'Unavailable');
  const changed = setEvseState(db, { chargePointId: a.chargePointId, evseId: a.evseId, status, errorCode: status === 'Faulted' ? 'OtherError' : 'NoError', at: a.statusAt, receivedAt: a.receivedAt });
  if (a.keepHistory !== undefined) connectors.pruneStatusHistory(db, a.keepHistory);
  return changed ? status : null;
}

export interface TransactionEventArgs extends Omit<txEvents.TransactionEventRow, 'energyWh'> {
  energyWh: number | null;
  chargingState: string | null;
  reservationId: number | null;
  /** Its meter values, transaction and EVSE filled in here. */
  samples: MeterSample[];
}

export interface TransactionEventResult {
  sessionId: number;
  repeated: boolean;
  /** The session row was created by this event (whichever event of it came first). */
  created: boolean;
  /** The Ended event was applied by this one. */
  ended: boolean;
  /** The answer for the event's idToken, when it carried one. */
  idTagInfo?: IdTagInfo;
  session: txEvents.SessionState | null;
  /** The EVSE state this event set, if it changed. */
  evseState: string | null;
}

/**
 * One TransactionEvent, applied once: a repeat (same transaction and seqNo) changes nothing
 * but still gets the token's current answer. The session row is recomputed from all events
 * (see recomputeChargerSession), so late and out-of-order events land where they belong.
 */
function transactionEvent(db: Db, a: TransactionEventArgs): TransactionEventResult {
  const fresh = txEvents.insertTransactionEvent(db, a);
  let session = txEvents.findChargerSession(db, a.chargePointId, a.chargerTransactionId);
  const created = !session;
  if (!session) {
    const id = txEvents.insertChargerSession(db, { ...a, connectorId: a.evseId ?? 0, startTime: a.timestamp });
    session = { id, connectorId: a.evseId ?? 0, idTag: '', startAuthStatus: txEvents.NO_TOKEN_YET, status: 'Active', complete: false };
  }
  const evseId = a.evseId ?? session.connectorId;
  // Other open sessions of the token count towards its limit; this one does not.
  const idTagInfo = a.idToken === null ? undefined : authorizeForStart(db, a.idToken, session.id, undefined, { chargePointId: a.chargePointId, connectorId: evseId });
  const base = { sessionId: session.id, created, ...(idTagInfo && { idTagInfo }) };
  if (!fresh) return { ...base, repeated: true, ended: false, session: null, evseState: null };
  insertMeterSamples(
    db,
    a.samples.map((s) => ({ ...s, transactionId: session.id, connectorId: evseId })),
  );
  if (idTagInfo && session.startAuthStatus === txEvents.NO_TOKEN_YET) txEvents.setStartAuthorization(db, session.id, a.idToken!, idTagInfo.status);
  if (created && a.reservationId !== null) consumeReservation(db, a.reservationId, a.chargePointId, session.id, a.receivedAt);
  const state = txEvents.recomputeChargerSession(db, session.id, a.chargePointId, a.chargerTransactionId, session.complete);
  // Only what happens now moves the EVSE's state: a queued event describes the past.
  const liveState = a.offline ? undefined : a.eventType === 'Ended' ? 'Finishing' : a.chargingState ? CHARGING_STATE[a.chargingState] : undefined;
  const evseState =
    liveState && setEvseState(db, { chargePointId: a.chargePointId, evseId: state.connectorId, status: liveState, errorCode: 'NoError', at: a.timestamp, receivedAt: a.receivedAt }) ? liveState : null;
  return { ...base, repeated: false, ended: a.eventType === 'Ended', session: state, evseState };
}

function deviceReport(db: Db, a: { chargePointId: string; requestId: number; rows: DeviceVariable[]; at: string }): void {
  upsertDeviceVariables(db, a.chargePointId, a.requestId, a.rows, a.at);
}

function chargerEvents(db: Db, a: { chargePointId: string; events: ChargerEvent[]; receivedAt: string }): void {
  insertChargerEvents(db, a.chargePointId, a.events, a.receivedAt);
}

/** ReservationStatusUpdate: a reservation of this station expired or was removed on it. False when it names none of ours. */
function reservationStatus(db: Db, a: { chargePointId: string; reservationId: number; status: string; at: string }): boolean {
  return setStationReservationStatus(db, a.chargePointId, a.reservationId, a.status, a.at);
}

export const v201WriteOps = { evseStatus, transactionEvent, deviceReport, chargerEvents, reservationStatus };
