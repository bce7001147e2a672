import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, loadConfig } from '../../main/config/load.js';
import { backupNow, checkIntegrity, listBackups } from '../../main/store/backup.js';
import { startTestApp } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';
import { cleanEnv, cleanupServes, startServe } from '../helpers/serve-process.js';
import { waitFor } from '../helpers/wait.js';

after(cleanupServes);

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
    const second = (await r.json()) as { name: string };
    const r3 = await app.api('/api/backups', { method: 'POST' });
    assert.equal(r3.status, 201);
    const third = (await r3.json()) as { name: string };
    const list = (await (await app.api('/api/backups')).json()) as Array<{ name: string }>;
    assert.deepEqual(
      list.map((b) => b.name),
      [third.name, second.name],
      'retention keeps the backupKeep newest files, newest first',
    );
  } finally {
    await app.dispose();
  }
});

test('issue 8 backups: two backups in the same millisecond get two names, both kept, in the order taken', async () => {
  const app = await startTestApp({ backupKeep: 5, backupCron: 'off' });
  const dir = mkdtempSync(join(tmpdir(), 'ocpp-edge-backup-names-'));
  try {
    await sessionOn(app, 'BK2');
    const now = new Date();
    const a = await backupNow(app.db, dir, 5, now);
    const b = await backupNow(app.db, dir, 5, now);
    // Two at once as well: each reserves its own name before copying.
    const [c, d] = await Promise.all([backupNow(app.db, dir, 5, now), backupNow(app.db, dir, 5, now)]);
    const names = [a, b, c, d].map((x) => x.name);
    assert.equal(new Set(names).size, 4, `distinct names: ${names.join(', ')}`);
    assert.deepEqual(
      listBackups(dir).map((x) => x.name),
      [...names].sort().reverse(),
      'every backup is listed, newest (last taken) first',
    );
    for (const x of listBackups(dir)) assert.equal(checkIntegrity(x.file), 'ok');
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.partial')),
      [],
      'no partial file left',
    );
  } finally {
    await app.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('issue 5 backups: the automatic backup runs on its cron schedule', async () => {
  const app = await startTestApp({ backupKeep: 3, backupCron: '* * * * * *' });
  try {
    await waitFor(() => app.backups.list().length >= 1, { timeoutMs: 5000, what: 'a scheduled backup' });
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

test('issue 8 restore: refused while the service runs (its database untouched), done once the service is gone, even after kill -9', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ocpp-edge-restore-lock-'));
  const restore = () => spawnSync(process.execPath, ['--import', 'tsx', 'main/restore.ts', '--data-dir', dataDir, '--from', 'latest'], { encoding: 'utf8', env: cleanEnv() });
  const refused = (r: ReturnType<typeof restore>, who: string) => {
    assert.equal(r.status, 2, `${who}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /restore: the database .*ocpp-edge\.db is in use: stop the service/);
    assert.deepEqual(
      readdirSync(dataDir).filter((f) => f.includes('.before-restore')),
      [],
      `${who}: the database was not renamed`,
    );
  };
  try {
    const app = await startTestApp({ dataDir, backupCron: 'off' });
    let kept: number;
    try {
      kept = await sessionOn(app, 'RL1');
      await app.backups.runNow();
      refused(restore(), 'app in the test process');
    } finally {
      await app.stop();
    }

    const service = await startServe(dataDir);
    try {
      refused(restore(), 'npm run serve');
    } finally {
      assert.deepEqual(await service.stop('SIGKILL'), { code: null, signal: 'SIGKILL' }, 'the service dies without closing its database');
    }
    const r = restore();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /previous database kept as/);

    const again = await startTestApp({ dataDir, backupCron: 'off' });
    const ids = ((await (await again.api('/api/sessions')).json()) as { items: Array<{ transactionId: number }> }).items.map((x) => x.transactionId);
    assert.deepEqual(ids, [kept]);
    await again.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('issue 5 backups: a bad backupCron is refused at start with a clear message', () => {
  assert.throws(
    () => loadConfig({ env: {}, cli: { dataDir: '/tmp/x', backupCron: 'every night' } }),
    (e: Error) => e instanceof ConfigError && /backupCron "every night"/.test(e.message),
  );
});
