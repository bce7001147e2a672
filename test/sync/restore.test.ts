import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dbPath } from '../../main/app.js';
import { restoreBackup } from '../../main/store/backup.js';
import { freePort } from '../sim/service.js';
import { eventually, type HeadofficeHandle, outboxDrained, runSessions, startEdge, startHo } from './support.js';

test('issue 10: after a restore from backup, re-sent sessions are recognised as duplicates and no session key is reused', async () => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'sync-restore-'));
  let app = await startEdge(port, { dataDir });
  let live: HeadofficeHandle | undefined;
  try {
    // Three sessions still pending when the backup is taken.
    await runSessions(app.wsBase, { chargers: 1, perCharger: 3, prefix: 'RESTORE-A' });
    const backup = await app.backups.runNow();
    live = await startHo({ port });
    await eventually(() => outboxDrained(app), 'the first sessions uploaded');
    const lost = await runSessions(app.wsBase, { chargers: 1, perCharger: 2, prefix: 'RESTORE-B' });
    await eventually(() => outboxDrained(app), 'the later sessions uploaded');
    assert.equal((await live.summary()).sessions, 5);
    await app.dispose();

    restoreBackup(backup.file, dbPath(app.config));
    app = await startEdge(port, { dataDir });
    // The restored outbox holds the first three (and the charger's snapshot) as pending again:
    // sent under their old keys, stored once.
    await eventually(() => outboxDrained(app), 'the restored outbox drained');
    let summary = await live.summary();
    assert.equal(summary.sessions, 5);
    assert.equal(summary.duplicates, 4);
    // Transaction ids are handed out again after the restore; the session keys are not.
    const again = await runSessions(app.wsBase, { chargers: 1, perCharger: 2, prefix: 'RESTORE-B' });
    assert.deepEqual(again, lost, 'the restored store re-issues the lost transaction ids');
    await eventually(() => outboxDrained(app), 'the new sessions uploaded');
    summary = await live.summary();
    assert.equal(summary.sessions, 7);
    assert.equal(summary.sessionRecords, 7);
  } finally {
    await app.dispose();
    await live?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
