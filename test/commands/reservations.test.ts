import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApp } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';
import { waitFor } from '../helpers/wait.js';

test('issue 3: a reservation expires on time, and a StartTransaction naming another one consumes it', async () => {
  const app = await startTestApp();
  const cp = await TestCharger.connect(`${app.wsBase}/ocpp/RES1`);
  try {
    await boot(cp);
    cp.onCall = (action) => (action === 'ReserveNow' ? { status: 'Accepted' } : { status: 'Accepted' });
    const reserve = async (seconds: number) =>
      (await (await app.api('/api/admin/RES1/reserve-now', { method: 'POST', json: { connectorId: 1, idTag: 'TAG', expiryDate: new Date(Date.now() + seconds * 1000).toISOString() } })).json()) as any;

    const short = await reserve(3);
    assert.equal(short.response.status, 'Accepted');
    const onCharger = cp.received.find((f) => f[0] === 2 && f[2] === 'ReserveNow')!;
    assert.equal((onCharger[3] as any).reservationId, short.reservationId, 'the charger got the id we assigned');
    const long = await reserve(60);
    assert.notEqual(long.reservationId, short.reservationId);

    const status = async (id: number) => ((await (await app.api('/api/reservations?station=RES1')).json()) as any[]).find((r) => r.reservationId === id).status;
    assert.equal(await status(short.reservationId), 'Reserved');
    // Expiry is swept by a timer set for the exact time (3 s out, so a loaded CI machine still reads it Reserved first): bounded, with margin.
    await waitFor(async () => (await status(short.reservationId)) === 'Expired', { timeoutMs: 8000, stepMs: 50, what: 'the 3 s reservation to expire' });
    assert.equal(await status(long.reservationId), 'Reserved');

    const { transactionId } = await cp.call('StartTransaction', { connectorId: 1, idTag: 'TAG', meterStart: 0, timestamp: new Date().toISOString(), reservationId: long.reservationId });
    assert.equal(await status(long.reservationId), 'Used');
    const session = (await (await app.api(`/api/sessions/${transactionId}`)).json()) as any;
    assert.equal(session.reservationId, long.reservationId);

    const third = await reserve(60);
    await app.api('/api/admin/RES1/cancel-reservation', { method: 'POST', json: { reservationId: third.reservationId } });
    assert.equal(await status(third.reservationId), 'Cancelled');
  } finally {
    await cp.close();
    await app.dispose();
  }
});

test('issue 3: ReserveNow with an expiry in the past is refused before anything is sent', async () => {
  const app = await startTestApp();
  const cp = await TestCharger.connect(`${app.wsBase}/ocpp/RES2`);
  try {
    await boot(cp);
    const r = await app.api('/api/admin/RES2/reserve-now', { method: 'POST', json: { connectorId: 1, idTag: 'TAG', expiryDate: '2020-01-01T00:00:00Z' } });
    assert.equal(r.status, 400);
    assert.equal(((await r.json()) as any).field, 'expiryDate');
    assert.equal(cp.received.filter((f) => f[0] === 2).length, 0);
  } finally {
    await cp.close();
    await app.dispose();
  }
});
