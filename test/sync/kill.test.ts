import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { freePort, ServiceProcess } from '../sim/service.js';
import { eventually, HO_TOKEN, runSessions, startHo } from './support.js';

const API_TOKEN = 'kill-test-token-0123456789';

test('issue 10: SIGKILL of the edge service in the middle of an upload, restart: nothing lost, nothing stored twice', async () => {
  const ho = await startHo();
  // Head office stores each batch and then drops the connection: the edge never learns, the
  // window in which a crash must not lose or double anything.
  await ho.setFaults({ dropAfterStoreRate: 1 });
  const dataDir = mkdtempSync(join(tmpdir(), 'sync-kill-'));
  const port = await freePort();
  const args = ['--headoffice-url', ho.url, '--headoffice-token', HO_TOKEN, '--headoffice-timeout-ms', '800', '--sync-backoff-max-ms', '300', '--sync-cron', 'off', '--sync-batch-size', '10'];
  let svc = await ServiceProcess.start({ dataDir, port, token: API_TOKEN, extraArgs: args });
  try {
    await runSessions(`ws://127.0.0.1:${port}`, { chargers: 3, perCharger: 10, prefix: 'KILL' });
    await eventually(async () => (await ho.summary()).sessions > 0, 'head office to store a first batch');
    await svc.kill9();
    const db = new Database(join(dataDir, 'ocpp-edge.db'), { readonly: true });
    const pending = (db.prepare("SELECT count(*) AS n FROM sync_outbox WHERE kind = 'session' AND state = 'pending'").get() as { n: number }).n;
    db.close();
    assert.equal(pending, 30, 'the killed edge had no acknowledgement for any session');

    await ho.setFaults({});
    svc = await ServiceProcess.start({ dataDir, port, token: API_TOKEN, extraArgs: args });
    const status = await eventually(
      async () => {
        const s = await (await fetch(`http://127.0.0.1:${port}/api/sync`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).json();
        return s.pending === 0 && s;
      },
      'the restarted edge to drain its outbox',
      30_000,
    );
    assert.ok(status.lastSuccessAt);
    const summary = await ho.summary();
    assert.equal(summary.sessions, 30, 'nothing lost');
    assert.equal(summary.sessionRecords, 30, 'nothing stored twice');
    assert.ok(summary.duplicates > 0, 'the re-sent records were recognised as duplicates');
  } finally {
    await svc.stop();
    await ho.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
