/**
 * Issue 3 acceptance: each of the 19 OCPP 1.6 CS->CP commands driven through REST
 * (POST /api/admin/:cpId/<command>) against a SimCharger over loopback. Both sides are checked:
 * the charger received a schema-valid call with the expected payload, and the REST answer
 * carries the charger's reply (plus what we learned: transactionId, reservationId, jobId ...),
 * and the store shows the resulting state where there is one.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OcppValidator } from '../../main/ocpp/validator.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { type ReceivedCall, SimCharger, type SimChargerOptions } from '../sim/charger.js';
import { type Answer, inFuture, restOf, until } from './rest.js';

let app: TestApp;
const validator = new OcppValidator();
const sims: SimCharger[] = [];

before(async () => {
  app = await startTestApp({ remoteStartWaitMs: 3000, callTimeoutMs: 3000 });
});
after(async () => {
  await Promise.all(sims.map((s) => s.close()));
  await app.dispose();
});

/** A connected, booted simulator tuned for tests (fast progress steps, reboots and backoff). */
async function connect(id: string, o: Partial<SimChargerOptions> = {}): Promise<SimCharger> {
  const sim = new SimCharger({
    id,
    url: `${app.wsBase}/ocpp`,
    meterIntervalMs: 100,
    timeScale: 60,
    backoffInitialMs: 50,
    backoffMaxMs: 300,
    txRetryIntervalMs: 200,
    callTimeoutMs: 5000,
    progressStepMs: 30,
    rebootDelayMs: 50,
    ...o,
  });
  sims.push(sim);
  sim.start();
  await sim.waitFor(() => sim.isOnline && (sim.acks.StatusNotification ?? 0) >= sim.connectorCount + 1, 5000, 'boot and status');
  return sim;
}

/** Closes the simulator after `fn`; it must not have seen a protocol error, nor an invalid call. */
async function withSim(id: string, fn: (sim: SimCharger) => Promise<void>, o: Partial<SimChargerOptions> = {}): Promise<void> {
  const sim = await connect(id, o);
  try {
    await fn(sim);
    for (const r of sim.received) assert.doesNotThrow(() => validator.check(`${r.action}.req`, r.payload), `${r.action} sent to ${id} is schema-valid`);
    assert.deepEqual(sim.errors, [], `${id} recorded no protocol errors`);
  } finally {
    await sim.close();
  }
}

const { get, command, charger, addCard } = restOf(() => app);

/**
 * The one call of `action` the simulator received: schema-valid (the official .req schema),
 * with exactly `payload`, answered (no CALLERROR); and the REST answer carries that reply.
 */
function receivedCall(sim: SimCharger, action: string, payload: unknown, answer: Answer): ReceivedCall {
  const calls = sim.received.filter((r) => r.action === action);
  assert.equal(calls.length, 1, `${sim.id} received one ${action}`);
  const call = calls[0]!;
  assert.doesNotThrow(() => validator.check(`${action}.req`, call.payload), `${action}.req is valid`);
  assert.deepEqual(call.payload, payload, `${action} payload as the charger got it`);
  assert.equal(call.error, undefined, `${sim.id} answered ${action} without CALLERROR`);
  assert.equal(answer.status, 200, `REST answer of ${action}: ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.action, action);
  assert.equal(answer.body.chargePointId, sim.id);
  assert.deepEqual(answer.body.response, call.response, `the REST answer carries the charger's ${action} reply`);
  assert.doesNotThrow(() => validator.check(`${action}.conf`, answer.body.response));
  return call;
}

/** Remote start through REST; resolves once the charger, too, knows the transactionId. */
async function remoteStart(sim: SimCharger, connectorId: number, idTag: string): Promise<number> {
  const start = await command(sim.id, 'start-transaction', { connectorId, idTag });
  assert.equal(start.body.response?.status, 'Accepted', JSON.stringify(start.body));
  const id = start.body.transactionId as number;
  assert.ok(Number.isInteger(id), `transactionId in the answer: ${JSON.stringify(start.body)}`);
  await sim.waitFor(() => sim.activeTransactions.some((t) => t.transactionId === id), 2000, 'the StartTransaction answer');
  return id;
}

test('RemoteStartTransaction: the charger gets the idTag and connector, REST answers Accepted with the transactionId of the session it started; RemoteStopTransaction of that id ends it (Completed, reason Remote)', () =>
  withSim('CMD-REMOTE', async (sim) => {
    await addCard('CMD-REMOTE-TAG');
    const start = await command(sim.id, 'start-transaction', { connectorId: 1, idTag: 'CMD-REMOTE-TAG' });
    receivedCall(sim, 'RemoteStartTransaction', { connectorId: 1, idTag: 'CMD-REMOTE-TAG' }, start);
    assert.equal(start.body.response.status, 'Accepted');
    assert.ok(Number.isInteger(start.body.transactionId), `transactionId in the answer: ${JSON.stringify(start.body)}`);
    // The charger learns the id from our StartTransaction answer, which may reach it just after the REST answer.
    await sim.waitFor(() => sim.activeTransactions[0]?.transactionId != null, 2000, 'the StartTransaction answer');
    const tx = sim.activeTransactions[0]!;
    assert.equal(tx.transactionId, start.body.transactionId, "the id is the one the charger's StartTransaction got");
    assert.equal(tx.remote, true);
    const active = await get(`/api/sessions?station=${sim.id}&status=Active`);
    assert.deepEqual(
      active.items.map((s: any) => s.transactionId),
      [start.body.transactionId],
    );

    const stop = await command(sim.id, 'stop-transaction', { transactionId: start.body.transactionId });
    receivedCall(sim, 'RemoteStopTransaction', { transactionId: start.body.transactionId }, stop);
    assert.equal(stop.body.response.status, 'Accepted');
    const session = await until(
      () => get(`/api/sessions/${start.body.transactionId}`),
      (s) => s.status === 'Completed',
      'the session to complete',
    );
    assert.equal(session.stopReason, 'Remote');
    assert.equal(session.chargePointId, sim.id);
    assert.ok(session.energyWh > 0, 'energy delivered is recorded');
    await sim.drain(2000);
    assert.deepEqual(
      sim.ledger.stops.map((s) => [s.transactionId, s.reason]),
      [[start.body.transactionId, 'Remote']],
    );
    const completed = await get(`/api/sessions?station=${sim.id}&status=Completed`);
    assert.deepEqual(
      completed.items.map((s: any) => s.transactionId),
      [start.body.transactionId],
    );
  }));

test('RemoteStopTransaction of an id the charger does not run: REST answers Rejected, nothing changes', () =>
  withSim('CMD-STOP-UNKNOWN', async (sim) => {
    const stop = await command(sim.id, 'stop-transaction', { transactionId: 987654 });
    receivedCall(sim, 'RemoteStopTransaction', { transactionId: 987654 }, stop);
    assert.equal(stop.body.response.status, 'Rejected');
  }));

test('Reset Soft: the charger accepts, stops its running session with reason SoftReset, reboots and boots again', () =>
  withSim('CMD-RESET', async (sim) => {
    await addCard('CMD-RESET-TAG');
    const transactionId = await remoteStart(sim, 1, 'CMD-RESET-TAG');
    const reset = await command(sim.id, 'reset', { type: 'Soft' });
    receivedCall(sim, 'Reset', { type: 'Soft' }, reset);
    assert.equal(reset.body.response.status, 'Accepted');
    await sim.waitFor(() => sim.boots === 2 && sim.isOnline, 4000, 'the reboot');
    const session = await until(
      () => get(`/api/sessions/${transactionId}`),
      (s) => s.status === 'Completed',
      'the session to complete',
    );
    assert.equal(session.stopReason, 'SoftReset');
  }));

test('Reset Hard: the charger accepts and boots again', () =>
  withSim('CMD-RESET-HARD', async (sim) => {
    const reset = await command(sim.id, 'reset', { type: 'Hard' });
    receivedCall(sim, 'Reset', { type: 'Hard' }, reset);
    assert.equal(reset.body.response.status, 'Accepted');
    await sim.waitFor(() => sim.boots === 2 && sim.isOnline, 4000, 'the reboot');
  }));

test('UnlockConnector: the charger unlocks connector 1 and a session running there ends (UnlockCommand); connector 0 is NotSupported', () =>
  withSim('CMD-UNLOCK', async (sim) => {
    await addCard('CMD-UNLOCK-TAG');
    const transactionId = await remoteStart(sim, 1, 'CMD-UNLOCK-TAG');
    const unlock = await command(sim.id, 'unlock-connector', { connectorId: 1 });
    receivedCall(sim, 'UnlockConnector', { connectorId: 1 }, unlock);
    assert.equal(unlock.body.response.status, 'Unlocked');
    const session = await until(
      () => get(`/api/sessions/${transactionId}`),
      (s) => s.status === 'Completed',
      'the session to complete',
    );
    assert.equal(session.stopReason, 'UnlockCommand');
    const zero = await command(sim.id, 'unlock-connector', { connectorId: 0 });
    assert.equal(zero.body.response.status, 'NotSupported');
  }));

test('ChangeAvailability: Inoperative is Effective at once on an idle connector (store and charger), the Unavailable status reaches the store; Scheduled during a session is tracked until the session ends', () =>
  withSim(
    'CMD-AVAIL',
    async (sim) => {
      const off = await command(sim.id, 'change-availability', { connectorId: 1, type: 'Inoperative' });
      receivedCall(sim, 'ChangeAvailability', { connectorId: 1, type: 'Inoperative' }, off);
      assert.equal(off.body.response.status, 'Accepted');
      assert.equal(sim.connectorStatus(1)!.availability, 'Inoperative');
      let cp = await charger(sim.id);
      assert.deepEqual(
        cp.availability.map((a: any) => [a.connectorId, a.requested, a.state]),
        [[1, 'Inoperative', 'Effective']],
      );
      cp = await until(
        () => charger(sim.id),
        (c) => c.connectors.find((x: any) => x.connectorId === 1)?.status === 'Unavailable',
        'connector 1 Unavailable in the store',
      );

      // A session on connector 2: Inoperative there is Scheduled until the session ends.
      await addCard('CMD-AVAIL-TAG');
      const transactionId = await remoteStart(sim, 2, 'CMD-AVAIL-TAG');
      const scheduled = await command(sim.id, 'change-availability', { connectorId: 2, type: 'Inoperative' });
      assert.equal(scheduled.body.response.status, 'Scheduled');
      cp = await charger(sim.id);
      assert.equal(cp.availability.find((a: any) => a.connectorId === 2).state, 'Scheduled');
      assert.equal((await command(sim.id, 'stop-transaction', { transactionId })).body.response.status, 'Accepted');
      cp = await until(
        () => charger(sim.id),
        (c) => c.availability.find((a: any) => a.connectorId === 2).state === 'Effective',
        'the scheduled change to take effect',
      );
      assert.equal(sim.connectorStatus(2)!.availability, 'Inoperative');
      assert.equal(cp.connectors.find((x: any) => x.connectorId === 2).status, 'Unavailable');

      const on = await command(sim.id, 'change-availability', { connectorId: 0, type: 'Operative' });
      assert.equal(on.body.response.status, 'Accepted');
      assert.equal(sim.connectorStatus(1)!.availability, 'Operative');
      await until(
        () => charger(sim.id),
        (c) => c.connectors.filter((x: any) => x.connectorId > 0).every((x: any) => x.status === 'Available'),
        'connectors Available again',
      );
    },
    { connectors: 2 },
  ));

test('GetConfiguration: all keys become the configuration snapshot shown on the charger (values, readonly; AuthorizationKey without value); named keys answer unknownKey for ones the charger lacks', () =>
  withSim('CMD-GETCONF', async (sim) => {
    const all = await command(sim.id, 'get-configuration', {});
    receivedCall(sim, 'GetConfiguration', {}, all);
    const cp = await charger(sim.id);
    const stored: Record<string, any> = Object.fromEntries(cp.configuration.map((c: any) => [c.key, { readonly: c.readonly, ...(c.value !== null && { value: c.value }) }]));
    assert.deepEqual(stored, sim.configuration, 'the snapshot equals what the charger holds');
    assert.equal(stored.AuthorizationKey?.value, undefined);
    assert.equal(stored.SendLocalListMaxLength?.value, '500');

    const some = await command(sim.id, 'get-configuration', { key: ['HeartbeatInterval', 'NoSuchKey'] });
    assert.deepEqual(some.body.response.unknownKey, ['NoSuchKey']);
    assert.deepEqual(some.body.response.configurationKey, [{ key: 'HeartbeatInterval', readonly: false, value: sim.configValue('HeartbeatInterval') }]);
  }));

test('ChangeConfiguration: an accepted value reaches the charger and the snapshot; a read-only key is Rejected and the snapshot keeps the old value', () =>
  withSim('CMD-CHANGECONF', async (sim) => {
    await command(sim.id, 'get-configuration', {});
    const change = await command(sim.id, 'change-configuration', { key: 'MeterValueSampleInterval', value: '15' });
    receivedCall(sim, 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '15' }, change);
    assert.equal(change.body.response.status, 'Accepted');
    assert.equal(sim.configValue('MeterValueSampleInterval'), '15');
    const readOnly = await command(sim.id, 'change-configuration', { key: 'NumberOfConnectors', value: '4' });
    assert.equal(readOnly.body.response.status, 'Rejected');
    const unknown = await command(sim.id, 'change-configuration', { key: 'NoSuchKey', value: '1' });
    assert.equal(unknown.body.response.status, 'NotSupported');
    const byKey = Object.fromEntries((await charger(sim.id)).configuration.map((c: any) => [c.key, c.value]));
    assert.equal(byKey.MeterValueSampleInterval, '15');
    assert.equal(byKey.NumberOfConnectors, '1');
    assert.equal(byKey.NoSuchKey, undefined);
  }));

test('ChangeConfiguration AuthorizationKey: REST answers passwordUpdated, the snapshot masks it, the charger reconnects with the new key and the old one is refused', () =>
  withSim(
    'CMD-AUTHKEY',
    async (sim) => {
      const key = 'new-key-0123456789abcdef';
      const change = await command(sim.id, 'change-configuration', { key: 'AuthorizationKey', value: key });
      receivedCall(sim, 'ChangeConfiguration', { key: 'AuthorizationKey', value: key }, change);
      assert.equal(change.body.response.status, 'Accepted');
      assert.equal(change.body.passwordUpdated, true);
      const stored = (await charger(sim.id)).configuration.find((c: any) => c.key === 'AuthorizationKey');
      assert.equal(stored.value, '********', 'the key itself is not stored in the snapshot');
      assert.equal(change.body.request.value, '********', 'the REST answer does not echo the key');
      const audit = (await get(`/api/audit?station=${sim.id}`)) as any[];
      const row = audit.find((a) => a.action === 'ChangeConfiguration');
      assert.deepEqual(row.payload, { key: 'AuthorizationKey', value: '********' }, 'the audit log records the change without the key');
      assert.ok(!JSON.stringify(audit).includes(key));

      // The socket drops; the charger comes back with the new key.
      const boots = sim.boots;
      assert.equal((await app.api(`/connections/${sim.id}`, { method: 'DELETE' })).status, 200);
      await sim.waitFor(() => sim.boots > boots && sim.isOnline, 4000, 'reconnect with the new key');
      const impostor = new SimCharger({ id: sim.id, url: `${app.wsBase}/ocpp`, password: 'old-key-0123456789abcdef', autoReconnect: false });
      impostor.start();
      await impostor.waitFor(() => impostor.lastConnectError !== null, 3000, 'the old key to be refused');
      assert.match(impostor.lastConnectError!, /401/);
      await impostor.close();
      assert.ok(sim.isOnline, 'the real charger stays connected');
    },
    { password: 'old-key-0123456789abcdef' },
  ));

test('ClearCache: the charger empties its authorization cache and answers Accepted; Rejected when its cache is disabled', () =>
  withSim('CMD-CACHE', async (sim) => {
    await addCard('CMD-CACHE-TAG');
    const r = await sim.startSession({ idTag: 'CMD-CACHE-TAG', samples: 1 });
    assert.ok(r.started);
    await r.tx.ended;
    await sim.drain(2000);
    assert.ok(sim.authCache['CMD-CACHE-TAG'], 'the tag was cached');
    const clear = await command(sim.id, 'clear-cache', {});
    receivedCall(sim, 'ClearCache', {}, clear);
    assert.equal(clear.body.response.status, 'Accepted');
    assert.deepEqual(sim.authCache, {});
    await command(sim.id, 'change-configuration', { key: 'AuthorizationCacheEnabled', value: 'false' });
    assert.equal((await command(sim.id, 'clear-cache', {})).body.response.status, 'Rejected');
  }));

test("GetLocalListVersion: REST answers the charger's version with the version we track (expectedVersion, inSync)", () =>
  withSim('CMD-LLVER', async (sim) => {
    const v = await command(sim.id, 'get-local-list-version', {});
    receivedCall(sim, 'GetLocalListVersion', {}, v);
    assert.equal(v.body.response.listVersion, sim.localListVersion);
    assert.equal(v.body.expectedVersion, 0);
    assert.equal(v.body.inSync, true);
  }));

test('SendLocalList Full: the charger gets the RFID table as a valid Full list (Accepted), its version is the one shown on the charger', () =>
  withSim('CMD-SLL', async (sim) => {
    // Other tests add cards to the same table: compare with whatever it holds now.
    await addCard('CMD-SLL-TAG', { validUntil: inFuture(86_400_000), parentIdTag: 'CMD-SLL-PARENT' });
    const send = await command(sim.id, 'send-local-list', { updateType: 'Full' });
    const calls = sim.received.filter((r) => r.action === 'SendLocalList');
    const payload = calls.at(-1)!.payload as any;
    receivedCall(sim, 'SendLocalList', payload, send);
    assert.equal(send.body.response.status, 'Accepted');
    assert.equal(payload.updateType, 'Full');
    const cards = (await get('/api/rfid')) as any[];
    assert.deepEqual(Object.keys(sim.localList).sort(), cards.map((c) => c.tagId).sort());
    assert.deepEqual(sim.localList['CMD-SLL-TAG'], { status: 'Accepted', expiryDate: cards.find((c) => c.tagId === 'CMD-SLL-TAG').validUntil, parentIdTag: 'CMD-SLL-PARENT' });
    const cp = await charger(sim.id);
    assert.equal(cp.localList.version, sim.localListVersion);
    assert.equal(cp.localList.entries.length, cards.length);
  }));

test('ReserveNow: REST assigns the reservationId, the charger gets it and reserves the connector (Reserved status reaches the store); CancelReservation frees it', () =>
  withSim('CMD-RESERVE', async (sim) => {
    const expiryDate = inFuture(60_000);
    const reserve = await command(sim.id, 'reserve-now', { connectorId: 1, idTag: 'CMD-RES-TAG', expiryDate });
    assert.ok(Number.isInteger(reserve.body.reservationId), JSON.stringify(reserve.body));
    receivedCall(sim, 'ReserveNow', { connectorId: 1, idTag: 'CMD-RES-TAG', expiryDate, reservationId: reserve.body.reservationId }, reserve);
    assert.equal(reserve.body.response.status, 'Accepted');
    assert.deepEqual(sim.reservations, [{ reservationId: reserve.body.reservationId, connectorId: 1, idTag: 'CMD-RES-TAG', expiryDate }]);
    const stored = (await get(`/api/reservations?station=${sim.id}`)) as any[];
    assert.deepEqual(
      stored.map((r) => [r.reservationId, r.status]),
      [[reserve.body.reservationId, 'Reserved']],
    );
    await until(
      () => charger(sim.id),
      (c) => c.connectors.find((x: any) => x.connectorId === 1)?.status === 'Reserved',
      'connector 1 Reserved in the store',
    );

    const cancel = await command(sim.id, 'cancel-reservation', { reservationId: reserve.body.reservationId });
    receivedCall(sim, 'CancelReservation', { reservationId: reserve.body.reservationId }, cancel);
    assert.equal(cancel.body.response.status, 'Accepted');
    assert.deepEqual(sim.reservations, []);
    assert.equal(((await get(`/api/reservations?station=${sim.id}`)) as any[])[0].status, 'Cancelled');
    await until(
      () => charger(sim.id),
      (c) => c.connectors.find((x: any) => x.connectorId === 1)?.status === 'Available',
      'connector 1 Available again',
    );
    const again = await command(sim.id, 'cancel-reservation', { reservationId: reserve.body.reservationId });
    assert.equal(again.body.response.status, 'Rejected', 'a reservation the charger no longer has');
  }));

test('TriggerMessage: the charger accepts and sends the requested StatusNotification and Heartbeat, which the central system acknowledges', () =>
  withSim('CMD-TRIGGER', async (sim) => {
    const statusBefore = sim.sent.filter((s) => s.action === 'StatusNotification').length;
    const trigger = await command(sim.id, 'trigger-message', { requestedMessage: 'StatusNotification', connectorId: 1 });
    receivedCall(sim, 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 1 }, trigger);
    assert.equal(trigger.body.response.status, 'Accepted');
    await sim.waitFor(() => sim.sent.filter((s) => s.action === 'StatusNotification' && s.result !== undefined).length > statusBefore, 2000, 'the triggered StatusNotification');
    const triggered = sim.sent.filter((s) => s.action === 'StatusNotification').at(-1)!;
    assert.equal((triggered.payload as any).connectorId, 1);
    const heartbeats = sim.acks.Heartbeat ?? 0;
    assert.equal((await command(sim.id, 'trigger-message', { requestedMessage: 'Heartbeat' })).body.response.status, 'Accepted');
    await sim.waitFor(() => (sim.acks.Heartbeat ?? 0) > heartbeats, 2000, 'the triggered Heartbeat');
    assert.equal((await command(sim.id, 'trigger-message', { requestedMessage: 'StatusNotification', connectorId: 7 })).body.response.status, 'Rejected');
  }));

test('UpdateFirmware: REST answers with a jobId; the charger downloads, installs, reboots with the new version; each FirmwareStatusNotification moves the job on, to Installed', () =>
  withSim(
    'CMD-FW',
    async (sim) => {
      const reached: string[] = [];
      const off = app.events.on('charger.firmware', (e) => e.chargePointId === sim.id && reached.push(e.status));
      try {
        const retrieveDate = new Date().toISOString();
        const location = 'http://127.0.0.1:9/firmware/sim-2.1.0.bin';
        const fw = await command(sim.id, 'update-firmware', { location, retrieveDate });
        receivedCall(sim, 'UpdateFirmware', { location, retrieveDate }, fw);
        assert.deepEqual(fw.body.response, {});
        assert.ok(Number.isInteger(fw.body.jobId));
        const seen: string[] = [];
        const cp = await until(
          async () => {
            const c = await charger(sim.id);
            const status = c.maintenanceJobs.find((j: any) => j.id === fw.body.jobId).status as string;
            if (seen.at(-1) !== status) seen.push(status);
            return c;
          },
          (c) => c.maintenanceJobs.find((j: any) => j.id === fw.body.jobId).status === 'Installed',
          'the firmware job to reach Installed',
        );
        const order = ['Requested', 'Downloading', 'Downloaded', 'Installing', 'Installed'];
        assert.deepEqual(
          seen,
          order.filter((s) => seen.includes(s)),
          `the job moved forward only: ${seen.join(' > ')}`,
        );
        assert.ok(
          seen.some((s) => s !== 'Requested' && s !== 'Installed'),
          `progress seen in the job on the way: ${seen.join(' > ')}`,
        );
        assert.deepEqual(reached, ['Downloading', 'Downloaded', 'Installing', 'Installed'], 'every progress notification reached the central system');
        const job = cp.maintenanceJobs.find((j: any) => j.id === fw.body.jobId);
        assert.equal(job.kind, 'firmware');
        assert.equal(job.location, location);
        assert.equal(sim.firmwareVersion, '2.1.0');
        assert.equal(sim.boots, 2, 'the new image booted');
        assert.equal(cp.firmwareVersion, '2.1.0', 'the boot reported the new version');
      } finally {
        off();
      }
    },
    // Steps long enough for each notification to be acknowledged before the next (and before the reboot).
    { progressStepMs: 150 },
  ));

test('UpdateFirmware from a failing location: the job ends DownloadFailed', () =>
  withSim('CMD-FW-FAIL', async (sim) => {
    const fw = await command(sim.id, 'update-firmware', { location: 'http://127.0.0.1:9/fail/sim-9.bin', retrieveDate: new Date().toISOString() });
    assert.equal(fw.status, 200);
    await until(
      () => charger(sim.id),
      (c) => c.maintenanceJobs.find((j: any) => j.id === fw.body.jobId).status === 'DownloadFailed',
      'DownloadFailed',
    );
  }));

test("GetDiagnostics: REST answers the charger's fileName and a jobId; DiagnosticsStatusNotifications move the job to Uploaded", () =>
  withSim('CMD-DIAG', async (sim) => {
    const location = 'ftp://127.0.0.1:9/diagnostics/';
    const diag = await command(sim.id, 'get-diagnostics', { location, retries: 1 });
    receivedCall(sim, 'GetDiagnostics', { location, retries: 1 }, diag);
    assert.match(diag.body.response.fileName, /^diagnostics-CMD-DIAG-.*\.zip$/);
    assert.ok(Number.isInteger(diag.body.jobId));
    const cp = await until(
      () => charger(sim.id),
      (c) => c.maintenanceJobs.find((j: any) => j.id === diag.body.jobId).status === 'Uploaded',
      'the upload to finish',
    );
    const job = cp.maintenanceJobs.find((j: any) => j.id === diag.body.jobId);
    assert.equal(job.kind, 'diagnostics');
    assert.equal(job.fileName, diag.body.response.fileName);
    assert.equal(job.location, location);
  }));

test('DataTransfer: the charger gets vendorId, messageId and data; REST answers its status (the simulator knows no vendor: UnknownVendorId)', () =>
  withSim('CMD-DT', async (sim) => {
    const payload = { vendorId: 'com.example.depot', messageId: 'ping', data: '{"n":1}' };
    const dt = await command(sim.id, 'data-transfer', payload);
    receivedCall(sim, 'DataTransfer', payload, dt);
    assert.equal(dt.body.response.status, 'UnknownVendorId');
  }));

const maxProfile = (id: number, limitA: number, stackLevel = 1) => ({
  chargingProfileId: id,
  stackLevel,
  chargingProfilePurpose: 'ChargePointMaxProfile',
  chargingProfileKind: 'Absolute',
  chargingSchedule: { chargingRateUnit: 'A', startSchedule: new Date(Date.now() - 60_000).toISOString(), chargingSchedulePeriod: [{ startPeriod: 0, limit: limitA }] },
});

test('SetChargingProfile / GetCompositeSchedule / ClearChargingProfile: an accepted profile is installed on the charger and stored; the composite schedule reflects its limit; clearing removes it on both sides', () =>
  withSim('CMD-PROFILE', async (sim) => {
    const profile = maxProfile(501, 16);
    const set = await command(sim.id, 'set-charging-profile', { connectorId: 0, csChargingProfiles: profile });
    receivedCall(sim, 'SetChargingProfile', { connectorId: 0, csChargingProfiles: profile }, set);
    assert.equal(set.body.response.status, 'Accepted');
    assert.deepEqual(sim.chargingProfiles, [{ connectorId: 0, profile }]);
    let cp = await charger(sim.id);
    assert.deepEqual(
      cp.chargingProfiles.map((p: any) => [p.connectorId, p.profileId, p.purpose, p.stackLevel, p.profile]),
      [[0, 501, 'ChargePointMaxProfile', 1, profile]],
    );

    // A profile the charger cannot take (stack level above ChargeProfileMaxStackLevel) is not stored.
    const tooHigh = await command(sim.id, 'set-charging-profile', { connectorId: 0, csChargingProfiles: maxProfile(502, 10, 11) });
    assert.equal(tooHigh.body.response.status, 'Rejected');
    assert.equal((await charger(sim.id)).chargingProfiles.length, 1);

    const composite = await command(sim.id, 'get-composite-schedule', { connectorId: 0, duration: 3600, chargingRateUnit: 'A' });
    receivedCall(sim, 'GetCompositeSchedule', { connectorId: 0, duration: 3600, chargingRateUnit: 'A' }, composite);
    assert.equal(composite.body.response.status, 'Accepted');
    assert.equal(composite.body.response.chargingSchedule.chargingRateUnit, 'A');
    assert.equal(composite.body.response.chargingSchedule.chargingSchedulePeriod[0].limit, 16);

    const clear = await command(sim.id, 'clear-charging-profile', { id: 501 });
    receivedCall(sim, 'ClearChargingProfile', { id: 501 }, clear);
    assert.equal(clear.body.response.status, 'Accepted');
    assert.equal(clear.body.profilesRemoved, 1);
    assert.deepEqual(sim.chargingProfiles, []);
    cp = await charger(sim.id);
    assert.deepEqual(cp.chargingProfiles, []);
    assert.equal((await command(sim.id, 'clear-charging-profile', { id: 501 })).body.response.status, 'Unknown');
  }));

test('every one of the 19 commands was driven through REST against the simulator, and each is in the audit log', async () => {
  const audit = (await get('/api/audit?limit=10000')) as any[];
  const done = new Set(audit.filter((a) => a.chargePointId.startsWith('CMD-') && a.ok).map((a) => a.action));
  const { OUTBOUND_ACTIONS } = await import('../../main/ocpp/actions.js');
  assert.deepEqual(
    OUTBOUND_ACTIONS.filter((a) => !done.has(a)),
    [],
    'commands without a successful run in this file',
  );
});
