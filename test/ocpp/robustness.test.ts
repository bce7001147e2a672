import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { INBOUND_ACTIONS, OUTBOUND_ACTIONS } from '../../main/ocpp/actions.js';
import { RPC_ERROR_CODES } from '../../main/ocpp/rpc.js';
import { connectBooted, cpid, withApp } from './support.js';

const json = fc.jsonValue({ maxDepth: 3 });
/** Frames a confused or hostile charger might send: anything JSON, and near-miss OCPP frames. */
const frame = fc.oneof(
  json.map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 40 }),
  fc
    .tuple(
      fc.oneof(fc.integer({ min: -1, max: 6 }), fc.constant('2'), fc.constant(null)),
      fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.constant(null)),
      fc.oneof(fc.constantFrom(...INBOUND_ACTIONS, ...OUTBOUND_ACTIONS, 'Nope', ''), json),
      fc.oneof(fc.dictionary(fc.constantFrom('connectorId', 'idTag', 'status', 'errorCode', 'meterStart', 'timestamp', 'transactionId', 'vendorId', 'x'), json), json),
    )
    .chain((t) => fc.integer({ min: 1, max: 5 }).map((n) => JSON.stringify(t.slice(0, n)))),
);

test('never crashes the server or the connection: random and malformed frames get no answer or a well-formed CALLERROR/CALLRESULT', async () => {
  // Every frame here is bad on purpose: the bad-message disconnect is tested in test/security.
  await withApp({ maxBadMessagesPerMinute: 1000000 }, async (app) => {
    const cp = await connectBooted(app, cpid('FUZZ'));
    let probe = 0;
    await fc.assert(
      fc.asyncProperty(frame, async (text) => {
        const from = cp.received.length;
        cp.sendRaw(text);
        // A Heartbeat behind it proves the socket still works and everything before it was answered.
        const id = `probe-${++probe}`;
        const hb = await cp.callRaw('Heartbeat', {}, id);
        assert.equal(hb[0], 3);
        for (const f of cp.received.slice(from)) {
          if (f[1] === id) continue;
          assert.ok(Array.isArray(f) && (f[0] === 3 || f[0] === 4), `answer to ${text}: ${JSON.stringify(f)}`);
          assert.equal(typeof f[1], 'string');
          if (f[0] === 4) {
            assert.ok(RPC_ERROR_CODES.includes(f[2] as never), `known error code: ${String(f[2])}`);
            assert.equal(typeof f[3], 'string');
            assert.ok(typeof f[4] === 'object' && f[4] !== null);
          } else {
            assert.ok(typeof f[2] === 'object' && f[2] !== null);
          }
        }
      }),
      { numRuns: 300, seed: 20240501 },
    );
    assert.ok(app.ocpp.connectedIds.length === 1);
    await cp.close();
  });
});

test('issue 8: empty WebSocket frames (a vendor quirk) are ignored: no answer, and they do not count toward maxBadMessagesPerMinute', async () => {
  await withApp({ maxBadMessagesPerMinute: 2 }, async (app) => {
    const cp = await connectBooted(app, cpid('EMPTY'));
    const from = cp.received.length;
    for (let i = 0; i < 10; i++) cp.sendRaw('');
    // Answered in order: everything sent before this Heartbeat has been handled when it is answered.
    const hb = await cp.callRaw('Heartbeat', {}, 'after-empty');
    assert.equal(hb[0], 3, 'still connected and answered');
    assert.deepEqual(
      cp.received.slice(from).map((f) => f[1]),
      ['after-empty'],
      'no answer to the empty frames',
    );
    assert.equal(app.ocpp.connectedIds.length, 1);
    // A real bad message still counts: the limit is not switched off.
    const closed = cp.closed();
    for (let i = 0; i < 3; i++) cp.sendRaw('not json');
    assert.equal((await closed).code, 1008);
  });
});
