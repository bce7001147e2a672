import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApp } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';

const basic = (user: string, pw: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` });

test('OCPP 1.6 security profile 1: a new AuthorizationKey whose answer was lost still lets the charger in, and then replaces the old key', async () => {
  const app = await startTestApp({ callTimeoutMs: 300, authMaxFailures: 100 });
  try {
    await app.api('/api/charger', { method: 'POST', json: { chargePointId: 'AK1', password: 'old-key-0123456789' } });
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/AK1`, { headers: basic('AK1', 'old-key-0123456789') });
    await boot(cp);
    cp.onCall = () => undefined; // the charger takes the key but its answer never arrives
    const r = await app.api('/api/admin/AK1/change-configuration', { method: 'POST', json: { key: 'AuthorizationKey', value: 'new-key-0123456789' } });
    assert.equal(r.status, 504);
    await cp.close();
    const again = await TestCharger.connect(`${app.wsBase}/ocpp/AK1`, { headers: basic('AK1', 'new-key-0123456789') });
    await again.close();
    await assert.rejects(TestCharger.connect(`${app.wsBase}/ocpp/AK1`, { headers: basic('AK1', 'old-key-0123456789') }), /401/);
  } finally {
    await app.dispose();
  }
});

test('OCPP 1.6 security profile 1: a charger that rejects the new AuthorizationKey keeps its old one', async () => {
  const app = await startTestApp({ authMaxFailures: 100 });
  try {
    await app.api('/api/charger', { method: 'POST', json: { chargePointId: 'AK2', password: 'old-key-0123456789' } });
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/AK2`, { headers: basic('AK2', 'old-key-0123456789') });
    await boot(cp);
    cp.onCall = () => ({ status: 'Rejected' });
    const r = (await (await app.api('/api/admin/AK2/change-configuration', { method: 'POST', json: { key: 'AuthorizationKey', value: 'new-key-0123456789' } })).json()) as any;
    assert.equal(r.passwordUpdated, false);
    await cp.close();
    await assert.rejects(TestCharger.connect(`${app.wsBase}/ocpp/AK2`, { headers: basic('AK2', 'new-key-0123456789') }), /401/);
    const ok = await TestCharger.connect(`${app.wsBase}/ocpp/AK2`, { headers: basic('AK2', 'old-key-0123456789') });
    await ok.close();
  } finally {
    await app.dispose();
  }
});

test('issue 8: a second AuthorizationKey change while one is under way is refused (409), so the key the charger accepted is the key stored', async () => {
  const app = await startTestApp({ callTimeoutMs: 1000, authMaxFailures: 100 });
  try {
    await app.api('/api/charger', { method: 'POST', json: { chargePointId: 'AK3', password: 'old-key-0123456789' } });
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/AK3`, { headers: basic('AK3', 'old-key-0123456789') });
    await boot(cp);
    cp.onCall = () => undefined; // answered by hand
    const firstCall = cp.next((f) => f[0] === 2 && f[2] === 'ChangeConfiguration');
    const first = app.api('/api/admin/AK3/change-configuration', { method: 'POST', json: { key: 'AuthorizationKey', value: 'key-a-0123456789ab' } });
    const call = await firstCall;
    const second = await app.api('/api/admin/AK3/change-configuration', { method: 'POST', json: { key: 'AuthorizationKey', value: 'key-b-0123456789ab' } });
    assert.equal(second.status, 409);
    assert.match(((await second.json()) as any).error, /already under way/);
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    assert.equal(((await (await first).json()) as any).passwordUpdated, true);
    await cp.close();
    await assert.rejects(TestCharger.connect(`${app.wsBase}/ocpp/AK3`, { headers: basic('AK3', 'key-b-0123456789ab') }), /401/);
    const ok = await TestCharger.connect(`${app.wsBase}/ocpp/AK3`, { headers: basic('AK3', 'key-a-0123456789ab') });
    await ok.close();
    // Once answered, the next roll-out may go.
    const again = await TestCharger.connect(`${app.wsBase}/ocpp/AK3`, { headers: basic('AK3', 'key-a-0123456789ab') });
    again.onCall = () => ({ status: 'Rejected' });
    const third = await app.api('/api/admin/AK3/change-configuration', { method: 'POST', json: { key: 'AuthorizationKey', value: 'key-c-0123456789ab' } });
    assert.equal(((await third.json()) as any).passwordUpdated, false);
    await again.close();
  } finally {
    await app.dispose();
  }
});
