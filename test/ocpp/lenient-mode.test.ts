import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { insertCharger, updateCharger } from '../../main/store/queries/chargers.js';
import { connectBooted, cpid, iso, row, rows, startTestApp, type TestApp, type TestCharger, waitFor } from './support.js';

/** Firmware that bends the schema in the three ways users report most. */
const EXTRA_FIELD = { connectorId: 1, errorCode: 'NoError', status: 'Available', vendorInfo: { temp: 31 } };
const NUMBER_AS_STRING = (ts: string) => ({ connectorId: '1', idTag: 'LENIENT1', meterStart: '1000', timestamp: ts });
const NON_ENUM_ERROR = { connectorId: 2, errorCode: 'Error', status: 'Faulted', info: 'E42' };

describe('per-charger lenient mode', () => {
  let app: TestApp;
  let lenient: TestCharger;
  let strict: TestCharger;
  const lenientId = cpid('LAX');
  const strictId = cpid('STRICT');
  const deviations = (action?: string) =>
    rows(
      app,
      `SELECT action, direction, error, payload FROM schema_deviations WHERE charge_point_id = ?${action ? ' AND action = ?' : ''} ORDER BY id`,
      ...(action ? [lenientId, action] : [lenientId]),
    );

  before(async () => {
    app = await startTestApp();
    insertCharger(app.db, lenientId);
    assert.ok(updateCharger(app.db, lenientId, { lenient: true }));
    assert.equal(row(app, 'SELECT lenient FROM chargers WHERE charge_point_id = ?', lenientId)?.lenient, 1);
    lenient = await connectBooted(app, lenientId);
    strict = await connectBooted(app, strictId);
  });
  after(async () => {
    await lenient.close();
    await strict.close();
    await app.dispose();
  });

  test('lenient: a field the schema does not define is accepted, and the deviation recorded with the payload as received', async () => {
    const before = deviations('StatusNotification').length;
    assert.deepEqual(await lenient.call('StatusNotification', EXTRA_FIELD), {});
    assert.equal(row(app, 'SELECT status FROM connectors WHERE charge_point_id = ? AND connector_id = 1', lenientId)?.status, 'Available');
    const d = (await waitFor(() => (deviations('StatusNotification').length > before ? deviations('StatusNotification') : undefined), 'deviation row')).at(-1)!;
    assert.equal(d.direction, 'in');
    assert.match(d.error, /^FormationViolation: .*vendorInfo/);
    assert.deepEqual(JSON.parse(d.payload), EXTRA_FIELD, 'the payload as the firmware sent it');
  });

  test('strict: the same payload with an extra field gets FormationViolation', async () => {
    const f = await strict.callRaw('StatusNotification', EXTRA_FIELD);
    assert.deepEqual([f[0], f[2]], [4, 'FormationViolation']);
  });

  test('lenient: numbers sent as strings are accepted as numbers, and the deviation recorded', async () => {
    const ts = iso();
    const before = deviations('StartTransaction').length;
    const r = await lenient.call('StartTransaction', NUMBER_AS_STRING(ts));
    assert.ok(Number.isInteger(r.transactionId));
    const tx = row(app, 'SELECT connector_id, meter_start, typeof(meter_start) AS t FROM transactions WHERE id = ?', r.transactionId)!;
    assert.deepEqual({ ...tx }, { connector_id: 1, meter_start: 1000, t: 'integer' });
    const d = (await waitFor(() => (deviations('StartTransaction').length > before ? deviations('StartTransaction') : undefined), 'deviation row')).slice(before);
    assert.ok(d.length >= 1);
    assert.ok(
      d.every((x) => /^TypeConstraintViolation: /.test(x.error)),
      JSON.stringify(d),
    );
    assert.deepEqual(JSON.parse(d[0]!.payload), NUMBER_AS_STRING(ts), 'recorded as received, strings and all');
    await lenient.call('StopTransaction', { transactionId: r.transactionId, meterStop: 1500, timestamp: iso() });
  });

  test('strict: the same payload with numbers as strings gets TypeConstraintViolation', async () => {
    const f = await strict.callRaw('StartTransaction', NUMBER_AS_STRING(iso()));
    assert.deepEqual([f[0], f[2]], [4, 'TypeConstraintViolation']);
  });

  test('lenient: an errorCode outside the 1.6 enum ("Error") is accepted and stored as sent, and the deviation recorded', async () => {
    const before = deviations('StatusNotification').length;
    await lenient.call('StatusNotification', NON_ENUM_ERROR);
    const c = row(app, 'SELECT status, error_code, info FROM connectors WHERE charge_point_id = ? AND connector_id = 2', lenientId)!;
    assert.deepEqual({ ...c }, { status: 'Faulted', error_code: 'Error', info: 'E42' });
    const d = (await waitFor(() => (deviations('StatusNotification').length > before ? deviations('StatusNotification') : undefined), 'deviation row')).at(-1)!;
    assert.match(d.error, /^PropertyConstraintViolation: .*errorCode/);
  });

  test('strict: the same payload with a non-enum errorCode gets PropertyConstraintViolation', async () => {
    const f = await strict.callRaw('StatusNotification', NON_ENUM_ERROR);
    assert.deepEqual([f[0], f[2]], [4, 'PropertyConstraintViolation']);
  });

  test('lenient: a payload with several deviations at once records each of them', async () => {
    const before = deviations('StatusNotification').length;
    const payload = { connectorId: '3', errorCode: 'Error', status: 'Faulted', firmwareDebug: 'x' };
    await lenient.call('StatusNotification', payload);
    const d = (await waitFor(() => (deviations('StatusNotification').length >= before + 3 ? deviations('StatusNotification') : undefined), 'three deviation rows')).slice(before);
    const codes = d.map((x) => x.error.split(':')[0]).sort();
    assert.deepEqual(codes, ['FormationViolation', 'PropertyConstraintViolation', 'TypeConstraintViolation']);
    for (const x of d) assert.deepEqual(JSON.parse(x.payload), payload);
    assert.equal(row(app, 'SELECT error_code FROM connectors WHERE charge_point_id = ? AND connector_id = 3', lenientId)?.error_code, 'Error');
  });

  test('lenient: a timestamp without a time zone is accepted and recorded as a deviation', async () => {
    const before = deviations('MeterValues').length;
    await lenient.call('MeterValues', { connectorId: 1, meterValue: [{ timestamp: '2024-05-01T10:00:00', sampledValue: [{ value: '1' }] }] });
    const d = await waitFor(() => (deviations('MeterValues').length > before ? deviations('MeterValues') : undefined), 'deviation row');
    assert.match(d.at(-1)!.error, /^PropertyConstraintViolation: .*timestamp/);
  });

  test('lenient: a valid payload records no deviation', async () => {
    const before = deviations().length;
    await lenient.call('Heartbeat', {});
    await lenient.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    // Deviations are queued while a message is handled: once the writer is idle they are stored.
    await waitFor(() => app.writer.backlog === 0, 'the writer to be idle');
    assert.equal(deviations().length, before);
  });

  test('lenient still refuses what cannot be repaired: a missing required field (OccurenceConstraintViolation), a non-numeric string for a number (TypeConstraintViolation)', async () => {
    const a = await lenient.callRaw('StatusNotification', { connectorId: 1, status: 'Available' });
    assert.deepEqual([a[0], a[2]], [4, 'OccurenceConstraintViolation']);
    const b = await lenient.callRaw('StartTransaction', { connectorId: 1, idTag: 'X', meterStart: 'lots', timestamp: iso() });
    assert.deepEqual([b[0], b[2]], [4, 'TypeConstraintViolation']);
  });

  test('a deviation is announced on the event bus (charger.deviation)', async () => {
    const seen: string[] = [];
    const off = app.events.on('charger.deviation', (e) => e.chargePointId === lenientId && seen.push(`${e.action} ${e.error}`));
    await lenient.call('Heartbeat', { uptime: 5 });
    off();
    assert.equal(seen.length, 1);
    assert.match(seen[0]!, /^Heartbeat FormationViolation/);
  });

  test("lenient: a deviation in the charger's answer to our call is accepted and recorded (direction 'answer'); strict rejects it", async () => {
    lenient.onCall = (action) => (action === 'ChangeAvailability' ? { status: 'Accepted', note: 'will do' } : {});
    assert.equal((await app.ocpp.call(lenientId, 'ChangeAvailability', { connectorId: 1, type: 'Inoperative' })).status, 'Accepted');
    const rowsOut = await waitFor(() => {
      const d = rows(app, `SELECT action, direction, error, payload FROM schema_deviations WHERE charge_point_id = ? AND direction = 'answer'`, lenientId);
      return d.length ? d : undefined;
    }, 'answer deviation');
    assert.equal(rowsOut[0]!.action, 'ChangeAvailability');
    assert.match(rowsOut[0]!.error, /^FormationViolation: .*note/);
    assert.deepEqual(JSON.parse(rowsOut[0]!.payload), { status: 'Accepted', note: 'will do' });
    strict.onCall = () => ({ status: 'Accepted', note: 'will do' });
    await assert.rejects(app.ocpp.call(strictId, 'ChangeAvailability', { connectorId: 1, type: 'Inoperative' }), (e: { code?: string }) => e.code === 'FormationViolation');
  });
});
