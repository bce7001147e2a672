import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CallTimeoutError, NotConnectedError } from '../../main/ocpp/connection.js';
import { RpcError } from '../../main/ocpp/rpc.js';
import { connectBooted, cpid, quietWindow, startTestApp, type TestApp } from './support.js';

describe('outbound calls (CS -> charger)', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ callTimeoutMs: 300 });
  });
  after(() => app.dispose());

  test('an unanswered call fails after callTimeoutMs with a clear CallTimeoutError naming charger, action and time', async () => {
    const id = cpid('TMO');
    const cp = await connectBooted(app, id);
    cp.onCall = () => undefined;
    const t0 = Date.now();
    await assert.rejects(app.ocpp.call(id, 'ClearCache', {}), (err: unknown) => {
      assert.ok(err instanceof CallTimeoutError, `got ${String(err)}`);
      assert.match(err.message, new RegExp(`${id}.*ClearCache.*300 ms`));
      return true;
    });
    const took = Date.now() - t0;
    assert.ok(took >= 280 && took < 1500, `timed out after ${took} ms`);
    await cp.close();
  });

  test('after a timeout the queue moves on: the next queued call is sent and answered', async () => {
    const id = cpid('TMO');
    const cp = await connectBooted(app, id);
    cp.onCall = (action) => (action === 'ClearCache' ? undefined : { status: 'Accepted' });
    const first = app.ocpp.call(id, 'ClearCache', {});
    const second = app.ocpp.call(id, 'Reset', { type: 'Hard' });
    await assert.rejects(first, CallTimeoutError);
    assert.deepEqual(await second, { status: 'Accepted' });
    // A late answer to the timed-out call is ignored and settles nothing else.
    const cleared = cp.received.find((f) => f[0] === 2 && f[2] === 'ClearCache')!;
    cp.sendRaw(JSON.stringify([3, cleared[1], { status: 'Accepted' }]));
    cp.onCall = () => ({ status: 'Rejected' });
    assert.deepEqual(await app.ocpp.call(id, 'ClearCache', {}), { status: 'Rejected' });
    await cp.close();
  });

  test('per-call timeout overrides the configured one', async () => {
    const id = cpid('TMO');
    const cp = await connectBooted(app, id);
    cp.onCall = () => undefined;
    const t0 = Date.now();
    await assert.rejects(app.ocpp.call(id, 'ClearCache', {}, 120), CallTimeoutError);
    assert.ok(Date.now() - t0 < 280);
    await cp.close();
  });

  test('OCPP-J 4.1.1: at most one outstanding call per charger; the second is queued until the first is answered', async () => {
    const id = cpid('ONE');
    const cp = await connectBooted(app, id);
    cp.onCall = () => undefined;
    const firstSeen = cp.next((f) => f[0] === 2);
    const p1 = app.ocpp.call(id, 'ClearCache', {}, 2000);
    const p2 = app.ocpp.call(id, 'Reset', { type: 'Soft' }, 2000);
    const p3 = app.ocpp.call(id, 'GetLocalListVersion', {}, 2000);
    const f1 = await firstSeen;
    assert.equal(f1[2], 'ClearCache');
    await quietWindow(100); // no second call may go out in this window
    const calls = () => cp.received.filter((f) => f[0] === 2);
    assert.equal(calls().length, 1, 'only the first call is on the wire');
    assert.equal(app.ocpp.connection(id)!.pendingCalls, 3);

    const secondSeen = cp.next((f) => f[0] === 2);
    cp.sendRaw(JSON.stringify([3, f1[1], { status: 'Accepted' }]));
    assert.deepEqual(await p1, { status: 'Accepted' });
    const f2 = await secondSeen;
    assert.equal(f2[2], 'Reset');
    await quietWindow(50); // nor the third
    assert.equal(calls().length, 2, 'the third still waits');

    const thirdSeen = cp.next((f) => f[0] === 2);
    cp.sendRaw(JSON.stringify([3, f2[1], { status: 'Rejected' }]));
    assert.deepEqual(await p2, { status: 'Rejected' });
    const f3 = await thirdSeen;
    assert.equal(f3[2], 'GetLocalListVersion');
    cp.sendRaw(JSON.stringify([3, f3[1], { listVersion: 7 }]));
    assert.deepEqual(await p3, { listVersion: 7 });
    assert.equal(app.ocpp.connection(id)!.pendingCalls, 0);
    await cp.close();
  });

  test('OCPP-J 4.1.4: outbound message ids are unique and at most 36 characters', async () => {
    const id = cpid('IDS');
    const cp = await connectBooted(app, id);
    cp.onCall = () => ({ status: 'Accepted' });
    await Promise.all(Array.from({ length: 25 }, () => app.ocpp.call(id, 'ClearCache', {})));
    const ids = cp.received.filter((f) => f[0] === 2).map((f) => f[1]);
    assert.equal(ids.length, 25);
    assert.equal(new Set(ids).size, 25, 'no id reused');
    for (const m of ids) assert.ok(typeof m === 'string' && m.length > 0 && m.length <= 36, m);
    await cp.close();
  });

  test('an outbound payload is validated against the official schema before sending; nothing goes on the wire', async () => {
    const id = cpid('VAL');
    const cp = await connectBooted(app, id);
    const before = cp.received.length;
    await assert.rejects(app.ocpp.call(id, 'Reset', { type: 'Bogus' } as never), (e: unknown) => e instanceof RpcError && e.code === 'PropertyConstraintViolation');
    await assert.rejects(app.ocpp.call(id, 'ChangeConfiguration', { key: 'HeartbeatInterval' } as never), (e: unknown) => e instanceof RpcError && e.code === 'OccurenceConstraintViolation');
    await assert.rejects(app.ocpp.call(id, 'UnlockConnector', { connectorId: '1' } as never), (e: unknown) => e instanceof RpcError && e.code === 'TypeConstraintViolation');
    await assert.rejects(app.ocpp.call(id, 'ClearCache', { extra: true } as never), (e: unknown) => e instanceof RpcError && e.code === 'FormationViolation');
    // Anything sent before the charger's Heartbeat was answered has arrived before that answer.
    await cp.call('Heartbeat', {});
    assert.equal(cp.received.length, before + 1, 'the charger received nothing but the Heartbeat answer');
    // and the queue is not stuck by the refused calls
    cp.onCall = () => ({ status: 'Accepted' });
    assert.deepEqual(await app.ocpp.call(id, 'ClearCache', {}), { status: 'Accepted' });
    await cp.close();
  });

  test("the charger's answer is validated too: an off-schema answer rejects the call with the CALLERROR code", async () => {
    const id = cpid('VAL');
    const cp = await connectBooted(app, id);
    cp.onCall = () => ({ status: 'Maybe' });
    await assert.rejects(app.ocpp.call(id, 'Reset', { type: 'Soft' }), (e: unknown) => e instanceof RpcError && e.code === 'PropertyConstraintViolation');
    await cp.close();
  });

  test("a CALLERROR from the charger rejects the call with the charger's code and description", async () => {
    const id = cpid('ERR');
    const cp = await connectBooted(app, id);
    cp.onCall = () => undefined;
    const seen = cp.next((f) => f[0] === 2);
    const p = app.ocpp.call(id, 'UpdateFirmware', { location: 'http://127.0.0.1/fw.bin', retrieveDate: new Date().toISOString() });
    const f = await seen;
    cp.sendRaw(JSON.stringify([4, f[1], 'NotSupported', 'no firmware updates here', {}]));
    await assert.rejects(p, (e: unknown) => e instanceof RpcError && e.code === 'NotSupported' && /no firmware/.test(e.message));
    await cp.close();
  });

  test('a call to a charger that is not connected fails at once with NotConnectedError', async () => {
    await assert.rejects(app.ocpp.call(cpid('NOPE'), 'ClearCache', {}), NotConnectedError);
  });

  test('only CS->CP actions can be sent: Heartbeat as an outbound call is NotSupported', async () => {
    const id = cpid('DIR');
    const cp = await connectBooted(app, id);
    await assert.rejects(app.ocpp.call(id, 'Heartbeat' as never, {} as never), (e: unknown) => e instanceof RpcError && e.code === 'NotSupported');
    await cp.close();
  });

  test('when the charger disconnects, the outstanding and the queued calls fail with NotConnectedError', async () => {
    const id = cpid('DROP');
    const cp = await connectBooted(app, id);
    cp.onCall = () => undefined;
    const seen = cp.next((f) => f[0] === 2);
    const p1 = app.ocpp.call(id, 'ClearCache', {}, 5000);
    const p2 = app.ocpp.call(id, 'ClearCache', {}, 5000);
    await seen;
    cp.ws.terminate();
    await assert.rejects(p1, NotConnectedError);
    await assert.rejects(p2, NotConnectedError);
  });
});
