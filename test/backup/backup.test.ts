import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp } from '../helpers/app.js';
import { TestCharger, boot } from '../helpers/ocpp-client.js';
import { loadConfig, ConfigError } from '../../main/config/load.js';

async function sessionOn(app: Awaited<ReturnType<typeof startTestApp>>, id: string): Promise<number> {
  const cp = await TestCharger.connect(`${app.wsBase}/ocpp/${id}`);
  await boot(cp);
  const { transactionId } = await cp.call('StartTransaction', { connectorId: 1, idTag: 'TAG', meterStart: 0, timestamp: new Date().toISOString() });
  await cp.call('StopTransaction', { transactionId, meterStop: 500, timestamp: new Date().toISOString() });
  await cp.close();
  return transactionId;
}

test('issue 5 backups: an online backup is written while chargers are served, checked, and old ones are pruned to backupKeep', async () => {
  const app = await startTestApp({ backupKeep: 2, backupCron: 'off' });
  try {
    await sessionOn(app, 'BK1');
    const first = await app.backups.runNow();
    assert.ok(existsSync(first.file));
    const r = await app.api('/api/backups', { method: 'POST' });
    assert.equal(r.status, 201);
    await new Promise((res) => setTimeout(res, 1100)); // backup names carry the second
    await app.api('/api/backups', { method: 'POST' });
    const list = (await (await app.api('/api/backups')).json()) as Array<{ name: string }>;
    assert.equal(list.length, 2, 'retention keeps backupKeep files');
    assert.ok(list[0]!.name > list[1]!.name, 'newest first');
  } finally {
    await app.dispose();
  }
});

test('issue 5 backups: the automatic backup runs on its cron schedule', async () => {
  const app = await startTestApp({ backupKeep: 3, backupCron: '* * * * * *' });
  try {
    const deadline = Date.now() + 5000;
    while (app.backups.list().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(app.backups.list().length >= 1, 'a scheduled backup appeared');
  } finally {
    await app.dispose();
  }
});

test('issue 5 backups: documented restore (npm run restore -- --from latest) brings back the backed-up sessions and keeps the replaced file', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ocpp-edge-restore-'));
  try {
    let app = await startTestApp({ dataDir, backupCron: 'off' });
    const kept = await sessionOn(app, 'RS1');
    await app.backups.runNow();
    const lost = await sessionOn(app, 'RS2');
    await app.stop();

    const r = spawnSync(process.execPath, ['--import', 'tsx', 'main/restore.ts', '--data-dir', dataDir, '--from', 'latest'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /restored .*\nprevious database kept as/);
    assert.ok(readdirSync(dataDir).some((f) => f.includes('.before-restore-')));

    app = await startTestApp({ dataDir, backupCron: 'off' });
    const ids = ((await (await app.api('/api/sessions')).json()) as { items: Array<{ transactionId: number }> }).items.map((s) => s.transactionId);
    assert.deepEqual(ids, [kept], `session ${lost} came after the backup`);
    await app.stop();

    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'main/restore.ts', '--data-dir', dataDir, '--from', join(dataDir, 'nope.db')], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /does not exist/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('issue 5 backups: a bad backupCron is refused at start with a clear message', () => {
  assert.throws(() => loadConfig({ env: {}, cli: { dataDir: '/tmp/x', backupCron: 'every night' } }), (e: Error) => e instanceof ConfigError && /backupCron "every night"/.test(e.message));
});
