import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApp } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';

test('OCPP 1.6 queued messages arrive in order: a new start on a connector closes the session whose stop was lost, flagged for review; a late real stop still wins', async () => {
  const app = await startTestApp();
  const cp = await TestCharger.connect(`${app.wsBase}/ocpp/LOST1`);
  try {
    await boot(cp);
    const t1 = '2026-03-01T10:00:00.000Z';
    const t2 = '2026-03-01T12:00:00.000Z';
    const first = await cp.call('StartTransaction', { connectorId: 1, idTag: 'TAG', meterStart: 1000, timestamp: t1 });
    const second = await cp.call('StartTransaction', { connectorId: 1, idTag: 'TAG', meterStart: 5000, timestamp: t2 });
    assert.notEqual(second.idTagInfo.status, 'ConcurrentTx');
    let s1 = (await (await app.api(`/api/sessions/${first.transactionId}`)).json()) as any;
    assert.equal(s1.status, 'Completed');
    assert.equal(s1.stopInferred, true);
    assert.equal(s1.meterStop, 5000, "closed at the next session's meter start");
    assert.equal(s1.energyWh, 4000);
    assert.equal(s1.stopTime, t2);
    // The real stop turns up after all: it replaces the inferred one, once.
    await cp.call('StopTransaction', { transactionId: first.transactionId, meterStop: 4200, timestamp: '2026-03-01T11:00:00.000Z', reason: 'EVDisconnected' });
    await cp.call('StopTransaction', { transactionId: first.transactionId, meterStop: 4200, timestamp: '2026-03-01T11:00:00.000Z', reason: 'EVDisconnected' });
    s1 = (await (await app.api(`/api/sessions/${first.transactionId}`)).json()) as any;
    assert.deepEqual([s1.stopInferred, s1.meterStop, s1.energyWh, s1.stopReason], [false, 4200, 3200, 'EVDisconnected']);
    const s2 = (await (await app.api(`/api/sessions/${second.transactionId}`)).json()) as any;
    assert.equal(s2.status, 'Active', 'the new session is untouched');
    // Other connectors are not affected.
    const other = await cp.call('StartTransaction', { connectorId: 2, idTag: 'TAG2', meterStart: 0, timestamp: t2 });
    assert.equal(((await (await app.api(`/api/sessions/${second.transactionId}`)).json()) as any).status, 'Active');
    assert.ok(other.transactionId);
  } finally {
    await cp.close();
    await app.dispose();
  }
});
