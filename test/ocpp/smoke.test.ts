import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApp } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';

test('seed 000: a charger connects at /ocpp/JAAL34S021, boots, and starts and stops a session', async () => {
  const app = await startTestApp();
  try {
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/JAAL34S021`);
    const b = await boot(cp);
    assert.equal(b.status, 'Accepted');
    assert.equal(b.interval, 60);
    await app.api('/api/rfid', { method: 'POST', json: { tagId: 'RFID_001' } });
    const auth = await cp.call('Authorize', { idTag: 'RFID_001' });
    assert.equal(auth.idTagInfo.status, 'Accepted');
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'RFID_001', meterStart: 1000, timestamp: new Date().toISOString() });
    assert.ok(Number.isInteger(start.transactionId));
    await cp.call('MeterValues', { connectorId: 1, transactionId: start.transactionId, meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '1500' }] }] });
    await cp.call('StopTransaction', { transactionId: start.transactionId, meterStop: 2000, timestamp: new Date().toISOString() });
    const sessions = (await (await app.api('/api/sessions')).json()) as any;
    assert.equal(sessions.total, 1);
    assert.equal(sessions.items[0].energyWh, 1000);
    assert.equal(sessions.items[0].status, 'Completed');
    await cp.close();
  } finally {
    await app.dispose();
  }
});
