import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getCharger } from '../../main/store/queries/chargers.js';
import { boot, connect, connectBooted, cpid, quietWindow, startTestApp, type TestApp, type TestCharger, waitFor } from './support.js';

const localPort = (cp: TestCharger): number => (cp.ws as unknown as { _socket: { localPort: number } })._socket.localPort;

describe('connection state (isConnected, lastSeen, remote address and port)', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.dispose());

  test('a connected charger is isConnected with lastSeen, and the remote IP address and port of its socket are persisted', async () => {
    const id = cpid('CS');
    const t0 = Date.now();
    const cp = await connect(app, id);
    const c = await waitFor(() => {
      const x = getCharger(app.db, id);
      return x?.isConnected ? x : undefined;
    }, 'connected row');
    assert.equal(c.remoteAddress, '127.0.0.1');
    assert.equal(c.remotePort, localPort(cp), 'the port the charger connects from');
    assert.ok(c.lastSeen && Date.parse(c.lastSeen) >= t0 - 1000);
    assert.ok(app.ocpp.connectedIds.includes(id));
    const conn = app.ocpp.connection(id)!;
    assert.equal(conn.remoteAddress, '127.0.0.1');
    assert.equal(conn.remotePort, localPort(cp));
    // also visible through the read API (seed 001 /api/stations/connected/list)
    const list = (await (await app.api('/api/stations/connected/list')).json()) as unknown;
    assert.ok(JSON.stringify(list).includes(id));
    await cp.close();
  });

  test('lastSeen follows the traffic: a Heartbeat moves it (flushed to the store in batches)', async () => {
    const id = cpid('CS');
    const cp = await connectBooted(app, id);
    const before = getCharger(app.db, id)!.lastSeen!;
    await waitFor(() => Date.now() > Date.parse(before), 'the clock to pass the stored lastSeen');
    const hb = await cp.call('Heartbeat', {});
    assert.ok(Date.parse(hb.currentTime) > 0, 'Heartbeat answers the current time');
    const live = app.ocpp.connection(id)!.lastSeenMs;
    assert.ok(live > Date.parse(before), 'the live connection state moved at once');
    app.ocpp['presence'].flush(); // what the 5 s presence timer does
    const after = await waitFor(() => {
      const c = getCharger(app.db, id)!;
      return c.lastSeen !== before ? c : undefined;
    }, 'lastSeen persisted');
    assert.equal(after.lastSeen, new Date(live).toISOString());
    assert.equal(after.lastHeartbeatAt, new Date(live).toISOString());
    await cp.close();
  });

  test('a disconnect sets isConnected false and lastSeen to the time it went', async () => {
    const id = cpid('CS');
    const cp = await connectBooted(app, id);
    await cp.close();
    const c = await waitFor(() => {
      const x = getCharger(app.db, id)!;
      return x.isConnected ? undefined : x;
    }, 'disconnected row');
    assert.ok(Date.now() - Date.parse(c.lastSeen!) < 2000);
    assert.ok(!app.ocpp.connectedIds.includes(id));
  });

  test('a second connection with the same CPID replaces the first: the first is closed, and its close does not mark the charger offline', async () => {
    const id = cpid('DUP');
    const first = await connectBooted(app, id);
    const firstClosed = first.closed();
    const disconnected: string[] = [];
    const off = app.events.on('charger.disconnected', (e) => e.chargePointId === id && disconnected.push(e.reason));
    const log = app.ocpp['s'].log;
    const warn = log.warn;
    const warnings: Array<{ obj: unknown; msg: unknown }> = [];
    log.warn = ((obj: unknown, msg?: unknown) => void warnings.push({ obj, msg })) as typeof log.warn;
    const second = await connect(app, id).finally(() => (log.warn = warn));
    assert.ok(
      warnings.some((w) => /replaces/.test(String(w.msg)) && (w.obj as { cp?: string }).cp === id),
      `the replacement is logged: ${JSON.stringify(warnings)}`,
    );
    const { code, reason } = await firstClosed;
    assert.equal(code, 1000);
    assert.match(reason, /replaced/);
    await quietWindow(100); // a wrong "disconnect" event or write must not come in this window
    off();
    assert.deepEqual(disconnected, [], 'no disconnect event for the replaced socket');
    const c = getCharger(app.db, id)!;
    assert.equal(c.isConnected, true, 'still connected through the second socket');
    assert.equal(c.remotePort, localPort(second), 'the newer socket is the one recorded');
    assert.equal(app.ocpp.connection(id)!.remotePort, localPort(second));
    // the newer socket works, both ways
    assert.equal((await boot(second)).status, 'Accepted');
    second.onCall = () => ({ status: 'Accepted' });
    assert.deepEqual(await app.ocpp.call(id, 'ClearCache', {}), { status: 'Accepted' });
    // and when it goes, the charger is offline
    await second.close();
    await waitFor(() => getCharger(app.db, id)!.isConnected === false, 'offline after the second socket closes');
  });

  test('charger.connected / charger.disconnected events carry the remote address and port', async () => {
    const id = cpid('EV');
    const events: unknown[] = [];
    const offA = app.events.on('charger.connected', (e) => e.chargePointId === id && events.push(['connected', e.remoteAddress, e.remotePort]));
    const offB = app.events.on('charger.disconnected', (e) => e.chargePointId === id && events.push(['disconnected']));
    const cp = await connect(app, id);
    const port = localPort(cp);
    await waitFor(() => events.length === 1, 'connected event');
    await cp.close();
    await waitFor(() => events.length === 2, 'disconnected event');
    offA();
    offB();
    assert.deepEqual(events, [['connected', '127.0.0.1', port], ['disconnected']]);
  });
});
