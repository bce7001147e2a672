/**
 * Issue 14: the OCPP 2.0.1 simulator against a scripted CSMS on a real socket. Every frame the
 * station sends is checked against the official 2.0.1 schemas here, independently of the
 * simulator's own checks.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createV201Validator } from '../../main/ocpp/v201/validator.js';
import { startTestApp } from '../helpers/app.js';
import { SimCharger201, type SimCharger201Options } from './charger201.js';
import { FakeCentralSystem } from './fake-cs.js';
import { runFleet } from './fleet.js';

const schemas = createV201Validator();

function sim201For(url: string, o: Partial<SimCharger201Options> & { id: string }): SimCharger201 {
  return new SimCharger201({
    url,
    meterIntervalMs: 40,
    timeScale: 60,
    backoffInitialMs: 50,
    backoffMaxMs: 300,
    txRetryIntervalMs: 200,
    callTimeoutMs: 5000,
    progressStepMs: 30,
    rebootDelayMs: 50,
    ...o,
  });
}

/** Every CALL the station sent and every answer it gave is valid 2.0.1. */
function assertFramesValid(cs: FakeCentralSystem): void {
  const calls = new Map<string, string>();
  for (const f of cs.frames) {
    const [type, id] = f.frame as [number, string];
    if (f.dir === 'in' && type === 2) schemas.check(`${String(f.frame[2])}.req`, f.frame[3]);
    if (f.dir === 'out' && type === 2) calls.set(id, String(f.frame[2]));
    if (f.dir === 'in' && type === 3 && calls.has(id)) schemas.check(`${calls.get(id)}.conf`, f.frame[2]);
  }
}

async function withStation(o: Partial<SimCharger201Options> & { id: string }, fn: (c: SimCharger201, cs: FakeCentralSystem) => Promise<void>): Promise<void> {
  const cs = await FakeCentralSystem.start('ocpp2.0.1');
  const c = sim201For(cs.url, o);
  try {
    c.start();
    await c.waitFor(() => c.isOnline && (c.acks.StatusNotification ?? 0) >= c.connectorCount, 5000, 'boot and status');
    await fn(c, cs);
    assertFramesValid(cs);
    assert.deepEqual(c.errors, [], 'no protocol errors');
  } finally {
    await c.close();
    await cs.close();
  }
}

const answer = async (cs: FakeCentralSystem, action: string, payload: unknown) => (await cs.call(action, payload))[2] as any;
const events = (cs: FakeCentralSystem) => cs.calls('TransactionEvent').map((f) => f.payload);

test('issue 14 sim 2.0.1: boots with ocpp2.0.1 (chargingStation, reason PowerUp), one StatusNotification per EVSE/connector, then a full session: Authorize, TransactionEvent Started / Updated / Ended with consecutive seqNo and meter values', async () => {
  await withStation({ id: 'V201-S1', evses: 2 }, async (c, cs) => {
    const [boot] = cs.calls('BootNotification');
    assert.equal(boot!.payload.reason, 'PowerUp');
    assert.equal(boot!.payload.chargingStation.vendorName, 'OCPP-Edge-Sim');
    assert.deepEqual(
      cs.calls('StatusNotification').map((s) => [s.payload.evseId, s.payload.connectorId, s.payload.connectorStatus]),
      [
        [1, 1, 'Available'],
        [2, 1, 'Available'],
      ],
    );
    const r = await c.startSession({ idTag: 'TAG-201', connectorId: 2, samples: 3 });
    assert.equal(r.started, true);
    await c.waitFor(() => c.ledger.stops.length === 1 && cs.calls('StatusNotification').length === 4, 5000, 'session and status acknowledged');
    assert.deepEqual(cs.calls('Authorize')[0]!.payload, { idToken: { idToken: 'TAG-201', type: 'ISO14443' } });
    const ev = events(cs);
    assert.deepEqual(
      ev.map((e) => [e.eventType, e.triggerReason, e.seqNo]),
      [
        ['Started', 'Authorized', 0],
        ['Updated', 'MeterValuePeriodic', 1],
        ['Updated', 'MeterValuePeriodic', 2],
        ['Updated', 'MeterValuePeriodic', 3],
        ['Ended', 'EVCommunicationLost', 4],
      ],
    );
    assert.equal(new Set(ev.map((e) => e.transactionInfo.transactionId)).size, 1, 'one transactionId, chosen by the station');
    assert.ok(ev[0].transactionInfo.transactionId.length <= 36);
    assert.deepEqual(ev[0].evse, { id: 2, connectorId: 1 });
    assert.deepEqual(ev[0].idToken, { idToken: 'TAG-201', type: 'ISO14443' });
    assert.equal(ev[4].transactionInfo.stoppedReason, 'EVDisconnected');
    assert.ok(
      ev.every((e) => e.offline === undefined),
      'nothing sent offline',
    );
    const energy = (e: any) => e.meterValue[0].sampledValue.find((v: any) => v.measurand === 'Energy.Active.Import.Register');
    assert.equal(energy(ev[0]).context, 'Transaction.Begin');
    assert.equal(energy(ev[4]).context, 'Transaction.End');
    assert.deepEqual(energy(ev[4]).unitOfMeasure, { unit: 'Wh' });
    assert.deepEqual(
      ev[1].meterValue[0].sampledValue.map((v: any) => v.measurand),
      ['Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import', 'Voltage'],
    );
    const [start] = c.ledger.starts;
    const [stop] = c.ledger.stops;
    assert.equal(energy(ev[0]).value, start!.meterStart);
    assert.equal(energy(ev[4]).value, stop!.meterStop);
    assert.ok(stop!.meterStop - start!.meterStart > 0, 'energy delivered');
    assert.deepEqual(
      cs
        .calls('StatusNotification')
        .map((s) => [s.payload.evseId, s.payload.connectorStatus])
        .slice(2),
      [
        [2, 'Occupied'],
        [2, 'Available'],
      ],
    );
  });
});

test('issue 14 sim 2.0.1: TransactionEvents made while the CSMS is unreachable are queued with offline=true and their own seqNo, and delivered in order on reconnect', async () => {
  const cs = await FakeCentralSystem.start('ocpp2.0.1');
  const c = sim201For(cs.url, { id: 'V201-OFF', meterIntervalMs: 30 });
  try {
    c.start();
    await c.waitFor(() => c.isOnline, 5000, 'boot');
    const r = await c.startSession({ idTag: 'TAG-OFF', samples: 6 });
    assert.equal(r.started, true);
    await c.waitFor(() => c.ledger.meterValues.length >= 1, 5000, 'first update acknowledged');
    cs.accepting = false;
    cs.dropAll();
    await c.waitFor(() => !c.isOnline, 5000, 'offline');
    await (r as { tx: { ended: Promise<unknown> } }).tx.ended;
    const queued = c.pendingTransactionMessages;
    assert.ok(queued >= 2, `events queued while offline (${queued})`);
    cs.accepting = true;
    await c.drain(5000);
    const ev = events(cs);
    // Each event once per delivery; by seqNo they are all there, the offline ones flagged.
    const bySeq = new Map<number, any>();
    for (const e of ev) bySeq.set(e.seqNo, e);
    assert.deepEqual(
      [...bySeq.keys()].sort((a, b) => a - b),
      Array.from({ length: 8 }, (_, i) => i),
      'seqNo 0..7: Started, 6 Updated, Ended',
    );
    const offline = [...bySeq.values()].filter((e) => e.offline === true);
    assert.ok(offline.length >= 1 && offline.some((e) => e.eventType === 'Ended'), 'the Ended event was made offline');
    const delivered = ev.map((e) => e.seqNo);
    assert.deepEqual(
      delivered,
      [...delivered].sort((a, b) => a - b),
      'sent in seqNo order',
    );
    assert.equal(c.ledger.stops.length, 1);
    assert.equal(c.ledger.meterValues.length, 6);
    assertFramesValid(cs);
    assert.deepEqual(c.errors, []);
  } finally {
    await c.close();
    await cs.close();
  }
});

test('issue 14 sim 2.0.1: RequestStartTransaction starts a session (RemoteStart, remoteStartId) on the EVSE asked; RequestStopTransaction ends it (Remote / RemoteStop); a busy EVSE or unknown transaction is Rejected', async () => {
  await withStation({ id: 'V201-RS', evses: 2 }, async (c, cs) => {
    assert.deepEqual(await answer(cs, 'RequestStartTransaction', { evseId: 2, remoteStartId: 7, idToken: { idToken: 'REMOTE-1', type: 'Central' } }), { status: 'Accepted' });
    await c.waitFor(() => c.ledger.starts.length === 1, 5000, 'started');
    const started = events(cs)[0];
    assert.equal(started.triggerReason, 'RemoteStart');
    assert.equal(started.transactionInfo.remoteStartId, 7);
    assert.deepEqual(started.evse, { id: 2, connectorId: 1 });
    assert.equal(cs.calls('Authorize').length, 0, 'AuthorizeRemoteStart false: no Authorize');
    assert.deepEqual(await answer(cs, 'RequestStartTransaction', { evseId: 2, remoteStartId: 8, idToken: { idToken: 'REMOTE-2', type: 'Central' } }), { status: 'Rejected' });
    assert.deepEqual(await answer(cs, 'RequestStopTransaction', { transactionId: 'nope' }), { status: 'Rejected' });
    assert.deepEqual(await answer(cs, 'RequestStopTransaction', { transactionId: c.ledger.starts[0]!.transactionId }), { status: 'Accepted' });
    await c.waitFor(() => c.ledger.stops.length === 1, 5000, 'stopped');
    const ended = events(cs).at(-1);
    assert.deepEqual([ended.eventType, ended.triggerReason, ended.transactionInfo.stoppedReason], ['Ended', 'RemoteStop', 'Remote']);
  });
});

test('issue 14 sim 2.0.1: Reset Immediate ends the transaction (ImmediateReset) and reboots (boot reason RemoteReset); OnIdle is Scheduled while one runs; UnlockConnector answers Unlocked / OngoingAuthorizedTransaction / UnknownConnector', async () => {
  await withStation({ id: 'V201-RST' }, async (c, cs) => {
    assert.deepEqual(await answer(cs, 'UnlockConnector', { evseId: 1, connectorId: 1 }), { status: 'Unlocked' });
    assert.deepEqual(await answer(cs, 'UnlockConnector', { evseId: 3, connectorId: 1 }), { status: 'UnknownConnector' });
    await c.startSession({ idTag: 'RST' });
    await c.waitFor(() => c.ledger.starts.length === 1, 5000, 'started');
    assert.deepEqual(await answer(cs, 'UnlockConnector', { evseId: 1, connectorId: 1 }), { status: 'OngoingAuthorizedTransaction' });
    assert.deepEqual(await answer(cs, 'Reset', { type: 'OnIdle' }), { status: 'Scheduled' });
    assert.equal(c.activeTransactions.length, 1, 'OnIdle waits for the transaction');
    assert.deepEqual(await answer(cs, 'Reset', { type: 'Immediate' }), { status: 'Accepted' });
    await c.waitFor(() => c.boots === 2 && c.isOnline, 5000, 'rebooted');
    assert.equal(c.ledger.stops[0]!.reason, 'ImmediateReset');
    assert.equal(events(cs).at(-1).triggerReason, 'ResetCommand');
    assert.equal(cs.calls('BootNotification').at(-1)!.payload.reason, 'RemoteReset');
    assert.deepEqual(await answer(cs, 'Reset', { type: 'Immediate', evseId: 1 }), { status: 'Rejected' }, 'no per-EVSE reset');
  });
});

test('issue 14 sim 2.0.1: ChangeAvailability of an idle EVSE is Accepted with StatusNotification Unavailable, Scheduled while a transaction runs and applied when it ends; the whole station with no evse', async () => {
  await withStation({ id: 'V201-AV', evses: 2 }, async (c, cs) => {
    assert.deepEqual(await answer(cs, 'ChangeAvailability', { evse: { id: 2 }, operationalStatus: 'Inoperative' }), { status: 'Accepted' });
    await c.waitFor(() => cs.calls('StatusNotification').some((s) => s.payload.evseId === 2 && s.payload.connectorStatus === 'Unavailable'), 3000, 'EVSE 2 Unavailable');
    assert.deepEqual(await answer(cs, 'RequestStartTransaction', { evseId: 2, remoteStartId: 1, idToken: { idToken: 'X', type: 'Central' } }), { status: 'Rejected' });
    await c.startSession({ idTag: 'AV', connectorId: 1 });
    await c.waitFor(() => c.ledger.starts.length === 1, 5000, 'started');
    assert.deepEqual(await answer(cs, 'ChangeAvailability', { evse: { id: 1 }, operationalStatus: 'Inoperative' }), { status: 'Scheduled' });
    c.stopSession(1);
    await c.waitFor(() => c.evseStatus(1)?.status === 'Unavailable', 3000, 'EVSE 1 Unavailable after the session');
    assert.deepEqual(await answer(cs, 'ChangeAvailability', { operationalStatus: 'Operative' }), { status: 'Accepted' });
    await c.waitFor(() => c.evseStatus(1)?.status === 'Available' && c.evseStatus(2)?.status === 'Available', 3000, 'all Available');
    assert.deepEqual(await answer(cs, 'ChangeAvailability', { evse: { id: 9 }, operationalStatus: 'Operative' }), { status: 'Rejected' });
  });
});

test('issue 14 sim 2.0.1: GetVariables / SetVariables over the device model (unknown component / variable, read-only Rejected, BasicAuthPassword write-only); GetBaseReport is answered by NotifyReport parts with seqNo and tbc', async () => {
  await withStation({ id: 'V201-DM', reportPartSize: 10 }, async (c, cs) => {
    const get = await answer(cs, 'GetVariables', {
      getVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'Nope' } },
        { component: { name: 'NoSuchCtrlr' }, variable: { name: 'Enabled' } },
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
        { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } },
      ],
    });
    assert.deepEqual(
      get.getVariableResult.map((r: any) => [r.attributeStatus, r.attributeValue]),
      [
        ['Accepted', '60'],
        ['UnknownVariable', undefined],
        ['UnknownComponent', undefined],
        ['Rejected', undefined],
        ['Accepted', 'Available'],
      ],
    );
    const set = await answer(cs, 'SetVariables', {
      setVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '30' },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: 'soon' },
        { component: { name: 'ChargingStation' }, variable: { name: 'Model' }, attributeValue: 'X' },
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeValue: 'a-new-password-of-24-chr' },
        { component: { name: 'AuthCtrlr' }, variable: { name: 'Nope' }, attributeValue: '1' },
      ],
    });
    assert.deepEqual(
      set.setVariableResult.map((r: any) => r.attributeStatus),
      ['Accepted', 'Rejected', 'Rejected', 'Accepted', 'UnknownVariable'],
    );
    assert.equal(c.variable('OCPPCommCtrlr/HeartbeatInterval'), '30');
    assert.equal(c.variable('SecurityCtrlr/BasicAuthPassword'), 'a-new-password-of-24-chr');
    assert.deepEqual(await answer(cs, 'GetBaseReport', { requestId: 42, reportBase: 'FullInventory' }), { status: 'Accepted' });
    await c.waitFor(() => cs.calls('NotifyReport').some((r) => !r.payload.tbc), 3000, 'last report part');
    const parts = cs.calls('NotifyReport').map((r) => r.payload);
    assert.ok(parts.length >= 3, `report in parts (${parts.length})`);
    assert.deepEqual(
      parts.map((p) => [p.requestId, p.seqNo, p.tbc ?? false]),
      parts.map((_, i) => [42, i, i < parts.length - 1]),
    );
    const all = parts.flatMap((p) => p.reportData);
    const pw = all.find((d: any) => d.variable.name === 'BasicAuthPassword');
    assert.deepEqual(pw.variableAttribute, [{ type: 'Actual', mutability: 'WriteOnly' }], 'a write-only value is never reported');
    assert.ok(all.some((d: any) => d.component.name === 'EVSE' && d.component.evse?.id === 1));
    assert.deepEqual(await answer(cs, 'GetBaseReport', { requestId: 43, reportBase: 'ConfigurationInventory' }), { status: 'Accepted' });
  });
});

test('issue 14 sim 2.0.1: TriggerMessage sends each requested message after its answer (unsupported ones NotImplemented); ClearCache; SendLocalList Full / Differential with versionNumber, VersionMismatch, GetLocalListVersion', async () => {
  await withStation({ id: 'V201-TR' }, async (c, cs) => {
    const acked = (action: string) => c.sent.filter((s) => s.action === action && s.result !== undefined).length;
    for (const m of ['BootNotification', 'Heartbeat', 'StatusNotification', 'MeterValues', 'FirmwareStatusNotification', 'LogStatusNotification'] as const) {
      const before = acked(m);
      assert.deepEqual(await answer(cs, 'TriggerMessage', { requestedMessage: m }), { status: 'Accepted' }, m);
      await c.waitFor(() => acked(m) > before, 3000, `triggered ${m}`);
    }
    assert.equal(cs.calls('BootNotification').at(-1)!.payload.reason, 'Triggered');
    assert.equal(cs.calls('MeterValues').at(-1)!.payload.meterValue[0].sampledValue[0].context, 'Trigger');
    await c.startSession({ idTag: 'TR' });
    await c.waitFor(() => c.ledger.starts.length === 1, 5000, 'started');
    assert.deepEqual(await answer(cs, 'TriggerMessage', { requestedMessage: 'TransactionEvent', evse: { id: 1 } }), { status: 'Accepted' });
    await c.waitFor(() => events(cs).some((e) => e.triggerReason === 'Trigger'), 3000, 'triggered TransactionEvent');
    assert.deepEqual(await answer(cs, 'TriggerMessage', { requestedMessage: 'SignV2GCertificate' }), { status: 'NotImplemented' });
    assert.deepEqual(await answer(cs, 'TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 5 } }), { status: 'Rejected' });

    assert.ok(Object.keys(c.authCache).includes('TR'), 'the Authorize answer was cached');
    assert.deepEqual(await answer(cs, 'ClearCache', {}), { status: 'Accepted' });
    assert.deepEqual(c.authCache, {});

    const entry = (idToken: string, status?: string) => ({ idToken: { idToken, type: 'ISO14443' }, ...(status && { idTokenInfo: { status } }) });
    assert.deepEqual(await answer(cs, 'SendLocalList', { versionNumber: 3, updateType: 'Full', localAuthorizationList: [entry('A', 'Accepted'), entry('B', 'Blocked')] }), { status: 'Accepted' });
    assert.deepEqual(await answer(cs, 'SendLocalList', { versionNumber: 4, updateType: 'Differential', localAuthorizationList: [entry('B'), entry('C', 'Accepted')] }), { status: 'Accepted' });
    assert.deepEqual(await answer(cs, 'SendLocalList', { versionNumber: 4, updateType: 'Differential', localAuthorizationList: [entry('D', 'Accepted')] }), { status: 'VersionMismatch' });
    assert.deepEqual(Object.keys(c.localList).sort(), ['A', 'C']);
    assert.deepEqual(await answer(cs, 'GetLocalListVersion', {}), { versionNumber: 4 });
  });
});

test('issue 14 sim 2.0.1: ReserveNow makes the EVSE Reserved (Occupied for another token, expiry sends ReservationStatusUpdate Expired); CancelReservation frees it', async () => {
  await withStation({ id: 'V201-RES', evses: 2 }, async (c, cs) => {
    const expiry = (ms: number) => new Date(Date.now() + ms).toISOString();
    assert.deepEqual(await answer(cs, 'ReserveNow', { id: 1, evseId: 1, expiryDateTime: expiry(60_000), idToken: { idToken: 'RES-A', type: 'ISO14443' } }), { status: 'Accepted' });
    await c.waitFor(() => c.evseStatus(1)?.status === 'Reserved', 3000, 'Reserved');
    assert.deepEqual(await answer(cs, 'ReserveNow', { id: 2, evseId: 1, expiryDateTime: expiry(60_000), idToken: { idToken: 'RES-B', type: 'ISO14443' } }), { status: 'Occupied' });
    const refused = await c.startSession({ idTag: 'RES-B', connectorId: 1 });
    assert.equal(refused.started, false);
    assert.deepEqual(await answer(cs, 'CancelReservation', { reservationId: 1 }), { status: 'Accepted' });
    assert.deepEqual(await answer(cs, 'CancelReservation', { reservationId: 1 }), { status: 'Rejected' });
    await c.waitFor(() => c.evseStatus(1)?.status === 'Available', 3000, 'Available again');
    assert.deepEqual(await answer(cs, 'ReserveNow', { id: 3, evseId: 2, expiryDateTime: expiry(300), idToken: { idToken: 'RES-C', type: 'ISO14443' } }), { status: 'Accepted' });
    await c.waitFor(() => cs.calls('ReservationStatusUpdate').length === 1, 3000, 'expired');
    assert.deepEqual(cs.calls('ReservationStatusUpdate')[0]!.payload, { reservationId: 3, reservationUpdateStatus: 'Expired' });
    await c.waitFor(() => c.evseStatus(2)?.status === 'Available', 3000, 'EVSE 2 Available after expiry');
    // The reserved token's session consumes the reservation and names it.
    assert.deepEqual(await answer(cs, 'ReserveNow', { id: 4, evseId: 1, expiryDateTime: expiry(60_000), idToken: { idToken: 'RES-D', type: 'ISO14443' } }), { status: 'Accepted' });
    await c.startSession({ idTag: 'RES-D', connectorId: 1, samples: 1 });
    await c.waitFor(() => c.ledger.stops.length === 1, 5000, 'session');
    assert.equal(events(cs)[0].reservationId, 4);
    assert.deepEqual(c.reservations, []);
  });
});

test('issue 14 sim 2.0.1: SetChargingProfile / ClearChargingProfile / GetCompositeSchedule (2.0.1 forms: evseId, chargingSchedule list, ChargingStationMaxProfile on EVSE 0); the EV draws what a TxProfile allows', async () => {
  await withStation({ id: 'V201-SC' }, async (c, cs) => {
    const profile = (id: number, purpose: string, periods: Array<[number, number]>, extra: Record<string, unknown> = {}) => ({
      id,
      stackLevel: 0,
      chargingProfilePurpose: purpose,
      chargingProfileKind: 'Relative',
      chargingSchedule: [{ id, duration: 120, chargingRateUnit: 'A', chargingSchedulePeriod: periods.map(([startPeriod, limit]) => ({ startPeriod, limit })) }],
      ...extra,
    });
    const set = (evseId: number, p: unknown) => answer(cs, 'SetChargingProfile', { evseId, chargingProfile: p });
    assert.deepEqual(
      await set(
        1,
        profile(1, 'TxDefaultProfile', [
          [0, 16],
          [60, 10],
        ]),
      ),
      { status: 'Accepted' },
    );
    assert.deepEqual(
      await set(
        0,
        profile(2, 'ChargingStationMaxProfile', [
          [0, 32],
          [30, 12],
        ]),
      ),
      { status: 'Accepted' },
    );
    assert.deepEqual(await set(1, profile(3, 'ChargingStationMaxProfile', [[0, 6]])), { status: 'Rejected' }, 'station max only on EVSE 0');
    assert.deepEqual(await set(1, profile(4, 'TxProfile', [[0, 6]])), { status: 'Rejected' }, 'TxProfile needs a transaction');
    assert.deepEqual(await set(0, profile(5, 'ChargingStationExternalConstraints', [[0, 6]])), { status: 'Rejected' }, 'external constraints are not the CSMS to set');
    const composite = await answer(cs, 'GetCompositeSchedule', { evseId: 1, duration: 120, chargingRateUnit: 'A' });
    assert.equal(composite.status, 'Accepted');
    assert.equal(composite.schedule.evseId, 1);
    assert.deepEqual(composite.schedule.chargingSchedulePeriod, [
      { startPeriod: 0, limit: 16 },
      { startPeriod: 30, limit: 12 },
      { startPeriod: 60, limit: 10 },
    ]);
    assert.deepEqual(await answer(cs, 'ClearChargingProfile', { chargingProfileId: 1 }), { status: 'Accepted' });
    assert.deepEqual(await answer(cs, 'ClearChargingProfile', { chargingProfileCriteria: { chargingProfilePurpose: 'ChargingStationMaxProfile' } }), { status: 'Accepted' });
    assert.deepEqual(await answer(cs, 'ClearChargingProfile', { chargingProfileId: 1 }), { status: 'Unknown' });
    assert.deepEqual((await answer(cs, 'GetCompositeSchedule', { evseId: 1, duration: 60 })).schedule.chargingSchedulePeriod, [{ startPeriod: 0, limit: 32 }]);
    assert.deepEqual(await answer(cs, 'GetCompositeSchedule', { evseId: 9, duration: 60 }), { status: 'Rejected' });
    // A remote start carrying a 10 A TxProfile: the EV draws 10 A (2300 W).
    const tx = profile(6, 'TxProfile', [[0, 10]]);
    assert.deepEqual(await answer(cs, 'RequestStartTransaction', { evseId: 1, remoteStartId: 9, idToken: { idToken: 'SC', type: 'Central' }, chargingProfile: tx }), { status: 'Accepted' });
    await c.waitFor(() => c.ledger.meterValues.length >= 1, 5000, 'an update');
    const update = events(cs).find((e) => e.eventType === 'Updated');
    assert.equal(update.meterValue[0].sampledValue.find((v: any) => v.measurand === 'Power.Active.Import').value, 2300);
    assert.deepEqual(await set(1, profile(7, 'TxProfile', [[0, 8]], { transactionId: c.ledger.starts[0]!.transactionId })), { status: 'Accepted' });
    c.stopSession(1);
    await c.drain(5000);
    assert.deepEqual(c.chargingProfiles, [], 'TxProfiles end with their transaction');
  });
});

test('issue 14 sim 2.0.1: UpdateFirmware reports Downloading / Downloaded / Installing / InstallRebooting with its requestId, reboots (reason FirmwareUpdate) and reports Installed; GetLog returns a filename and reports Uploading / Uploaded; DataTransfer is UnknownVendorId', async () => {
  await withStation({ id: 'V201-FW' }, async (c, cs) => {
    const statuses = (action: string) => cs.calls(action).map((s) => s.payload.status);
    assert.deepEqual(await answer(cs, 'UpdateFirmware', { requestId: 5, firmware: { location: 'http://127.0.0.1/fw/sim-2.1.0.bin', retrieveDateTime: new Date().toISOString() } }), {
      status: 'Accepted',
    });
    await c.waitFor(() => statuses('FirmwareStatusNotification').includes('Installed'), 5000, 'installed');
    assert.deepEqual(statuses('FirmwareStatusNotification'), ['Downloading', 'Downloaded', 'Installing', 'InstallRebooting', 'Installed']);
    assert.ok(cs.calls('FirmwareStatusNotification').every((s) => s.payload.requestId === 5));
    assert.equal(cs.calls('BootNotification').at(-1)!.payload.reason, 'FirmwareUpdate');
    assert.equal(cs.calls('BootNotification').at(-1)!.payload.chargingStation.firmwareVersion, '2.1.0');
    const log = await answer(cs, 'GetLog', { requestId: 6, logType: 'DiagnosticsLog', log: { remoteLocation: 'ftp://127.0.0.1/logs/' } });
    assert.equal(log.status, 'Accepted');
    assert.match(log.filename, /^diagnostics-V201-FW-.*\.zip$/);
    await c.waitFor(() => statuses('LogStatusNotification').length === 2, 3000, 'log uploaded');
    assert.deepEqual(
      cs.calls('LogStatusNotification').map((s) => s.payload),
      [
        { status: 'Uploading', requestId: 6 },
        { status: 'Uploaded', requestId: 6 },
      ],
    );
    assert.deepEqual(await answer(cs, 'DataTransfer', { vendorId: 'com.example', messageId: 'x' }), { status: 'UnknownVendorId' });
  });
});

test('issue 14 sim 2.0.1: invalid controller calls get the OCPP-J 2.0.1 CALLERROR codes (FormatViolation, OccurrenceConstraintViolation, TypeConstraintViolation); 1.6 actions NotImplemented; station messages NotSupported', async () => {
  await withStation({ id: 'V201-ERR' }, async (c, cs) => {
    const err = async (action: string, payload: unknown) => (await cs.call(action, payload)).slice(0, 3);
    assert.deepEqual((await err('RequestStopTransaction', {}))[2], 'OccurrenceConstraintViolation');
    assert.deepEqual((await err('ClearCache', { surprise: 1 }))[2], 'FormatViolation');
    assert.deepEqual((await err('GetLocalListVersion', { customData: 5 }))[2], 'TypeConstraintViolation');
    assert.deepEqual((await err('RemoteStartTransaction', { idTag: 'X' }))[2], 'NotImplemented');
    assert.deepEqual((await err('TransactionEvent', {}))[2], 'NotSupported');
    // The station logged the invalid calls as the CSMS's errors; nothing else went wrong.
    assert.equal(c.errors.length, 3);
    c.errors.length = 0;
  });
});

test('issue 14 simulator CLI: --ocpp takes 1.6, 2.0.1 or both; a version it does not simulate (2.1) is a usage error', async () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/sim/cli.ts', '--url', 'ws://127.0.0.1:1/ocpp', '--ocpp', '1.6,2.1'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 20_000,
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const status = await new Promise((resolve) => child.once('close', resolve));
  assert.equal(status, 2);
  assert.match(stderr, /--ocpp: "2\.1" is not a simulated version \(1\.6, 2\.0\.1\)/);
});

test('issue 14 simulator: 2.0.1 stations of a fleet, like real ones, start no session for a token the CSMS refuses (counted as refused, not as errors); with the tags registered every session completes', async () => {
  const app = await startTestApp();
  try {
    const o = {
      url: `${app.wsBase}/ocpp`,
      chargers: 2,
      sessions: 1,
      versions: ['2.0.1'] as const,
      prefix: 'V201-FLEET',
      meterIntervalMs: 40,
      samplesPerSession: 2,
      chargeUnknownTags: false,
      deadlineMs: 20_000,
    };
    const refused = await runFleet(o);
    assert.equal(refused.sessionsRefused, 2);
    assert.deepEqual(refused.errorList, []);
    for (const tag of ['V201-FLEET-TAG-0001', 'V201-FLEET-TAG-0002']) assert.equal((await app.api('/api/rfid', { method: 'POST', json: { tagId: tag } })).status, 201);
    const accepted = await runFleet(o);
    assert.equal(accepted.ok, true, accepted.errorList.join('; '));
    assert.equal(accepted.sessionsCompleted, 2);
    assert.ok(accepted.energyWh > 0);
    assert.equal(accepted.acks.TransactionEvent, 2 * (1 + 2 + 1), 'Started, 2 Updated, Ended per session');
  } finally {
    await app.dispose();
  }
});
