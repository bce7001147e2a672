/**
 * The version-neutral commands (named and shaped as the OCPP 1.6 requests the API has always
 * taken) as an OCPP 2.0.1 station gets them, and its answers back in the neutral shape, so the
 * command service, its store effects and the API treat both versions alike (issue 14).
 *
 * Where 2.0.1 has no exact counterpart the choice is documented per command (Reset Soft is
 * OnIdle, GetDiagnostics is GetLog DiagnosticsLog, configuration keys are device model
 * variables, see v201-variables.ts). An answer the neutral shape cannot hold (UpdateFirmware
 * Rejected, GetLog Rejected) fails the command with the station's status.
 */
import type { OutboundAction } from '../ocpp/actions.js';
import type { ActionTypes as A16 } from '../ocpp/schema/ocpp16.js';
import type { OcppServer } from '../ocpp/server.js';
import type { OutboundAction as Out201 } from '../ocpp/v201/actions.js';
import type { ActionTypes as A201 } from '../ocpp/v201/ocpp201.js';
import type { VariableRef } from '../store/queries/device-model.js';
import { CommandError } from './errors.js';
import type { CommandSender } from './sender.js';
import { V16_KEY_VARIABLES, variableForKey, variableKey } from './v201-variables.js';

/** What translating needs to know beyond the request. */
export interface V201Context {
  /** The station's own id of one of its sessions, by the session's id in the API (undefined: unknown). */
  chargerTransactionId(chargePointId: string, transactionId: number): string | undefined;
  /** A fresh id for a request the station reports on later (remoteStartId, requestId). */
  nextRequestId(): number;
  /** Whether the station's device model (its last report) says the variable's value is read-only. */
  readOnly(chargePointId: string, ref: VariableRef): boolean;
}

export interface V201Translation<A extends OutboundAction, W extends Out201> {
  action: W;
  /** How the neutral body's fields reach a 2.0.1 station (published in the API document). */
  doc: string;
  request(req: A16[A]['request'], chargePointId: string, ctx: V201Context): A201[W]['request'];
  response(res: A201[W]['response'], req: A16[A]['request'], chargePointId: string, ctx: V201Context): A16[A]['response'];
}

const tr = <A extends OutboundAction, W extends Out201>(t: V201Translation<A, W>) => t;

type IdToken = A201['Authorize']['request']['idToken'];
type Profile16 = A16['SetChargingProfile']['request']['csChargingProfiles'];
type Profile201 = A201['SetChargingProfile']['request']['chargingProfile'];
type Purpose16 = Profile16['chargingProfilePurpose'];

/** Tags of the RFID table are cards: ISO 14443 (the stations look them up by their text whatever the type). */
const card = (idTag: string): IdToken => ({ idToken: idTag, type: 'ISO14443' });
/** A group (1.6 parentIdTag) is a token of ours, type Central, as the server answers it. */
const group = (idTag: string): IdToken => ({ idToken: idTag, type: 'Central' });

const PURPOSE: Record<Purpose16, Profile201['chargingProfilePurpose']> = {
  ChargePointMaxProfile: 'ChargingStationMaxProfile',
  TxDefaultProfile: 'TxDefaultProfile',
  TxProfile: 'TxProfile',
};

/** Our session id -> the station's transaction id; a session we do not know of this station is a bad request. */
function stationTxId(ctx: V201Context, cp: string, transactionId: number, field: string): string {
  const id = ctx.chargerTransactionId(cp, transactionId);
  if (id === undefined) throw new CommandError('not-found', `${cp} has no transaction ${transactionId}`, { field });
  return id;
}

function profile201(p: Profile16, cp: string, ctx: V201Context): Profile201 {
  const s = p.chargingSchedule;
  return {
    id: p.chargingProfileId,
    stackLevel: p.stackLevel,
    chargingProfilePurpose: PURPOSE[p.chargingProfilePurpose],
    chargingProfileKind: p.chargingProfileKind,
    ...(p.recurrencyKind && { recurrencyKind: p.recurrencyKind }),
    ...(p.validFrom && { validFrom: p.validFrom }),
    ...(p.validTo && { validTo: p.validTo }),
    ...(p.transactionId !== undefined && { transactionId: stationTxId(ctx, cp, p.transactionId, 'csChargingProfiles.transactionId') }),
    // One schedule, numbered as its profile (2.0.1 allows up to three, for ISO 15118 EVs to choose from).
    chargingSchedule: [
      {
        id: p.chargingProfileId,
        chargingRateUnit: s.chargingRateUnit,
        chargingSchedulePeriod: s.chargingSchedulePeriod,
        ...(s.duration !== undefined && { duration: s.duration }),
        ...(s.startSchedule && { startSchedule: s.startSchedule }),
        ...(s.minChargingRate !== undefined && { minChargingRate: s.minChargingRate }),
      },
    ],
  };
}

/** The variables GetConfiguration reads: the keys asked for, or every 1.6 key with a counterpart. */
function requestedKeys(req: A16['GetConfiguration']['request']): string[] {
  return req.key?.length ? req.key : Object.keys(V16_KEY_VARIABLES);
}

/** Keys with a variable, by the variable's key (answers name the variable, not the key asked for). */
function keysByVariable(keys: string[]): { refs: VariableRef[]; keyOf: Map<string, string>; unknown: string[] } {
  const refs: VariableRef[] = [];
  const keyOf = new Map<string, string>();
  const unknown: string[] = [];
  for (const key of keys) {
    const ref = variableForKey(key);
    if (!ref) unknown.push(key);
    else if (!keyOf.has(variableKey(ref))) {
      refs.push(ref);
      keyOf.set(variableKey(ref), key);
    }
  }
  return { refs, keyOf, unknown };
}

function unusable(cp: string, action: string, status: string, info?: { reasonCode: string; additionalInfo?: string }): CommandError {
  return new CommandError('call-error', `${cp} answered ${action} with ${status}${info ? ` (${info.reasonCode}${info.additionalInfo ? `: ${info.additionalInfo}` : ''})` : ''}`);
}

export const V201_TRANSLATIONS: { [A in OutboundAction]: V201Translation<A, Out201> } = {
  RemoteStartTransaction: tr({
    action: 'RequestStartTransaction',
    doc: "connectorId is the evseId; idTag the idToken (type ISO14443); a remoteStartId is added; chargingProfile becomes the 2.0.1 profile (its transactionId, our session id, the station's).",
    request: (r, cp, ctx) => ({
      idToken: card(r.idTag),
      remoteStartId: ctx.nextRequestId(),
      ...(r.connectorId !== undefined && { evseId: r.connectorId }),
      ...(r.chargingProfile && { chargingProfile: profile201(r.chargingProfile, cp, ctx) }),
    }),
    response: (res) => ({ status: res.status }),
  }),

  RemoteStopTransaction: tr({
    action: 'RequestStopTransaction',
    doc: "transactionId (our session id) becomes the station's own transaction id.",
    request: (r, cp, ctx) => ({ transactionId: stationTxId(ctx, cp, r.transactionId, 'transactionId') }),
    response: (res) => ({ status: res.status }),
  }),

  // Hard: now, ending transactions (Immediate). Soft: once the station is idle (OnIdle).
  Reset: tr({
    action: 'Reset',
    doc: 'type Hard is Immediate, Soft is OnIdle (Scheduled while charging is answered Accepted).',
    request: (r) => ({ type: r.type === 'Hard' ? 'Immediate' : 'OnIdle' }),
    // Scheduled: it resets when its transactions end, which is what was asked.
    response: (res) => ({ status: res.status === 'Rejected' ? 'Rejected' : 'Accepted' }),
  }),

  // A 1.6 connector is a 2.0.1 EVSE (with its one connector).
  UnlockConnector: tr({
    action: 'UnlockConnector',
    doc: 'connectorId is the evseId (its connector 1); UnknownConnector is answered NotSupported, OngoingAuthorizedTransaction UnlockFailed.',
    request: (r) => ({ evseId: r.connectorId, connectorId: 1 }),
    response: (res) => ({ status: res.status === 'Unlocked' ? 'Unlocked' : res.status === 'UnknownConnector' ? 'NotSupported' : 'UnlockFailed' }),
  }),

  ChangeAvailability: tr({
    action: 'ChangeAvailability',
    doc: 'type is operationalStatus; connectorId is the EVSE (0: the whole station).',
    request: (r) => ({ operationalStatus: r.type, ...(r.connectorId > 0 && { evse: { id: r.connectorId } }) }),
    response: (res) => ({ status: res.status }),
  }),

  TriggerMessage: tr({
    action: 'TriggerMessage',
    doc: 'DiagnosticsStatusNotification is LogStatusNotification; connectorId is the EVSE.',
    request: (r) => ({
      requestedMessage: r.requestedMessage === 'DiagnosticsStatusNotification' ? 'LogStatusNotification' : r.requestedMessage,
      ...(r.connectorId !== undefined && r.connectorId > 0 && { evse: { id: r.connectorId, ...(r.requestedMessage === 'StatusNotification' && { connectorId: 1 }) } }),
    }),
    response: (res) => ({ status: res.status }),
  }),

  ClearCache: tr({ action: 'ClearCache', doc: 'the same message.', request: () => ({}), response: (res) => ({ status: res.status }) }),

  DataTransfer: tr({
    action: 'DataTransfer',
    doc: 'the same fields; data answered as JSON text.',
    request: (r) => ({ vendorId: r.vendorId, ...(r.messageId !== undefined && { messageId: r.messageId }), ...(r.data !== undefined && { data: r.data }) }),
    response: (res) => ({ status: res.status, ...(res.data !== undefined && { data: typeof res.data === 'string' ? res.data : JSON.stringify(res.data) }) }),
  }),

  GetLocalListVersion: tr({ action: 'GetLocalListVersion', doc: 'versionNumber is answered as listVersion.', request: () => ({}), response: (res) => ({ listVersion: res.versionNumber }) }),

  SendLocalList: tr({
    action: 'SendLocalList',
    doc: 'listVersion is versionNumber; idTag the idToken (ISO14443); idTagInfo idTokenInfo (expiryDate cacheExpiryDateTime, parentIdTag groupIdToken).',
    request: (r) => ({
      versionNumber: r.listVersion,
      updateType: r.updateType,
      ...(r.localAuthorizationList && {
        localAuthorizationList: r.localAuthorizationList.map((e) => ({
          idToken: card(e.idTag),
          ...(e.idTagInfo && {
            idTokenInfo: {
              status: e.idTagInfo.status,
              ...(e.idTagInfo.expiryDate && { cacheExpiryDateTime: e.idTagInfo.expiryDate }),
              ...(e.idTagInfo.parentIdTag && { groupIdToken: group(e.idTagInfo.parentIdTag) }),
            },
          }),
        })),
      }),
    }),
    response: (res) => ({ status: res.status }),
  }),

  ReserveNow: tr({
    action: 'ReserveNow',
    doc: 'reservationId is id, expiryDate expiryDateTime, idTag idToken, parentIdTag groupIdToken; connectorId the evseId (0: any EVSE).',
    request: (r) => ({
      id: r.reservationId,
      expiryDateTime: r.expiryDate,
      idToken: card(r.idTag),
      // Connector 0 (any connector) is a reservation of no particular EVSE.
      ...(r.connectorId > 0 && { evseId: r.connectorId }),
      ...(r.parentIdTag && { groupIdToken: group(r.parentIdTag) }),
    }),
    response: (res) => ({ status: res.status }),
  }),

  CancelReservation: tr({ action: 'CancelReservation', doc: 'the same message.', request: (r) => ({ reservationId: r.reservationId }), response: (res) => ({ status: res.status }) }),

  SetChargingProfile: tr({
    action: 'SetChargingProfile',
    doc: 'connectorId is the evseId; csChargingProfiles the chargingProfile (chargingProfileId id, ChargePointMaxProfile ChargingStationMaxProfile, the schedule a list of one).',
    request: (r, cp, ctx) => ({ evseId: r.connectorId, chargingProfile: profile201(r.csChargingProfiles, cp, ctx) }),
    response: (res) => ({ status: res.status }),
  }),

  ClearChargingProfile: tr({
    action: 'ClearChargingProfile',
    doc: 'id is chargingProfileId; connectorId, chargingProfilePurpose and stackLevel the chargingProfileCriteria.',
    request: (r) => {
      const criteria = {
        ...(r.connectorId !== undefined && { evseId: r.connectorId }),
        ...(r.chargingProfilePurpose && { chargingProfilePurpose: PURPOSE[r.chargingProfilePurpose] }),
        ...(r.stackLevel !== undefined && { stackLevel: r.stackLevel }),
      };
      return { ...(r.id !== undefined && { chargingProfileId: r.id }), ...(Object.keys(criteria).length && { chargingProfileCriteria: criteria }) };
    },
    response: (res) => ({ status: res.status }),
  }),

  GetCompositeSchedule: tr({
    action: 'GetCompositeSchedule',
    doc: 'connectorId is the evseId; the schedule is answered as chargingSchedule.',
    request: (r) => ({ evseId: r.connectorId, duration: r.duration, ...(r.chargingRateUnit && { chargingRateUnit: r.chargingRateUnit }) }),
    response: (res) => {
      const s = res.schedule;
      if (res.status !== 'Accepted' || !s) return { status: res.status };
      return {
        status: 'Accepted',
        connectorId: s.evseId,
        scheduleStart: s.scheduleStart,
        chargingSchedule: { duration: s.duration, startSchedule: s.scheduleStart, chargingRateUnit: s.chargingRateUnit, chargingSchedulePeriod: s.chargingSchedulePeriod },
      };
    },
  }),

  UpdateFirmware: tr({
    action: 'UpdateFirmware',
    doc: 'location and retrieveDate go in firmware, with a requestId; a refusal fails the command.',
    request: (r, _cp, ctx) => ({
      requestId: ctx.nextRequestId(),
      firmware: { location: r.location, retrieveDateTime: r.retrieveDate },
      ...(r.retries !== undefined && { retries: r.retries }),
      ...(r.retryInterval !== undefined && { retryInterval: r.retryInterval }),
    }),
    response: (res, _req, cp) => {
      if (res.status !== 'Accepted' && res.status !== 'AcceptedCanceled') throw unusable(cp, 'UpdateFirmware', res.status, res.statusInfo);
      return {};
    },
  }),

  GetDiagnostics: tr({
    action: 'GetLog',
    doc: 'GetLog of the DiagnosticsLog: location is log.remoteLocation, startTime/stopTime the oldest/latest timestamps; filename answered as fileName; a refusal fails the command.',
    request: (r, _cp, ctx) => ({
      logType: 'DiagnosticsLog',
      requestId: ctx.nextRequestId(),
      log: { remoteLocation: r.location, ...(r.startTime && { oldestTimestamp: r.startTime }), ...(r.stopTime && { latestTimestamp: r.stopTime }) },
      ...(r.retries !== undefined && { retries: r.retries }),
      ...(r.retryInterval !== undefined && { retryInterval: r.retryInterval }),
    }),
    response: (res, _req, cp) => {
      if (res.status === 'Rejected') throw unusable(cp, 'GetLog', res.status, res.statusInfo);
      return res.filename ? { fileName: res.filename } : {};
    },
  }),

  // Configuration keys are device model variables: a 1.6 key with a counterpart, or `Component/Variable`.
  GetConfiguration: tr({
    action: 'GetVariables',
    doc: 'GetVariables: each key is a device model variable, a 1.6 key with a 2.0.1 counterpart (HeartbeatInterval ...) or Component[instance]@evse.connector/Variable[instance]; no key reads every key with a counterpart; readonly is what the last device model report of the station (GetBaseReport) said.',
    request: (r) => ({ getVariableData: keysByVariable(requestedKeys(r)).refs }),
    response: (res, req, cp, ctx) => {
      const { keyOf, unknown } = keysByVariable(requestedKeys(req));
      const configurationKey: NonNullable<A16['GetConfiguration']['response']['configurationKey']> = [];
      for (const r of res.getVariableResult) {
        const key = keyOf.get(variableKey(r)) ?? variableKey(r);
        // Rejected: readable by no one (a write-only password), shown without its value as in 1.6.
        // Read-only as the device model says (GetVariables does not): unknown until a report.
        if (r.attributeStatus === 'Accepted' || r.attributeStatus === 'Rejected') {
          configurationKey.push({ key, readonly: ctx.readOnly(cp, r), ...(r.attributeValue !== undefined && { value: r.attributeValue }) });
        } else unknown.push(key);
      }
      // Asked for every key: the ones the station does not have are not worth listing.
      return { configurationKey, ...(req.key?.length && unknown.length && { unknownKey: unknown }) };
    },
  }),

  ChangeConfiguration: tr({
    action: 'SetVariables',
    doc: "SetVariables of the key's variable (as for GetConfiguration); the password only as AuthorizationKey (SecurityCtrlr.BasicAuthPassword).",
    request: (r) => {
      // The password goes by its 1.6 name, so it gets the key roll-out (kept until accepted) and stays masked.
      if (V16_KEY_VARIABLES.AuthorizationKey === r.key) throw new CommandError('invalid', `set ${r.key} as AuthorizationKey`, { field: 'key' });
      const ref = variableForKey(r.key);
      if (!ref) throw new CommandError('invalid', `${r.key} is neither a 1.6 key with a 2.0.1 counterpart nor a Component/Variable key`, { field: 'key' });
      return { setVariableData: [{ ...ref, attributeValue: r.value }] };
    },
    response: (res) => {
      const status = res.setVariableResult[0]?.attributeStatus;
      return { status: status === 'Accepted' || status === 'Rejected' || status === 'RebootRequired' ? status : 'NotSupported' };
    },
  }),
};

/** Sends the neutral commands to a 2.0.1 station through their translation. */
export const v201Sender = (ocpp: Pick<OcppServer, 'callV201'>, ctx: V201Context): CommandSender => ({
  async send(cp, action, request) {
    const t = V201_TRANSLATIONS[action];
    const answer = await ocpp.callV201(cp, t.action, t.request(request, cp, ctx) as never);
    return { response: t.response(answer as never, request, cp, ctx), sentAs: t.action };
  },
});
