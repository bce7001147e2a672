import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { startTestApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';
import { waitFor } from '../helpers/wait.js';

async function withCharger(fn: (app: TestApp, cp: TestCharger) => Promise<void>, overrides = {}): Promise<void> {
  const app = await startTestApp({ remoteStartWaitMs: 2000, callTimeoutMs: 1000, ...overrides });
  const cp = await TestCharger.connect(`${app.wsBase}/ocpp/CP1`);
  try {
    await boot(cp);
    await fn(app, cp);
  } finally {
    await cp.close();
    await app.dispose();
  }
}

const post = async (app: TestApp, path: string, json: unknown) => {
  const r = await app.api(path, { method: 'POST', json });
  return { status: r.status, body: (await r.json()) as any };
};

test('issue 3: remote start answers with the charger status and the transactionId; remote stop of that id ends it', () =>
  withCharger(async (app, cp) => {
    cp.onCall = (action, p) => {
      if (action === 'RemoteStartTransaction') {
        // Sent once the answer is out, as a charger does.
        setImmediate(() => void cp.call('StartTransaction', { connectorId: p.connectorId, idTag: p.idTag, meterStart: 100, timestamp: new Date().toISOString() }));
        return { status: 'Accepted' };
      }
      if (action === 'RemoteStopTransaction') {
        setImmediate(() => void cp.call('StopTransaction', { transactionId: p.transactionId, meterStop: 900, timestamp: new Date().toISOString(), reason: 'Remote' }));
        return { status: 'Accepted' };
      }
      return {};
    };
    const start = await post(app, '/api/admin/CP1/start-transaction', { connectorId: 1, idTag: 'RFID_001' });
    assert.equal(start.status, 200);
    assert.equal(start.body.response.status, 'Accepted');
    assert.ok(Number.isInteger(start.body.transactionId));
    const stop = await post(app, '/api/admin/CP1/stop-transaction', { transactionId: start.body.transactionId });
    assert.equal(stop.body.response.status, 'Accepted');
    const session = await waitFor(
      async () => {
        const s = (await (await app.api(`/api/sessions/${start.body.transactionId}`)).json()) as any;
        return s.status === 'Completed' && s;
      },
      { what: 'the session to complete' },
    );
    assert.equal(session.energyWh, 800);
    assert.equal(session.stopReason, 'Remote');
  }));

test('issue 3: a refused remote start answers Rejected with no transactionId, without waiting', () =>
  withCharger(async (app, cp) => {
    cp.onCall = () => ({ status: 'Rejected' });
    const t0 = Date.now();
    const r = await post(app, '/api/admin/CP1/start-transaction', { idTag: 'X' });
    assert.equal(r.body.response.status, 'Rejected');
    assert.equal(r.body.transactionId, null);
    assert.ok(Date.now() - t0 < 1500);
  }));

test('issue 3: command errors are clear — not connected 409, timeout 504, CALLERROR 502 with its code, invalid payload 400 with the field', () =>
  withCharger(async (app, cp) => {
    assert.equal((await post(app, '/api/admin/NOPE/reset', { type: 'Soft' })).status, 409);
    const invalid = await post(app, '/api/admin/CP1/change-availability', { connectorId: 'one', type: 'Operative' });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.field, 'body.connectorId');
    cp.onCall = () => undefined; // never answers
    const timeout = await post(app, '/api/admin/CP1/reset', { type: 'Soft' });
    assert.equal(timeout.status, 504);
    assert.match(timeout.body.error, /did not answer Reset/);
    cp.onCall = () => undefined;
    const pending = post(app, '/api/admin/CP1/clear-cache', {});
    const call = await cp.next((f) => f[0] === 2 && f[2] === 'ClearCache');
    cp.sendRaw(JSON.stringify([4, call[1], 'NotSupported', 'no cache here', {}]));
    const callError = await pending;
    assert.equal(callError.status, 502);
    assert.equal(callError.body.rpcCode, 'NotSupported');
  }));

test('issue 3: every command and its outcome is in the audit log (who, what, when, result)', () =>
  withCharger(async (app, cp) => {
    cp.onCall = () => ({ status: 'Unlocked' });
    await app.api('/api/admin/CP1/unlock-connector', { method: 'POST', json: { connectorId: 1 }, headers: { 'x-actor': 'depot-manager' } });
    await post(app, '/api/admin/NOPE/reset', { type: 'Hard' });
    const audit = (await (await app.api('/api/audit')).json()) as any[];
    assert.equal(audit.length, 2);
    assert.equal(audit[0].chargePointId, 'NOPE');
    assert.equal(audit[0].ok, false);
    assert.match(audit[0].error, /not connected/);
    assert.equal(audit[1].by, 'rest:depot-manager');
    assert.equal(audit[1].action, 'UnlockConnector');
    assert.deepEqual(audit[1].payload, { connectorId: 1 });
    assert.deepEqual(audit[1].result.response, { status: 'Unlocked' });
    assert.ok(Date.parse(audit[1].at));
  }));

test('issue 3 / OCPP 1.6 §4.2: a Pending charger accepts only configuration and TriggerMessage', () =>
  withCharger(
    async (app, cp) => {
      cp.onCall = (action) => (action === 'GetConfiguration' ? { configurationKey: [] } : { status: 'Accepted' });
      const refused = await post(app, '/api/admin/CP1/start-transaction', { idTag: 'T' });
      assert.equal(refused.status, 409);
      assert.match(refused.body.error, /Pending/);
      assert.equal((await post(app, '/api/admin/CP1/get-configuration', {})).status, 200);
      assert.equal((await post(app, '/api/admin/CP1/change-configuration', { key: 'HeartbeatInterval', value: '30' })).status, 200);
      assert.equal((await post(app, '/api/admin/CP1/trigger-message', { requestedMessage: 'BootNotification' })).status, 200);
      assert.equal(cp.received.filter((f) => f[0] === 2).length, 3, 'the refused command never reached the charger');
    },
    { unknownChargerPolicy: 'pending' },
  ));

test('issue 3: configuration snapshot kept from GetConfiguration and ChangeConfiguration, shown on the charger', () =>
  withCharger(async (app, cp) => {
    cp.onCall = (action) =>
      action === 'GetConfiguration'
        ? {
            configurationKey: [
              { key: 'HeartbeatInterval', readonly: false, value: '60' },
              { key: 'NumberOfConnectors', readonly: true, value: '2' },
            ],
            unknownKey: [],
          }
        : { status: 'Accepted' };
    await post(app, '/api/admin/CP1/get-configuration', {});
    await post(app, '/api/admin/CP1/change-configuration', { key: 'HeartbeatInterval', value: '30' });
    const charger = (await (await app.api('/api/charger/CP1')).json()) as any;
    const byKey = Object.fromEntries(charger.configuration.map((c: any) => [c.key, c]));
    assert.equal(byKey.HeartbeatInterval.value, '30');
    assert.equal(byKey.NumberOfConnectors.readonly, true);
  }));

test('issue 3: ChangeAvailability Scheduled is tracked until the StatusNotification shows it took effect', () =>
  withCharger(async (app, cp) => {
    cp.onCall = () => ({ status: 'Scheduled' });
    await post(app, '/api/admin/CP1/change-availability', { connectorId: 1, type: 'Inoperative' });
    let charger = (await (await app.api('/api/charger/CP1')).json()) as any;
    assert.equal(charger.availability[0].state, 'Scheduled');
    await cp.call('StatusNotification', { connectorId: 1, status: 'Unavailable', errorCode: 'NoError' });
    // A status report is acknowledged before its (lazy) commit; the state follows it.
    charger = await waitFor(
      async () => {
        const c = (await (await app.api('/api/charger/CP1')).json()) as any;
        return c.availability[0].state === 'Effective' && c;
      },
      { what: 'availability Effective' },
    );
    assert.ok(charger.availability[0].effectiveAt);
  }));

test('issue 3: seed 000 POST /api/ocpp/send and GET /api/ocpp/chargers; seed 003 connections, send, statistics, disconnect', () =>
  withCharger(async (app, cp) => {
    cp.onCall = () => ({ status: 'Accepted' });
    const sent = await post(app, '/api/ocpp/send', { chargePointId: 'CP1', command: { action: 'RemoteStartTransaction', connectorId: 1, idTag: 'user123' } });
    assert.equal(sent.status, 200);
    const onCharger = cp.received.find((f) => f[0] === 2 && f[2] === 'RemoteStartTransaction')!;
    assert.deepEqual(onCharger[3], { connectorId: 1, idTag: 'user123' });
    assert.deepEqual(await (await app.api('/api/ocpp/chargers')).json().then((l: any) => l.map((c: any) => [c.chargePointId, c.isConnected])), [['CP1', true]]);
    const conns = (await (await app.api('/connections')).json()) as any[];
    assert.equal(conns[0].chargePointId, 'CP1');
    assert.equal(conns[0].remoteAddress, '127.0.0.1');
    const viaConn = await post(app, '/connections/CP1/send', { action: 'Reset', payload: { type: 'Soft' } });
    assert.equal(viaConn.body.response.status, 'Accepted');
    const stats = (await (await app.api('/statistics')).json()) as any;
    assert.equal(stats.activeConnections, 1);
    assert.equal(stats.inbound.byAction.BootNotification.count, 1);
    assert.equal(stats.outbound.byAction.Reset.count, 1);
    const closed = cp.closed();
    assert.equal((await app.api('/connections/CP1', { method: 'DELETE' })).status, 200);
    await closed;
    assert.equal((await app.api('/connections/CP1', { method: 'DELETE' })).status, 404);
  }));

test('issue 3: live events at /api/events push connect, status, transactions, meter values and command results', async () => {
  const app = await startTestApp();
  try {
    const ws = new WebSocket(`${app.wsBase}/api/events`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    const events: string[] = [];
    ws.on('message', (d) => events.push(JSON.parse(d.toString()).event));
    await new Promise((r) => ws.once('open', r));
    const refused = new WebSocket(`${app.wsBase}/api/events?token=wrong`);
    await new Promise((r) => refused.once('error', r));
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/EV1`);
    await boot(cp);
    await cp.call('StatusNotification', { connectorId: 1, status: 'Charging', errorCode: 'NoError' });
    const { transactionId } = await cp.call('StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 0, timestamp: new Date().toISOString() });
    await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '10' }] }] });
    await cp.call('StopTransaction', { transactionId, meterStop: 20, timestamp: new Date().toISOString() });
    cp.onCall = () => ({ status: 'Accepted' });
    await app.api('/api/admin/EV1/reset', { method: 'POST', json: { type: 'Soft' } });
    await cp.close();
    await waitFor(() => events.includes('charger.disconnected'), { timeoutMs: 2000, what: 'charger.disconnected' });
    for (const e of ['hello', 'charger.connected', 'charger.booted', 'connector.status', 'transaction.started', 'meter.values', 'transaction.stopped', 'command.result', 'charger.disconnected']) {
      assert.ok(events.includes(e), `${e} pushed (got ${events.join(', ')})`);
    }
    ws.close();
  } finally {
    await app.dispose();
  }
});

test('issue 3: the API token can be rotated; the old one stops working at once', async () => {
  const app = await startTestApp();
  try {
    const { token } = (await (await app.api('/api/token/rotate', { method: 'POST' })).json()) as { token: string };
    assert.equal((await app.api('/api/stations')).status, 401);
    assert.equal((await fetch(`${app.httpBase}/api/stations`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  } finally {
    await app.dispose();
  }
});

test('issue 3: CORS is off by default — no Access-Control headers, even for a cross-origin preflight', async () => {
  const app = await startTestApp();
  try {
    const r = await fetch(`${app.httpBase}/api/stations`, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET' } });
    assert.equal(r.headers.get('access-control-allow-origin'), null);
  } finally {
    await app.dispose();
  }
});
