import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sessionDigest } from '../../main/sync/manifest.js';
import { SimCharger } from '../sim/charger.js';
import { eventually, pendingOf, runSessions, startEdge, startHo } from './support.js';

/** A 6-field cron (with seconds) firing once, `ms` from now, in local time as node-cron reads it. */
function cronAt(ms: number): { cron: string; at: Date } {
  const at = new Date(Date.now() + ms);
  at.setMilliseconds(0);
  return { cron: `${at.getSeconds()} ${at.getMinutes()} ${at.getHours()} ${at.getDate()} ${at.getMonth() + 1} *`, at };
}

test("issue 10: the nightly job fires at its cron time and its manifest matches the day's sessions", async () => {
  const ho = await startHo();
  const dataDir = mkdtempSync(join(tmpdir(), 'sync-nightly-'));
  // The day's sessions, completed while head office refuses every upload.
  await ho.setFaults({ failRate: 1 });
  const before = await startEdge(ho.port, { dataDir });
  await runSessions(before.wsBase, { chargers: 2, perCharger: 3, prefix: 'NIGHT' });
  await before.dispose();
  await ho.setFaults({ failRate: 0 });
  // Scheduled once the sessions are in, so a slow machine cannot make the run fire before them.
  // Far enough out that a loaded machine still starts the edge before it (else node-cron names next year).
  const { cron, at } = cronAt(6000);
  const app = await startEdge(ho.port, { dataDir, syncCron: cron });
  const phases: string[] = [];
  const off = app.events.on('sync.status', (s) => s.running && phases.at(-1) !== s.running.phase && phases.push(s.running.phase));
  try {
    const status = await (await app.api('/api/sync')).json();
    assert.equal(status.nightly.cron, cron);
    assert.equal(status.nightly.nextRunAt, at.toISOString());
    const run = await eventually(async () => (await (await app.api('/api/sync')).json()).lastRun, 'the nightly run', 20_000);
    assert.equal(run.trigger, 'nightly');
    assert.ok(Date.parse(run.startedAt) >= at.getTime(), `ran at ${run.startedAt}, scheduled ${at.toISOString()}`);
    assert.equal(run.ok, true, JSON.stringify(run.errors));
    assert.equal(pendingOf(app), 0);
    assert.deepEqual(phases, ['upload', 'manifest', 'auth-list', 'push'], "the event stream shows the run's progress");

    const uids = (app.db.prepare('SELECT session_uid AS u FROM transactions').all() as Array<{ u: string }>).map((r) => r.u);
    const today = run.manifests.find((m: { sessions: number }) => m.sessions > 0);
    assert.equal(today.sessions, 6);
    assert.equal(today.digest, sessionDigest(uids));
    const checks = await ho.call('GET', '/v1/manifests');
    const check = checks.find((c: { date: string }) => c.date === today.date);
    assert.deepEqual(check.received, { sessions: 6, digest: today.digest }, 'head office finds the manifest complete');
    assert.equal(check.complete, true);
  } finally {
    off();
    await app.dispose();
    await ho.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("issue 10: a tag added and a tag blocked at head office reach a charger's local list; Authorize reflects both with head office offline", async () => {
  const ho = await startHo();
  await ho.call('PUT', '/v1/auth-list/tags/HO-KEEP', { status: 'Active' });
  await ho.call('PUT', '/v1/auth-list/tags/HO-BLOCK', { status: 'Active' });
  const app = await startEdge(ho.port);
  const sim = (id: string) =>
    new SimCharger({
      id,
      url: `${app.wsBase}/ocpp`,
      backoffInitialMs: 50,
      backoffMaxMs: 200,
      callTimeoutMs: 5000,
      config: { LocalAuthListEnabled: 'true', LocalAuthorizeOffline: 'true', AuthorizationCacheEnabled: 'false' },
    });
  const online = sim('LIST-ONLINE');
  let late: SimCharger | undefined;
  try {
    assert.equal((await app.api('/api/rfid', { method: 'POST', json: { tagId: 'LOCAL-ONLY' } })).status, 201);
    online.start();
    await online.waitFor(() => online.isOnline, 5000, 'online');
    const first = await (await app.api('/api/sync/run', { method: 'POST' })).json();
    assert.equal(first.ok, true, JSON.stringify(first.errors));
    assert.deepEqual(first.authList, { changed: true, version: 3, added: 2, updated: 0, removed: 0 });
    assert.equal(online.localList['HO-BLOCK']?.status, 'Accepted');

    await ho.call('PUT', '/v1/auth-list/tags/HO-NEW', { status: 'Active' });
    await ho.call('PUT', '/v1/auth-list/tags/HO-BLOCK', { status: 'Blocked' });
    const second = await (await app.api('/api/sync/run', { method: 'POST' })).json();
    assert.deepEqual(second.authList, { changed: true, version: 5, added: 1, updated: 1, removed: 0 });
    assert.deepEqual(second.pushed, [{ chargePointId: 'LIST-ONLINE', ok: true }]);
    const lists = online.received.filter((c) => c.action === 'SendLocalList').map((c) => (c.payload as { updateType: string }).updateType);
    assert.equal(lists.at(-1), 'Differential', `updates sent: ${lists.join(', ')}`);
    assert.equal(online.localList['HO-NEW']?.status, 'Accepted');
    assert.equal(online.localList['HO-BLOCK']?.status, 'Blocked');
    assert.equal(online.localList['LOCAL-ONLY']?.status, 'Accepted', 'local-only cards stay');
    const tags = await (await app.api('/api/rfid')).json();
    const source = Object.fromEntries((tags.items ?? tags).map((t: { tagId: string; source: string }) => [t.tagId, t.source]));
    assert.deepEqual(source, { 'HO-BLOCK': 'headoffice', 'HO-KEEP': 'headoffice', 'HO-NEW': 'headoffice', 'LOCAL-ONLY': 'local' });

    // Head office gone: the depot answers from what it pulled.
    await ho.close();
    assert.equal((await online.call('Authorize', { idTag: 'HO-NEW' })).idTagInfo.status, 'Accepted');
    assert.equal((await online.call('Authorize', { idTag: 'HO-BLOCK' })).idTagInfo.status, 'Blocked');

    // A charger offline during the sync gets the list when it next connects and boots.
    late = sim('LIST-LATE');
    late.start();
    await late.waitFor(() => late!.localList['HO-NEW']?.status === 'Accepted' && late!.localList['HO-BLOCK']?.status === 'Blocked', 10_000, 'the list on the late charger');
  } finally {
    await online.close();
    await late?.close();
    await app.dispose();
    await ho.dispose().catch(() => undefined);
  }
});
