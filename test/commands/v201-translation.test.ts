/**
 * Issue 14, commands per version: every version-neutral command (the 1.6-shaped request the API
 * takes) becomes a valid OCPP 2.0.1 request, and every 2.0.1 answer a valid neutral answer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandError } from '../../main/commands/errors.js';
import { V201_TRANSLATIONS, type V201Context } from '../../main/commands/v201.js';
import { parseVariableKey, variableForKey, variableKey } from '../../main/commands/v201-variables.js';
import { OUTBOUND_ACTIONS, type OutboundAction } from '../../main/ocpp/actions.js';
import type { ActionTypes as A16 } from '../../main/ocpp/schema/ocpp16.js';
import { createV201Validator } from '../../main/ocpp/v201/validator.js';
import { OcppValidator } from '../../main/ocpp/validator.js';

const v16 = new OcppValidator();
const v201 = createV201Validator();
const ctx: V201Context = {
  chargerTransactionId: (_cp, id) => (id === 7 ? 'tx-abc-7' : undefined),
  nextRequestId: () => 99,
  // As a device model reports it: the model name is read-only.
  readOnly: (_cp, ref) => ref.component.name === 'ChargingStation' && ref.variable.name === 'Model',
};
const future = new Date(Date.now() + 3_600_000).toISOString();
const profile: A16['SetChargingProfile']['request']['csChargingProfiles'] = {
  chargingProfileId: 3,
  stackLevel: 1,
  chargingProfilePurpose: 'TxProfile',
  chargingProfileKind: 'Relative',
  transactionId: 7,
  chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] },
};

/** One neutral request per command, and a 2.0.1 answer to it. */
const CASES: { [A in OutboundAction]: { req: A16[A]['request']; answer: unknown; wire: Record<string, unknown>; back: A16[A]['response'] } } = {
  RemoteStartTransaction: {
    req: { connectorId: 2, idTag: 'TAG-1', chargingProfile: profile },
    wire: { idToken: { idToken: 'TAG-1', type: 'ISO14443' }, remoteStartId: 99, evseId: 2 },
    answer: { status: 'Accepted' },
    back: { status: 'Accepted' },
  },
  RemoteStopTransaction: { req: { transactionId: 7 }, wire: { transactionId: 'tx-abc-7' }, answer: { status: 'Rejected' }, back: { status: 'Rejected' } },
  Reset: { req: { type: 'Soft' }, wire: { type: 'OnIdle' }, answer: { status: 'Scheduled' }, back: { status: 'Accepted' } },
  UnlockConnector: { req: { connectorId: 1 }, wire: { evseId: 1, connectorId: 1 }, answer: { status: 'OngoingAuthorizedTransaction' }, back: { status: 'UnlockFailed' } },
  ChangeAvailability: { req: { connectorId: 0, type: 'Inoperative' }, wire: { operationalStatus: 'Inoperative' }, answer: { status: 'Scheduled' }, back: { status: 'Scheduled' } },
  TriggerMessage: {
    req: { requestedMessage: 'DiagnosticsStatusNotification', connectorId: 1 },
    wire: { requestedMessage: 'LogStatusNotification', evse: { id: 1 } },
    answer: { status: 'Accepted' },
    back: { status: 'Accepted' },
  },
  ClearCache: { req: {}, wire: {}, answer: { status: 'Accepted' }, back: { status: 'Accepted' } },
  DataTransfer: {
    req: { vendorId: 'com.example', messageId: 'm', data: 'x' },
    wire: { vendorId: 'com.example', messageId: 'm', data: 'x' },
    answer: { status: 'Accepted', data: { a: 1 } },
    back: { status: 'Accepted', data: '{"a":1}' },
  },
  GetLocalListVersion: { req: {}, wire: {}, answer: { versionNumber: 12 }, back: { listVersion: 12 } },
  SendLocalList: {
    req: { listVersion: 4, updateType: 'Differential', localAuthorizationList: [{ idTag: 'A', idTagInfo: { status: 'Accepted', expiryDate: future, parentIdTag: 'FLEET' } }, { idTag: 'B' }] },
    wire: {
      versionNumber: 4,
      updateType: 'Differential',
      localAuthorizationList: [
        { idToken: { idToken: 'A', type: 'ISO14443' }, idTokenInfo: { status: 'Accepted', cacheExpiryDateTime: future, groupIdToken: { idToken: 'FLEET', type: 'Central' } } },
        { idToken: { idToken: 'B', type: 'ISO14443' } },
      ],
    },
    answer: { status: 'VersionMismatch' },
    back: { status: 'VersionMismatch' },
  },
  ReserveNow: {
    req: { connectorId: 0, expiryDate: future, idTag: 'R', parentIdTag: 'FLEET', reservationId: 5 },
    wire: { id: 5, expiryDateTime: future, idToken: { idToken: 'R', type: 'ISO14443' }, groupIdToken: { idToken: 'FLEET', type: 'Central' } },
    answer: { status: 'Occupied' },
    back: { status: 'Occupied' },
  },
  CancelReservation: { req: { reservationId: 5 }, wire: { reservationId: 5 }, answer: { status: 'Accepted' }, back: { status: 'Accepted' } },
  SetChargingProfile: {
    req: { connectorId: 1, csChargingProfiles: profile },
    wire: {
      evseId: 1,
      chargingProfile: {
        id: 3,
        stackLevel: 1,
        chargingProfilePurpose: 'TxProfile',
        chargingProfileKind: 'Relative',
        transactionId: 'tx-abc-7',
        chargingSchedule: [{ id: 3, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }],
      },
    },
    answer: { status: 'Accepted' },
    back: { status: 'Accepted' },
  },
  ClearChargingProfile: {
    req: { connectorId: 0, chargingProfilePurpose: 'ChargePointMaxProfile' },
    wire: { chargingProfileCriteria: { evseId: 0, chargingProfilePurpose: 'ChargingStationMaxProfile' } },
    answer: { status: 'Unknown' },
    back: { status: 'Unknown' },
  },
  GetCompositeSchedule: {
    req: { connectorId: 1, duration: 60, chargingRateUnit: 'W' },
    wire: { evseId: 1, duration: 60, chargingRateUnit: 'W' },
    answer: { status: 'Accepted', schedule: { evseId: 1, duration: 60, scheduleStart: future, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 7360 }] } },
    back: {
      status: 'Accepted',
      connectorId: 1,
      scheduleStart: future,
      chargingSchedule: { duration: 60, startSchedule: future, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 7360 }] },
    },
  },
  UpdateFirmware: {
    req: { location: 'http://127.0.0.1/fw.bin', retrieveDate: future, retries: 2 },
    wire: { requestId: 99, firmware: { location: 'http://127.0.0.1/fw.bin', retrieveDateTime: future }, retries: 2 },
    answer: { status: 'Accepted' },
    back: {},
  },
  GetDiagnostics: {
    req: { location: 'ftp://127.0.0.1/logs/', startTime: future },
    wire: { logType: 'DiagnosticsLog', requestId: 99, log: { remoteLocation: 'ftp://127.0.0.1/logs/', oldestTimestamp: future } },
    answer: { status: 'Accepted', filename: 'log.zip' },
    back: { fileName: 'log.zip' },
  },
  GetConfiguration: {
    req: { key: ['HeartbeatInterval', 'AuthorizationKey', 'EVSE@1/AvailabilityState', 'NoSuchKey', 'ChargingStation/Model'] },
    wire: {
      getVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
        { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } },
        { component: { name: 'ChargingStation' }, variable: { name: 'Model' } },
      ],
    },
    answer: {
      getVariableResult: [
        { attributeStatus: 'Accepted', attributeValue: '60', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        { attributeStatus: 'Rejected', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
        { attributeStatus: 'UnknownComponent', component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } },
        { attributeStatus: 'Accepted', attributeValue: 'SimAC-22', component: { name: 'ChargingStation' }, variable: { name: 'Model' } },
      ],
    },
    back: {
      configurationKey: [
        { key: 'HeartbeatInterval', readonly: false, value: '60' },
        { key: 'AuthorizationKey', readonly: false },
        { key: 'ChargingStation/Model', readonly: true, value: 'SimAC-22' },
      ],
      unknownKey: ['NoSuchKey', 'EVSE@1/AvailabilityState'],
    },
  },
  ChangeConfiguration: {
    req: { key: 'MeterValueSampleInterval', value: '30' },
    wire: { setVariableData: [{ component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' }, attributeValue: '30' }] },
    answer: { setVariableResult: [{ attributeStatus: 'UnknownVariable', component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' } }] },
    back: { status: 'NotSupported' },
  },
};

test('issue 14 commands: every neutral command translates to a valid OCPP 2.0.1 request and the 2.0.1 answer back to a valid neutral answer', () => {
  for (const action of OUTBOUND_ACTIONS) {
    const c = CASES[action] as { req: unknown; answer: unknown; wire: Record<string, unknown>; back: unknown };
    const t = V201_TRANSLATIONS[action];
    v16.check(`${action}.req`, c.req);
    const wire = t.request(c.req as never, 'CP-201', ctx);
    v201.check(`${t.action}.req`, wire);
    if (action === 'RemoteStartTransaction') assert.equal((wire as any).chargingProfile.transactionId, 'tx-abc-7', 'the TxProfile names the station transaction');
    else assert.deepEqual(wire, c.wire, `${action} -> ${t.action}`);
    v201.check(`${t.action}.conf`, c.answer);
    const back = t.response(c.answer as never, c.req as never, 'CP-201', ctx);
    v16.check(`${action}.conf`, back);
    assert.deepEqual(back, c.back, `${t.action} answer -> ${action} answer`);
  }
});

test('issue 14 commands: a session or configuration key a 2.0.1 station cannot have is a clear error before anything is sent; a refused firmware update or log upload fails the command', () => {
  const stop = () => V201_TRANSLATIONS.RemoteStopTransaction.request({ transactionId: 8 }, 'CP-201', ctx);
  assert.throws(stop, (e: unknown) => e instanceof CommandError && e.kind === 'not-found' && e.extra.field === 'transactionId' && /CP-201 has no transaction 8/.test(e.message));
  const change = () => V201_TRANSLATIONS.ChangeConfiguration.request({ key: 'NumberOfConnectors', value: '2' }, 'CP-201', ctx);
  assert.throws(change, (e: unknown) => e instanceof CommandError && e.kind === 'invalid' && e.extra.field === 'key');
  const fw = () => V201_TRANSLATIONS.UpdateFirmware.response({ status: 'InvalidCertificate' }, CASES.UpdateFirmware.req, 'CP-201', ctx);
  assert.throws(fw, /CP-201 answered UpdateFirmware with InvalidCertificate/);
  const log = () => V201_TRANSLATIONS.GetDiagnostics.response({ status: 'Rejected', statusInfo: { reasonCode: 'Busy' } }, CASES.GetDiagnostics.req, 'CP-201', ctx);
  assert.throws(log, /CP-201 answered GetLog with Rejected \(Busy\)/);
});

test('issue 14 commands: configuration keys name device model variables (Component[instance]@evse.connector/Variable[instance]) and round-trip', () => {
  for (const key of ['OCPPCommCtrlr/HeartbeatInterval', 'OCPPCommCtrlr/MessageAttempts[TransactionEvent]', 'EVSE@2/Power', 'Connector@1.2/ConnectorType', 'Ctrl[a b]/V']) {
    assert.equal(variableKey(parseVariableKey(key)!), key);
  }
  assert.deepEqual(variableForKey('TransactionMessageAttempts'), { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'MessageAttempts', instance: 'TransactionEvent' } });
  for (const bad of ['HeartbeatInterval', 'A/', '/B', 'A@x/B', 'A/B/C']) assert.equal(parseVariableKey(bad), null, bad);
});
