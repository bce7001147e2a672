/**
 * Issue 14 acceptance, commands per version: the same REST routes (POST /api/admin/:cpId/<command>,
 * the version-neutral bodies) drive an OCPP 2.0.1 station (SimCharger201) over loopback. Both
 * sides are checked: the station received the 2.0.1 message (schema-valid, translated as
 * documented) and answered it; the REST answer carries the neutral reply (plus transactionId,
 * reservationId, jobId ...), and the store shows the resulting state.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createV201Validator } from '../../main/ocpp/v201/validator.js';
import { OcppValidator } from '../../main/ocpp/validator.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import type { ReceivedCall } from '../sim/charger.js';
import { SimCharger201, type SimCharger201Options } from '../sim/charger201.js';
import { type Answer, inFuture, restOf, until } from './rest.js';

let app: TestApp;
const v201 = createV201Validator();
const v16 = new OcppValidator();

before(async () => {
  app = await startTestApp({ remoteStartWaitMs: 3000, callTimeoutMs: 3000 });
});
after(async () => {
  await app.dispose();
});

async function withStation(id: string, fn: (sim: SimCharger201) => Promise<void>, o: Partial<SimCharger201Options> = {}): Promise<void> {
  const sim = new SimCharger201({
    id,
    url: `${app.wsBase}/ocpp`,
    meterIntervalMs: 100,
    timeScale: 60,
    backoffInitialMs: 50,
    backoffMaxMs: 300,
    txRetryIntervalMs: 200,
    callTimeoutMs: 5000,
    progressStepMs: 60,
    rebootDelayMs: 50,
    ...o,
  });
  try {
    sim.start();
    await sim.waitFor(() => sim.isOnline && (sim.acks.StatusNotification ?? 0) >= sim.connectorCount, 5000, 'boot and status');
    await fn(sim);
    for (const r of sim.received) assert.doesNotThrow(() => v201.check(`${r.action}.req`, r.payload), `${r.action} sent to ${id} is valid 2.0.1`);
    assert.deepEqual(sim.errors, [], `${id} recorded no protocol errors`);
  } finally {
    await sim.close();
  }
}

const { post, get, command, charger, addCard } = restOf(() => app);

/**
 * The last 2.0.1 `action` the station received: answered without CALLERROR, with `payload`
 * (when given); the REST answer names the neutral command, the version and the message it went as.
 */
function received(sim: SimCharger201, neutral: string, action: string, answer: Answer, payload?: unknown): ReceivedCall {
  const call = sim.received.filter((r) => r.action === action).at(-1);
  assert.ok(call, `${sim.id} received ${action}`);
  if (payload !== undefined) assert.deepEqual(call.payload, payload, `${action} as the station got it`);
  assert.equal(call.error, undefined, `${sim.id} answered ${action} without CALLERROR`);
  assert.equal(answer.status, 200, `REST answer of ${neutral}: ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.action, neutral);
  assert.equal(answer.body.ocppVersion, '2.0.1');
  assert.equal(answer.body.sentAs, action);
  assert.doesNotThrow(() => v16.check(`${neutral}.conf`, answer.body.response), 'the REST answer has the neutral shape');
  return call;
}

test('issue 14 REST on a 2.0.1 station: start-transaction sends RequestStartTransaction and answers with the session id; stop-transaction of that id sends RequestStopTransaction with the station transaction id; the session completes (Remote) with energy', () =>
  withStation('V201-CMD-START', async (sim) => {
    await addCard('V201-START-TAG');
    const start = await command(sim.id, 'start-transaction', { connectorId: 1, idTag: 'V201-START-TAG' });
    const call = received(sim, 'RemoteStartTransaction', 'RequestStartTransaction', start);
    const sent = call.payload as any;
    assert.deepEqual([sent.evseId, sent.idToken], [1, { idToken: 'V201-START-TAG', type: 'ISO14443' }]);
    assert.ok(Number.isInteger(sent.remoteStartId));
    assert.equal(start.body.response.status, 'Accepted');
    const id = start.body.transactionId;
    assert.ok(Number.isInteger(id), `the session id in the answer: ${JSON.stringify(start.body)}`);
    await sim.waitFor(() => sim.ledger.starts.length === 1, 3000, 'the Started event acknowledged');
    const session = await get(`/api/sessions/${id}`);
    assert.equal(session.chargerTransactionId, sim.ledger.starts[0]!.transactionId, 'the session keeps the station transaction id');
    assert.equal(session.idTag, 'V201-START-TAG');

    const stop = await command(sim.id, 'stop-transaction', { transactionId: id });
    received(sim, 'RemoteStopTransaction', 'RequestStopTransaction', stop, { transactionId: sim.ledger.starts[0]!.transactionId });
    assert.equal(stop.body.response.status, 'Accepted');
    const done = await until(
      () => get(`/api/sessions/${id}`),
      (s) => s.status === 'Completed',
      'the session to complete',
    );
    assert.equal(done.stopReason, 'Remote');
    assert.ok(done.energyWh > 0, 'energy recorded');
    const unknown = await command(sim.id, 'stop-transaction', { transactionId: 987_654 });
    assert.equal(unknown.status, 404, 'a session the station does not have: nothing is sent');
    assert.match(unknown.body.error ?? unknown.body.message ?? JSON.stringify(unknown.body), /has no transaction 987654/);
  }));

test('issue 14 REST on a 2.0.1 station: reset Soft is OnIdle (Scheduled while charging: answered Accepted), Hard is Immediate (the session ends, the station reboots); unlock-connector and change-availability name the EVSE', () =>
  withStation(
    'V201-CMD-RESET',
    async (sim) => {
      await addCard('V201-RESET-TAG');
      const start = await command(sim.id, 'start-transaction', { connectorId: 2, idTag: 'V201-RESET-TAG' });
      await sim.waitFor(() => sim.ledger.starts.length === 1, 3000, 'started');
      const soft = await command(sim.id, 'reset', { type: 'Soft' });
      received(sim, 'Reset', 'Reset', soft, { type: 'OnIdle' });
      assert.equal(soft.body.response.status, 'Accepted');
      const unlock = await command(sim.id, 'unlock-connector', { connectorId: 2 });
      received(sim, 'UnlockConnector', 'UnlockConnector', unlock, { evseId: 2, connectorId: 1 });
      assert.equal(unlock.body.response.status, 'UnlockFailed', 'a charging EVSE stays locked (OngoingAuthorizedTransaction)');
      const avail = await command(sim.id, 'change-availability', { connectorId: 1, type: 'Inoperative' });
      received(sim, 'ChangeAvailability', 'ChangeAvailability', avail, { operationalStatus: 'Inoperative', evse: { id: 1 } });
      assert.equal(avail.body.response.status, 'Accepted');
      await until(
        () => charger(sim.id),
        (c) => c.connectors.find((x: any) => x.connectorId === 1)?.status === 'Unavailable',
        'EVSE 1 Unavailable in the store',
      );
      const hard = await command(sim.id, 'reset', { type: 'Hard' });
      received(sim, 'Reset', 'Reset', hard, { type: 'Immediate' });
      await sim.waitFor(() => sim.boots === 2 && sim.isOnline, 5000, 'the reboot');
      const session = await until(
        () => get(`/api/sessions/${start.body.transactionId}`),
        (s) => s.status === 'Completed',
        'the session to complete',
      );
      assert.equal(session.stopReason, 'ImmediateReset');
    },
    { evses: 2 },
  ));

test('issue 14 REST on a 2.0.1 station: get-configuration reads device model variables (1.6 keys with a counterpart, or Component/Variable keys) into the snapshot; change-configuration writes them; AuthorizationKey is SecurityCtrlr.BasicAuthPassword, rolled out and masked', () =>
  withStation(
    'V201-CMD-CONF',
    async (sim) => {
      const some = await command(sim.id, 'get-configuration', { key: ['HeartbeatInterval', 'EVSE@1/Power', 'NumberOfConnectors'] });
      received(sim, 'GetConfiguration', 'GetVariables', some, {
        getVariableData: [
          { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
          { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' } },
        ],
      });
      assert.deepEqual(some.body.response, {
        configurationKey: [
          { key: 'HeartbeatInterval', readonly: false, value: sim.variable('OCPPCommCtrlr/HeartbeatInterval') },
          { key: 'EVSE@1/Power', readonly: false, value: '7360' },
        ],
        unknownKey: ['NumberOfConnectors'],
      });
      const change = await command(sim.id, 'change-configuration', { key: 'MeterValueSampleInterval', value: '15' });
      received(sim, 'ChangeConfiguration', 'SetVariables', change, {
        setVariableData: [{ component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' }, attributeValue: '15' }],
      });
      assert.equal(change.body.response.status, 'Accepted');
      assert.equal(sim.variable('SampledDataCtrlr/TxUpdatedInterval'), '15');
      const readOnly = await command(sim.id, 'change-configuration', { key: 'ChargingStation/Model', value: 'X' });
      assert.equal(readOnly.body.response.status, 'Rejected');
      const raw = await command(sim.id, 'change-configuration', { key: 'SecurityCtrlr/BasicAuthPassword', value: 'x'.repeat(20) });
      assert.equal(raw.status, 400, 'the password goes by AuthorizationKey only');

      const key = 'new-201-key-0123456789ab';
      const pw = await command(sim.id, 'change-configuration', { key: 'AuthorizationKey', value: key });
      received(sim, 'ChangeConfiguration', 'SetVariables', pw);
      assert.equal(pw.body.response.status, 'Accepted');
      assert.equal(pw.body.passwordUpdated, true);
      assert.equal(pw.body.request.value, '********');
      assert.ok(!JSON.stringify(await get(`/api/audit?station=${sim.id}`)).includes(key), 'the audit log never holds the key');
      const all = await command(sim.id, 'get-configuration', {});
      const stored = Object.fromEntries((await charger(sim.id)).configuration.map((c: any) => [c.key, c.value]));
      assert.equal(all.body.response.configurationKey.find((k: any) => k.key === 'AuthorizationKey').value, undefined, 'write-only: no value');
      assert.equal(stored.HeartbeatInterval, sim.variable('OCPPCommCtrlr/HeartbeatInterval'));
      assert.equal(stored.MeterValueSampleInterval, '15');
      const boots = sim.boots;
      assert.equal((await app.api(`/connections/${sim.id}`, { method: 'DELETE' })).status, 200);
      await sim.waitFor(() => sim.boots > boots && sim.isOnline, 4000, 'reconnect with the new password');
    },
    { password: 'old-201-key-0123456789ab' },
  ));

test('issue 14 REST on a 2.0.1 station: send-local-list builds the 2.0.1 list from the RFID table (versionNumber, idTokenInfo, groupIdToken), get-local-list-version compares it; clear-cache; trigger-message (DiagnosticsStatusNotification is LogStatusNotification)', () =>
  withStation('V201-CMD-LIST', async (sim) => {
    await addCard('V201-LIST-TAG', { validUntil: inFuture(86_400_000), parentIdTag: 'V201-LIST-PARENT' });
    const send = await command(sim.id, 'send-local-list', { updateType: 'Full' });
    assert.equal(send.status, 200, JSON.stringify(send.body));
    const call = sim.received.filter((r) => r.action === 'SendLocalList').at(-1)!;
    assert.equal((call.payload as any).updateType, 'Full');
    const cards = (await get('/api/rfid')) as any[];
    assert.deepEqual(Object.keys(sim.localList).sort(), cards.map((c) => c.tagId).sort());
    assert.deepEqual(sim.localList['V201-LIST-TAG'], {
      status: 'Accepted',
      cacheExpiryDateTime: cards.find((c) => c.tagId === 'V201-LIST-TAG').validUntil,
      groupIdToken: { idToken: 'V201-LIST-PARENT', type: 'Central' },
    });
    const version = await command(sim.id, 'get-local-list-version', {});
    received(sim, 'GetLocalListVersion', 'GetLocalListVersion', version, {});
    assert.equal(version.body.response.listVersion, sim.localListVersion);
    assert.equal(version.body.inSync, true);

    const clear = await command(sim.id, 'clear-cache', {});
    received(sim, 'ClearCache', 'ClearCache', clear, {});
    assert.equal(clear.body.response.status, 'Accepted');
    const trigger = await command(sim.id, 'trigger-message', { requestedMessage: 'DiagnosticsStatusNotification' });
    received(sim, 'TriggerMessage', 'TriggerMessage', trigger, { requestedMessage: 'LogStatusNotification' });
    const status = await command(sim.id, 'trigger-message', { requestedMessage: 'StatusNotification', connectorId: 1 });
    received(sim, 'TriggerMessage', 'TriggerMessage', status, { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } });
    assert.equal(status.body.response.status, 'Accepted');
  }));

test('issue 14 REST on a 2.0.1 station: reserve-now (our reservationId is the 2.0.1 id, the EVSE becomes Reserved) and cancel-reservation', () =>
  withStation('V201-CMD-RES', async (sim) => {
    const expiryDate = inFuture(60_000);
    const reserve = await command(sim.id, 'reserve-now', { connectorId: 1, idTag: 'V201-RES-TAG', expiryDate });
    received(sim, 'ReserveNow', 'ReserveNow', reserve, { id: reserve.body.reservationId, expiryDateTime: expiryDate, idToken: { idToken: 'V201-RES-TAG', type: 'ISO14443' }, evseId: 1 });
    assert.equal(reserve.body.response.status, 'Accepted');
    await until(
      () => charger(sim.id),
      (c) => c.connectors.find((x: any) => x.connectorId === 1)?.status === 'Reserved',
      'EVSE 1 Reserved in the store',
    );
    const cancel = await command(sim.id, 'cancel-reservation', { reservationId: reserve.body.reservationId });
    received(sim, 'CancelReservation', 'CancelReservation', cancel, { reservationId: reserve.body.reservationId });
    assert.equal(cancel.body.response.status, 'Accepted');
    assert.equal(((await get(`/api/reservations?station=${sim.id}`)) as any[])[0].status, 'Cancelled');
  }));

test('issue 14 REST on a 2.0.1 station: set-charging-profile sends the 2.0.1 profile (ChargingStationMaxProfile on EVSE 0, a schedule list) and stores it; get-composite-schedule answers in the neutral form; clear-charging-profile', () =>
  withStation('V201-CMD-PROFILE', async (sim) => {
    const profile = {
      chargingProfileId: 601,
      stackLevel: 1,
      chargingProfilePurpose: 'ChargePointMaxProfile',
      chargingProfileKind: 'Absolute',
      chargingSchedule: { chargingRateUnit: 'A', startSchedule: new Date(Date.now() - 60_000).toISOString(), chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] },
    };
    const set = await command(sim.id, 'set-charging-profile', { connectorId: 0, csChargingProfiles: profile });
    received(sim, 'SetChargingProfile', 'SetChargingProfile', set, {
      evseId: 0,
      chargingProfile: {
        id: 601,
        stackLevel: 1,
        chargingProfilePurpose: 'ChargingStationMaxProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: [{ id: 601, chargingRateUnit: 'A', startSchedule: profile.chargingSchedule.startSchedule, chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }],
      },
    });
    assert.equal(set.body.response.status, 'Accepted');
    assert.deepEqual(
      (await charger(sim.id)).chargingProfiles.map((p: any) => [p.connectorId, p.profileId, p.purpose]),
      [[0, 601, 'ChargePointMaxProfile']],
    );
    const composite = await command(sim.id, 'get-composite-schedule', { connectorId: 1, duration: 600, chargingRateUnit: 'A' });
    received(sim, 'GetCompositeSchedule', 'GetCompositeSchedule', composite, { evseId: 1, duration: 600, chargingRateUnit: 'A' });
    assert.equal(composite.body.response.connectorId, 1);
    assert.equal(composite.body.response.chargingSchedule.chargingSchedulePeriod[0].limit, 16);
    const clear = await command(sim.id, 'clear-charging-profile', { id: 601 });
    received(sim, 'ClearChargingProfile', 'ClearChargingProfile', clear, { chargingProfileId: 601 });
    assert.equal(clear.body.response.status, 'Accepted');
    assert.deepEqual(sim.chargingProfiles, []);
    assert.deepEqual((await charger(sim.id)).chargingProfiles, []);
  }));

test('issue 14 REST on a 2.0.1 station: update-firmware (UpdateFirmware with a requestId) moves its job to Installed; get-diagnostics is GetLog (DiagnosticsLog), its fileName and job reach Uploaded; data-transfer', () =>
  withStation('V201-CMD-FW', async (sim) => {
    const location = 'http://127.0.0.1:9/firmware/sim-2.1.0.bin';
    const retrieveDate = new Date().toISOString();
    const fw = await command(sim.id, 'update-firmware', { location, retrieveDate });
    const call = received(sim, 'UpdateFirmware', 'UpdateFirmware', fw);
    assert.deepEqual((call.payload as any).firmware, { location, retrieveDateTime: retrieveDate });
    assert.ok(Number.isInteger(fw.body.jobId));
    await until(
      () => charger(sim.id),
      (c) => c.maintenanceJobs.find((j: any) => j.id === fw.body.jobId).status === 'Installed',
      'the firmware job to reach Installed',
      8000,
    );
    assert.equal((await charger(sim.id)).firmwareVersion, '2.1.0');
    const diag = await command(sim.id, 'get-diagnostics', { location: 'ftp://127.0.0.1:9/logs/' });
    const log = received(sim, 'GetDiagnostics', 'GetLog', diag);
    assert.deepEqual([(log.payload as any).logType, (log.payload as any).log], ['DiagnosticsLog', { remoteLocation: 'ftp://127.0.0.1:9/logs/' }]);
    assert.match(diag.body.response.fileName, /^diagnostics-V201-CMD-FW-.*\.zip$/);
    await until(
      () => charger(sim.id),
      (c) => c.maintenanceJobs.find((j: any) => j.id === diag.body.jobId).status === 'Uploaded',
      'the log upload to finish',
    );
    const dt = await command(sim.id, 'data-transfer', { vendorId: 'com.example', messageId: 'ping', data: '1' });
    received(sim, 'DataTransfer', 'DataTransfer', dt, { vendorId: 'com.example', messageId: 'ping', data: '1' });
    assert.equal(dt.body.response.status, 'UnknownVendorId');
  }));

test('issue 14 raw send per version: POST /connections/:cpId/send takes a 2.0.1 message as given (GetBaseReport, whose NotifyReport fills the device model shown on the charger, and get-configuration then marks its read-only variables); 1.6 names and the password are refused before sending', () =>
  withStation('V201-CMD-RAW', async (sim) => {
    const raw = await post(`/connections/${sim.id}/send`, { action: 'GetBaseReport', payload: { requestId: 77, reportBase: 'FullInventory' } });
    assert.equal(raw.status, 200, JSON.stringify(raw.body));
    assert.deepEqual(raw.body.response, { status: 'Accepted' });
    assert.equal(raw.body.ocppVersion, '2.0.1');
    assert.deepEqual(sim.received.at(-1)!.payload, { requestId: 77, reportBase: 'FullInventory' });
    const cp = await until(
      () => charger(sim.id),
      (c) => (c.deviceModel ?? []).some((v: any) => v.variable === 'HeartbeatInterval'),
      'the device model from NotifyReport',
    );
    assert.ok(cp.deviceModel.length >= 20, `the whole report is stored (${cp.deviceModel.length} variables)`);
    const audit = (await get(`/api/audit?station=${sim.id}`)) as any[];
    assert.ok(audit.some((a) => a.action === 'GetBaseReport' && a.ok));
    const wrong = await post(`/connections/${sim.id}/send`, { action: 'RemoteStartTransaction', payload: { idTag: 'X' } });
    assert.equal(wrong.status, 400, 'a 1.6 message to a 2.0.1 station');
    const secret = await post(`/connections/${sim.id}/send`, {
      action: 'SetVariables',
      payload: { setVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeValue: 'y'.repeat(20) }] },
    });
    assert.equal(secret.status, 400, 'the password goes by AuthorizationKey');
    const invalid = await post(`/connections/${sim.id}/send`, { action: 'GetBaseReport', payload: { requestId: 'x' } });
    assert.equal(invalid.status, 400, 'checked against the 2.0.1 schema before it leaves');
    assert.equal(sim.received.filter((r) => r.action !== 'GetBaseReport').length, 0, 'nothing refused reached the station');
    // GetVariables says nothing of mutability: get-configuration takes it from the stored report.
    const conf = await command(sim.id, 'get-configuration', { key: ['ChargingStation/Model', 'HeartbeatInterval'] });
    assert.deepEqual(
      conf.body.response.configurationKey.map((k: any) => [k.key, k.readonly]),
      [
        ['ChargingStation/Model', true],
        ['HeartbeatInterval', false],
      ],
    );
  }));
