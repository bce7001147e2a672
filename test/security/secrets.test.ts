import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskSecrets } from '../../main/ocpp/server.js';
import { listAudit } from '../../main/store/queries/audit.js';
import { recentFrames } from '../../main/store/queries/message-log.js';
import { startTestApp } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';
import { waitFor } from '../helpers/wait.js';
import { SimCharger } from '../sim/charger.js';

test('issue 5: the AuthorizationKey (a charger password) is masked in every stored OCPP frame', async () => {
  assert.equal(maskSecrets('[2,"1","ChangeConfiguration",{"key":"AuthorizationKey","value":"s3cr\\"et-0123456789"}]'), '[2,"1","ChangeConfiguration",{"key":"AuthorizationKey","value":"********"}]');
  assert.equal(
    maskSecrets('[3,"1",{"configurationKey":[{"value":"abc","readonly":false,"key":"AuthorizationKey"},{"key":"HeartbeatInterval","readonly":false,"value":"60"}]}]'),
    '[3,"1",{"configurationKey":[{"value":"********","readonly":false,"key":"AuthorizationKey"},{"key":"HeartbeatInterval","readonly":false,"value":"60"}]}]',
  );
  const app = await startTestApp();
  const cp = await TestCharger.connect(`${app.wsBase}/ocpp/KEY1`);
  try {
    await boot(cp);
    cp.onCall = () => ({ status: 'Rejected' });
    await app.api('/api/admin/KEY1/change-configuration', { method: 'POST', json: { key: 'AuthorizationKey', value: 'new-secret-key-0123456789' } });
    // The message log is flushed every second: wait for the call and its answer to be in it.
    const frames = await waitFor(
      () => {
        const logged = recentFrames(app.db, 'KEY1', 50).map((f) => f.frame);
        return logged.some((f) => f.includes('AuthorizationKey')) && logged.some((f) => f.includes('Rejected')) && logged;
      },
      { timeoutMs: 5000, what: 'the ChangeConfiguration call and answer in the message log' },
    );
    assert.ok(!frames.some((f) => f.includes('new-secret-key')), 'no frame holds the key');
  } finally {
    await cp.close();
    await app.dispose();
  }
});

test('issue 8: an AuthorizationKey a charger returns in GetConfiguration.conf is masked in the REST answer, the audit row and the command.result event', async () => {
  const app = await startTestApp();
  const key = 'charger-secret-key-0123';
  const sim = new SimCharger({ id: 'KEY-REVEAL', url: `${app.wsBase}/ocpp`, password: key, revealAuthorizationKey: true, backoffInitialMs: 50 });
  const events: unknown[] = [];
  const off = app.events.on('command.result', (e) => e.chargePointId === 'KEY-REVEAL' && events.push(e));
  try {
    await app.api('/api/charger', { method: 'POST', json: { chargePointId: 'KEY-REVEAL', password: key } });
    sim.start();
    await sim.waitFor(() => sim.isOnline, 5000, 'boot');
    // The simulator really hands the key out: without masking it would leak.
    const raw = await app.ocpp.call('KEY-REVEAL', 'GetConfiguration', { key: ['AuthorizationKey'] });
    assert.deepEqual(raw.configurationKey, [{ key: 'AuthorizationKey', readonly: false, value: key }]);

    for (const body of [{ key: ['AuthorizationKey', 'HeartbeatInterval'] }, {}]) {
      const r = await app.api('/api/admin/KEY-REVEAL/get-configuration', { method: 'POST', json: body });
      assert.equal(r.status, 200);
      const answer = (await r.json()) as any;
      const entry = answer.response.configurationKey.find((k: any) => k.key === 'AuthorizationKey');
      assert.equal(entry.value, '********', 'REST answer masks the key');
      assert.equal(answer.response.configurationKey.find((k: any) => k.key === 'HeartbeatInterval').value, '60', 'other keys are shown');
    }
    const audit = listAudit(app.db, { chargePointId: 'KEY-REVEAL', limit: 10, offset: 0 }) as any[];
    assert.equal(audit.filter((a) => a.action === 'GetConfiguration').length, 2);
    assert.ok(JSON.stringify(audit).includes('********'), 'the audit row shows the key masked');
    const stored = app.db.prepare('SELECT result FROM command_audit WHERE charge_point_id = ?').all('KEY-REVEAL');
    assert.ok(!JSON.stringify(stored).includes(key), 'command_audit.result does not hold the key');
    assert.equal(events.length, 2);
    assert.ok(JSON.stringify(events).includes('********') && !JSON.stringify(events).includes(key), 'command.result events mask the key');
    const detail = await (await app.api('/api/charger/KEY-REVEAL')).text();
    assert.ok(!detail.includes(key), 'the configuration snapshot does not hold the key');
  } finally {
    off();
    await sim.close();
    await app.dispose();
  }
});
