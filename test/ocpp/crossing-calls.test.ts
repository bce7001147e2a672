import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectBooted, cpid, quietWindow, startTestApp, type TestApp, waitFor } from './support.js';

describe('calls that cross (OCPP-J 4.1.1: one outstanding CALL per direction, never refused because of the other)', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ callTimeoutMs: 3000 });
  });
  after(() => app.dispose());

  test('an inbound CALL that arrives while our own CALL is outstanding is answered normally (never "call in progress")', async () => {
    const id = cpid('CROSS');
    const cp = await connectBooted(app, id);
    cp.onCall = () => undefined; // hold our call unanswered for now
    const ourCall = cp.next((f) => f[0] === 2 && f[2] === 'GetConfiguration');
    const pending = app.ocpp.call(id, 'GetConfiguration', { key: ['HeartbeatInterval'] });
    const sent = await ourCall;

    // While the CS's GetConfiguration waits, the charger's own calls go through.
    const hb = await cp.callRaw('Heartbeat', {});
    assert.equal(hb[0], 3, 'Heartbeat answered with a CALLRESULT');
    const st = await cp.callRaw('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    assert.equal(st[0], 3, 'StatusNotification answered with a CALLRESULT');
    const auth = await cp.callRaw('Authorize', { idTag: 'NOBODY' });
    assert.equal(auth[0], 3);

    // Now the charger answers the crossed call; it resolves with that answer.
    cp.sendRaw(JSON.stringify([3, sent[1], { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '60' }] }]));
    const res = await pending;
    assert.deepEqual(res.configurationKey, [{ key: 'HeartbeatInterval', readonly: false, value: '60' }]);
    await cp.close();
  });

  test('the charger may reuse our outstanding message id for its own CALL (ids are unique per sender only)', async () => {
    const id = cpid('CROSS');
    const cp = await connectBooted(app, id);
    cp.onCall = () => undefined;
    const ourCall = cp.next((f) => f[0] === 2 && f[2] === 'ClearCache');
    const pending = app.ocpp.call(id, 'ClearCache', {});
    const sent = await ourCall;
    const msgId = sent[1];
    // The charger's own Heartbeat under the same id is answered, and does not settle our call.
    const hb = await cp.callRaw('Heartbeat', {}, msgId);
    assert.equal(hb[0], 3);
    let settled = false;
    void pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    await quietWindow(30); // the Heartbeat's answer must not settle our call, now or a moment later
    assert.equal(settled, false, 'our call is still waiting for its own answer');
    cp.sendRaw(JSON.stringify([3, msgId, { status: 'Accepted' }]));
    assert.deepEqual(await pending, { status: 'Accepted' });
    await cp.close();
  });

  test('our CALL goes out and is answered while an inbound CALL is still being processed', async () => {
    const id = cpid('CROSS');
    const cp = await connectBooted(app, id);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inHandler = false;
    const off = app.ocpp.registerDataTransferHandler('com.example.slow', async () => {
      inHandler = true;
      await gate;
      return { status: 'Accepted', data: 'done' };
    });
    try {
      const inbound = cp.callRaw('DataTransfer', { vendorId: 'com.example.slow', messageId: 'x' });
      await waitFor(() => inHandler, 'the DataTransfer in its handler');
      cp.onCall = (action) => (action === 'Reset' ? { status: 'Accepted' } : {});
      // The CS's Reset crosses the charger's unanswered DataTransfer.
      const reset = await app.ocpp.call(id, 'Reset', { type: 'Soft' });
      assert.deepEqual(reset, { status: 'Accepted' });
      release();
      const answer = await inbound;
      assert.equal(answer[0], 3);
      assert.deepEqual(answer[2], { status: 'Accepted', data: 'done' });
    } finally {
      off();
      await cp.close();
    }
  });

  test('several inbound CALLs in flight at once are each answered under their own id', async () => {
    const id = cpid('CROSS');
    const cp = await connectBooted(app, id);
    const answers = await Promise.all([
      cp.callRaw('Heartbeat', {}, 'a'),
      cp.callRaw('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' }, 'b'),
      cp.callRaw('Authorize', { idTag: 'X' }, 'c'),
    ]);
    assert.deepEqual(
      answers.map((f) => [f[0], f[1]]),
      [
        [3, 'a'],
        [3, 'b'],
        [3, 'c'],
      ],
    );
    await cp.close();
  });
});
