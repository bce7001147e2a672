import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskSecrets } from '../../main/ocpp/server.js';
import { startTestApp } from '../helpers/app.js';
import { TestCharger, boot } from '../helpers/ocpp-client.js';
import { waitFor } from '../helpers/wait.js';
import { recentFrames } from '../../main/store/queries/message-log.js';

test('issue 5: the AuthorizationKey (a charger password) is masked in every stored OCPP frame', async () => {
  assert.equal(
    maskSecrets('[2,"1","ChangeConfiguration",{"key":"AuthorizationKey","value":"s3cr\\"et-0123456789"}]'),
    '[2,"1","ChangeConfiguration",{"key":"AuthorizationKey","value":"********"}]',
  );
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
