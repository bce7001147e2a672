/**
 * issue 10 with issue 8's one write path: the sync writes through the group-commit writer, so a
 * store outage (a read-only database, PRAGMA query_only, as in test/api/store-outage-writes.test.ts)
 * fails its writes cleanly instead of half-recording them. Records head office accepted but the
 * edge could not mark sent stay pending and go again under the same idempotency key (head office
 * answers "duplicate"); nothing is lost, nothing is stored twice.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually, pendingOf, runSessions, startEdge, startHo } from './support.js';

const READ_ONLY = /readonly database/;

test('issue 10/8: during a store outage the sync keeps its records and recovers', async () => {
  const ho = await startHo();
  await ho.call('PUT', '/v1/auth-list/tags/HO-OUTAGE', { status: 'Active' });
  // The sessions complete while head office refuses uploads, so they are all pending when the store goes read-only.
  await ho.setFaults({ failRate: 1 });
  const app = await startEdge(ho.port);
  try {
    await runSessions(app.wsBase, { chargers: 2, perCharger: 5, prefix: 'OUTAGE' });
    assert.equal(pendingOf(app), 10);
    const uids = (app.db.prepare('SELECT session_uid AS u FROM transactions ORDER BY 1').all() as Array<{ u: string }>).map((r) => r.u);

    await app.writer.pragma('query_only = 1');
    await ho.setFaults({ failRate: 0 });
    // Head office takes the sessions, but the edge cannot record that: they stay pending.
    await eventually(async () => (await ho.summary()).sessions === 10, 'head office to receive the sessions during the outage');
    assert.equal(pendingOf(app), 10, 'no session marked sent while the store cannot write');
    const run = (await (await app.api('/api/sync/run', { method: 'POST' })).json()) as { ok: boolean; errors: Array<{ phase: string; message: string }> };
    assert.equal(run.ok, false);
    const authError = run.errors.find((e) => e.phase === 'auth-list');
    assert.match(authError?.message ?? JSON.stringify(run.errors), READ_ONLY, 'the auth list could not be applied, and the run says why');
    assert.equal(app.db.prepare("SELECT 1 FROM id_tags WHERE tag_id = 'HO-OUTAGE'").get(), undefined, 'nothing of the list applied');
    const decision = await app.api('/api/sync/parked/1/retry', { method: 'POST' });
    assert.equal(decision.status, 503, 'a parked-record decision is refused with the store unavailable');
    assert.equal(pendingOf(app), 10);

    await app.writer.pragma('query_only = 0');
    // The outage's own alert, held in memory while it could not be queued, goes out with the recovery.
    const alertsSent = () =>
      (app.db.prepare("SELECT subject FROM sync_outbox WHERE kind = 'alert' AND state = 'sent' AND subject LIKE 'store%' ORDER BY id").all() as Array<{ subject: string }>).map((r) => r.subject);
    await eventually(() => pendingOf(app) === 0 && alertsSent().includes('store-recovered'), 'the outbox to drain after the outage');
    assert.deepEqual(alertsSent(), ['store', 'store-recovered']);

    const summary = await ho.summary();
    assert.equal(summary.sessions, 10);
    assert.equal(summary.sessionRecords, 10, 'no session stored twice');
    assert.ok(summary.duplicates >= 10, `the re-sent sessions were recognised as duplicates (${summary.duplicates})`);
    const received = ((await ho.call('GET', '/v1/sessions')) as Array<{ id: string }>).map((s) => s.id).sort();
    assert.deepEqual(received, uids, 'every session arrived exactly once');

    const after = (await (await app.api('/api/sync/run', { method: 'POST' })).json()) as { ok: boolean; errors: unknown[] };
    assert.equal(after.ok, true, JSON.stringify(after.errors));
    assert.ok(app.db.prepare("SELECT 1 FROM id_tags WHERE tag_id = 'HO-OUTAGE'").get(), 'the auth list is applied once the store writes again');
  } finally {
    await app.dispose();
    await ho.dispose();
  }
});
