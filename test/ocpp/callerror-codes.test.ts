import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RPC_ERROR_CODES } from '../../main/ocpp/rpc.js';
import { insertCharger } from '../../main/store/queries/chargers.js';
import { boot, connect, connectBooted, cpid, iso, quietWindow, row, startTestApp, type TestApp, type TestCharger, waitFor, withApp } from './support.js';

type Frame = [number, string, ...unknown[]];

/** Sends raw text and resolves with the CALLERROR answer (any id). */
async function errorFor(cp: TestCharger, text: string): Promise<Frame> {
  const answer = cp.next((f) => f[0] === 4 || f[0] === 3);
  cp.sendRaw(text);
  const f = await answer;
  assert.equal(f[0], 4, `expected a CALLERROR, got ${JSON.stringify(f)}`);
  return f;
}

/** The charger can still talk after the error: the connection survived. */
async function stillUsable(cp: TestCharger): Promise<void> {
  const hb = await cp.call('Heartbeat', {});
  assert.equal(typeof hb.currentTime, 'string');
}

function assertCallError(f: Frame, code: string, id?: string): void {
  assert.equal(f.length, 5, 'CALLERROR has 5 elements [4, id, code, description, details]');
  if (id !== undefined) assert.equal(f[1], id, 'the CALLERROR echoes the message id');
  assert.equal(f[2], code, `error code (description: ${String(f[3])})`);
  assert.equal(typeof f[3], 'string');
  assert.ok((f[3] as string).length <= 255, 'description at most 255 characters');
  assert.equal(typeof f[4], 'object');
  assert.ok(f[4] !== null && !Array.isArray(f[4]), 'details is a JSON object');
}

describe('OCPP-J 4.2.3 CALLERROR codes for bad inbound input', () => {
  let app: TestApp;
  let cp: TestCharger;
  before(async () => {
    app = await startTestApp();
    cp = await connectBooted(app, cpid('ERR'));
  });
  after(async () => {
    await cp.close();
    await app.dispose();
  });

  test('OCPP-J 4.2.3: a frame that is not JSON -> FormationViolation, connection stays usable', async () => {
    assertCallError(await errorFor(cp, '[2, "x1", "Heartbeat", {'), 'FormationViolation');
    await stillUsable(cp);
  });

  test('OCPP-J 4.2.3: a JSON frame that is not an array -> FormationViolation', async () => {
    assertCallError(await errorFor(cp, '{"messageTypeId": 2, "id": "x2"}'), 'FormationViolation');
    await stillUsable(cp);
  });

  test('OCPP-J 4.2.3: a CALL without payload -> FormationViolation under its message id', async () => {
    assertCallError(await errorFor(cp, '[2, "x3", "Heartbeat"]'), 'FormationViolation', 'x3');
    await stillUsable(cp);
  });

  test('OCPP-J 4.2.3: a CALL whose payload is not an object -> FormationViolation', async () => {
    assertCallError(await errorFor(cp, '[2, "x4", "Heartbeat", []]'), 'FormationViolation', 'x4');
    assertCallError(await errorFor(cp, '[2, "x5", "Heartbeat", "hello"]'), 'FormationViolation', 'x5');
    assertCallError(await errorFor(cp, '[2, "x6", 42, {}]'), 'FormationViolation', 'x6');
    await stillUsable(cp);
  });

  test('OCPP-J 4.2.3: a field the schema does not define (strict charger) -> FormationViolation', async () => {
    const f = await cp.callRaw('Heartbeat', { extra: 1 });
    assertCallError(f, 'FormationViolation');
    assert.match(String(f[3]), /extra/);
    await stillUsable(cp);
  });

  test('OCPP-J 4.2.3: a value outside its enum -> PropertyConstraintViolation', async () => {
    const f = await cp.callRaw('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Sleeping' });
    assertCallError(f, 'PropertyConstraintViolation');
    await stillUsable(cp);
  });

  test('OCPP-J 4.2.3: a string longer than its maxLength (idTag of 21) -> PropertyConstraintViolation', async () => {
    assertCallError(await cp.callRaw('Authorize', { idTag: 'X'.repeat(21) }), 'PropertyConstraintViolation');
    await stillUsable(cp);
  });

  test('OCPP-J 4.2.3: a timestamp that is not a date-time -> PropertyConstraintViolation', async () => {
    assertCallError(await cp.callRaw('StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 0, timestamp: 'yesterday' }), 'PropertyConstraintViolation');
    assert.equal(row(app, 'SELECT count(*) AS n FROM transactions')?.n, 0, 'nothing stored for a refused message');
  });

  test('OCPP-J 4.2.3: a field of the wrong type ("1" for an integer) -> TypeConstraintViolation', async () => {
    assertCallError(await cp.callRaw('StatusNotification', { connectorId: '1', errorCode: 'NoError', status: 'Available' }), 'TypeConstraintViolation');
    assertCallError(await cp.callRaw('StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 1.5, timestamp: iso() }), 'TypeConstraintViolation');
    await stillUsable(cp);
  });

  test('OCPP-J 4.2.3: a missing required field -> OccurenceConstraintViolation', async () => {
    assertCallError(await cp.callRaw('BootNotification', { chargePointVendor: 'Siemens' }), 'OccurenceConstraintViolation');
    assertCallError(await cp.callRaw('StopTransaction', { transactionId: 1, timestamp: iso() }), 'OccurenceConstraintViolation');
    await stillUsable(cp);
  });

  test('issue 8: the code for a missing field is spelled as OCPP-J 1.6 spells it, OccurenceConstraintViolation, never the errata/2.0.1 OccurrenceConstraintViolation', async () => {
    const f = await cp.callRaw('Authorize', {});
    assertCallError(f, 'OccurenceConstraintViolation');
    assert.ok(!RPC_ERROR_CODES.some((c) => c.startsWith('Occurrence')), 'we never send the errata spelling');
  });

  test('OCPP-J 4.2.3: unknown action -> NotImplemented', async () => {
    const f = await cp.callRaw('MakeCoffee', {}, 'nimpl-1');
    assertCallError(f, 'NotImplemented', 'nimpl-1');
    await stillUsable(cp);
  });

  test('OCPP-J 4.2.3: a known 1.6 action the central system does not take (CS->CP Reset sent by a charger) -> NotSupported', async () => {
    assertCallError(await cp.callRaw('Reset', { type: 'Soft' }, 'nsup-1'), 'NotSupported', 'nsup-1');
    assertCallError(await cp.callRaw('RemoteStartTransaction', { idTag: 'T' }), 'NotSupported');
    await stillUsable(cp);
  });

  test('OCPP-J 4.1.4: a message id longer than 36 characters -> ProtocolError', async () => {
    assertCallError(await errorFor(cp, JSON.stringify([2, 'i'.repeat(37), 'Heartbeat', {}])), 'ProtocolError');
    // 36 is the limit and still fine
    const ok = await cp.callRaw('Heartbeat', {}, 'j'.repeat(36));
    assert.equal(ok[0], 3);
  });

  test('OCPP-J 4.1.4: a message id that is not a non-empty string -> ProtocolError', async () => {
    assertCallError(await errorFor(cp, '[2, 17, "Heartbeat", {}]'), 'ProtocolError');
    assertCallError(await errorFor(cp, '[2, "", "Heartbeat", {}]'), 'ProtocolError');
    await stillUsable(cp);
  });

  test('OCPP-J 4.1.3: unknown message type numbers are ignored (no answer) and the connection stays usable', async () => {
    const before = cp.received.length;
    cp.sendRaw('[5, "u1", "Heartbeat", {}]');
    cp.sendRaw('[9, "u2"]');
    cp.sendRaw('[0, "u3", {}]');
    cp.sendRaw('[7]');
    await stillUsable(cp);
    await quietWindow(50); // no late answer to the unknown types may come either
    const answered = cp.received.slice(before).filter((f) => ['u1', 'u2', 'u3'].includes(f[1]) || f[1] === '-1');
    assert.deepEqual(answered, [], 'nothing answers an unknown message type');
    assert.equal(cp.received.length - before, 1, 'only the heartbeat answer arrived');
  });

  test('a CALLRESULT or CALLERROR for a call we never made is ignored without an answer', async () => {
    const before = cp.received.length;
    cp.sendRaw('[3, "never-sent", {}]');
    cp.sendRaw('[4, "never-sent-2", "GenericError", "x", {}]');
    await stillUsable(cp);
    assert.equal(cp.received.length - before, 1);
  });

  test('binary frames are ignored and do not break the connection', async () => {
    cp.sendRaw(Buffer.from('[2,"b1","Heartbeat",{}]'), true);
    await stillUsable(cp);
    assert.ok(!cp.received.some((f) => f[1] === 'b1'));
  });

  test('OCPP-J 4.2.3: a store write that fails -> InternalError, nothing acknowledged, and the next message works again', async () => {
    app.db.exec(`CREATE TRIGGER fail_status BEFORE INSERT ON status_history BEGIN SELECT RAISE(ABORT, 'disk says no'); END;`);
    try {
      const f = await cp.callRaw('StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Available' }, 'ie-1');
      assertCallError(f, 'InternalError', 'ie-1');
      assert.doesNotMatch(String(f[3]), /disk says no/, 'internals are not leaked to the charger');
      assert.equal(row(app, 'SELECT count(*) AS n FROM connectors WHERE connector_id = 2')?.n, 0, 'the failed write left nothing behind');
    } finally {
      app.db.exec('DROP TRIGGER fail_status');
    }
    const ok = await cp.callRaw('StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Available' });
    assert.equal(ok[0], 3);
  });

  test('OCPP-J 4.2.3: a DataTransfer vendor handler that throws -> InternalError', async () => {
    const off = app.ocpp.registerDataTransferHandler('com.example.broken', () => {
      throw new Error('vendor bug');
    });
    try {
      assertCallError(await cp.callRaw('DataTransfer', { vendorId: 'com.example.broken' }), 'InternalError');
      await stillUsable(cp);
    } finally {
      off();
    }
  });

  test('OCPP-J 4.2.3: an answer of ours that fails the official schema is never sent; the charger gets InternalError', async () => {
    const off = app.ocpp.registerDataTransferHandler('com.example.bad-answer', () => ({ status: 'Maybe' }) as never);
    try {
      assertCallError(await cp.callRaw('DataTransfer', { vendorId: 'com.example.bad-answer' }), 'InternalError');
    } finally {
      off();
    }
  });
});

describe('SecurityError for a charger rejected at registration', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ bootRetryIntervalSec: 45 });
  });
  after(() => app.dispose());

  test('OCPP 1.6 4.2: a Rejected charger gets BootNotification Rejected with interval = bootRetryIntervalSec', async () => {
    const id = cpid('REJ');
    insertCharger(app.db, id, { registrationStatus: 'Rejected' });
    const cp = await connect(app, id);
    const b = await boot(cp);
    assert.equal(b.status, 'Rejected');
    assert.equal(b.interval, 45);
    await cp.close();
  });

  test('OCPP-J 4.2.3: after a Rejected boot, any other message -> SecurityError and nothing is stored', async () => {
    const id = cpid('REJ');
    insertCharger(app.db, id, { registrationStatus: 'Rejected' });
    const cp = await connect(app, id);
    assert.equal((await boot(cp)).status, 'Rejected');
    assertCallError(await cp.callRaw('Heartbeat', {}, 'sec-1'), 'SecurityError', 'sec-1');
    assertCallError(await cp.callRaw('StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 0, timestamp: iso() }), 'SecurityError');
    assertCallError(await cp.callRaw('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' }), 'SecurityError');
    assert.equal(row(app, 'SELECT count(*) AS n FROM transactions WHERE charge_point_id = ?', id)?.n, 0);
    assert.equal(row(app, 'SELECT count(*) AS n FROM connectors WHERE charge_point_id = ?', id)?.n, 0);
    // BootNotification itself stays allowed (the charger retries after interval)
    assert.equal((await boot(cp)).status, 'Rejected');
    await cp.close();
  });

  test('a charger registered as Rejected gets SecurityError even if it skips BootNotification on this connection', async () => {
    const id = cpid('REJ');
    insertCharger(app.db, id, { registrationStatus: 'Rejected' });
    const cp = await connect(app, id);
    assertCallError(await cp.callRaw('StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 0, timestamp: iso() }), 'SecurityError');
    assert.equal(row(app, 'SELECT count(*) AS n FROM transactions WHERE charge_point_id = ?', id)?.n, 0);
    await cp.close();
  });
});

test('OCPP-J 4.2.3: disk full (SQLite FULL) -> InternalError, nothing acknowledged, /health shows the store error; the charger retry succeeds once space is back', async () => {
  await withApp({}, async (app) => {
    const cp = await connectBooted(app, cpid('FULL'));
    // Simulate a full disk: cap the file at its current size (for the writer's connection and
    // this one) and fill the free room.
    const pages = app.db.pragma('page_count', { simple: true }) as number;
    await app.writer.pragma(`max_page_count = ${pages}`);
    app.db.pragma(`max_page_count = ${pages}`);
    const fill = app.db.prepare(
      `INSERT INTO transactions(charge_point_id, connector_id, id_tag, start_auth_status, meter_start, start_time, started_received_at) VALUES ('FILLER', 1, 'FILLER', 'Accepted', ?, ?, ?)`,
    );
    assert.throws(
      () => {
        for (let i = 0; i < 100_000; i++) fill.run(i, iso(), iso());
      },
      (e: { code?: string }) => e.code === 'SQLITE_FULL',
    );
    let failed: { req: Record<string, unknown>; frame: unknown[] } | undefined;
    for (let i = 0; i < 50 && !failed; i++) {
      const req = { connectorId: 1, idTag: `FULL${i}`, meterStart: i, timestamp: iso() };
      const f = await cp.callRaw('StartTransaction', req);
      if (f[0] === 4) failed = { req, frame: f };
    }
    assert.ok(failed, 'a start eventually hits the full disk');
    assertCallError(failed.frame as Frame, 'InternalError');
    assert.equal(row(app, 'SELECT count(*) AS n FROM transactions WHERE id_tag = ?', failed.req.idTag)?.n, 0, 'not acknowledged, not stored');
    const health = (await (await app.api('/health')).json()) as { storeError: string | null };
    assert.match(health.storeError ?? '', /full/);
    // space comes back; the charger retries the same message
    app.db.pragma('max_page_count = 1073741823');
    await app.writer.pragma('max_page_count = 1073741823');
    const retry = await cp.call('StartTransaction', failed.req);
    assert.ok(Number.isInteger(retry.transactionId));
    assert.equal(row(app, 'SELECT count(*) AS n FROM transactions WHERE id_tag = ?', failed.req.idTag)?.n, 1);
    // Recovery is declared after writes worked for a quiet period (app: recoveryQuietMs).
    await waitFor(() => app.writer.lastError === null, 'the store error to clear', 5000);
    assert.equal(((await (await app.api('/health')).json()) as { storeError: string | null }).storeError, null);
    await cp.close();
  });
});

test('a frame larger than maxFrameBytes closes only that socket (1009 message too big); the server and other chargers carry on', async () => {
  await withApp({ maxFrameBytes: 2048 }, async (app) => {
    const other = await connectBooted(app, cpid('CALM'));
    const id = cpid('HUGE');
    const cp = await connectBooted(app, id);
    const closed = cp.closed();
    cp.sendRaw(JSON.stringify([2, 'big', 'DataTransfer', { vendorId: 'v', data: 'x'.repeat(4096) }]));
    const { code } = await closed;
    assert.equal(code, 1009);
    await waitFor(() => !app.ocpp.connectedIds.includes(id), 'dropped from the registry');
    assert.equal((await other.callRaw('Heartbeat', {}))[0], 3, 'another charger is unaffected');
    const back = await connectBooted(app, id);
    assert.equal((await back.callRaw('Heartbeat', {}))[0], 3, 'the charger can reconnect');
    await back.close();
    await other.close();
  });
});
