/**
 * The group-commit writer during a store outage: housekeeping writes (best-effort ops such as
 * presence and the message log) are dropped quietly instead of each failing its caller, and
 * only a commit of a real write ends the outage (an in-place update can fit on a full disk).
 * The outage is made on the writer's own connection, in its worker thread (PRAGMA query_only).
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openDb } from '../../main/store/db.js';
import { workerCommitter } from '../../main/store/worker-committer.js';
import { GroupCommitWriter, StoreWriteError } from '../../main/store/writer.js';
import { quietWindow, waitFor } from '../helpers/wait.js';
import type { TestOps } from '../store/writer-test-ops.js';

const root = mkdtempSync(join(tmpdir(), 'ocpp-edge-writer-outage-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function setup(opts: ConstructorParameters<typeof GroupCommitWriter<TestOps>>[1] = {}) {
  const file = join(root, `o${++n}.db`);
  const db = openDb(file);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE); CREATE TABLE seen (id INTEGER PRIMARY KEY, at TEXT); INSERT INTO seen VALUES (1, NULL)');
  const errors: Error[] = [];
  let recovered = 0;
  const w = new GroupCommitWriter(workerCommitter<TestOps>(new URL('../store/writer-test-ops.worker.ts', import.meta.url), { file }), {
    bestEffort: ['touch'],
    onCommitError: (e) => errors.push(e),
    onRecovered: () => recovered++,
    ...opts,
  });
  return {
    db,
    w,
    errors,
    recovered: () => recovered,
    close: async () => {
      await w.close();
      db.close();
    },
  };
}

test('writer outage: best-effort jobs of a failed batch resolve (dropped, counted), the real ones reject; one onCommitError per batch', async () => {
  const { w, errors, close } = setup();
  await w.pragma('query_only = 1');
  const [real, housekeeping] = await Promise.allSettled([w.run('insert', { v: 'a' }), w.run('touch', { at: 'x' })]);
  assert.equal(real.status, 'rejected');
  assert.ok((real as PromiseRejectedResult).reason instanceof StoreWriteError);
  assert.equal(housekeeping.status, 'fulfilled', 'the housekeeping write is dropped, its caller not failed');
  assert.equal(w.dropped, 1);
  assert.equal(errors.length, 1);
  assert.ok(w.lastError);
  // Alone in a batch, too.
  await w.run('touch', { at: 'y' });
  assert.equal(w.dropped, 2);
  assert.equal(errors.length, 2);
  await w.pragma('query_only = 0');
  await close();
});

test('writer outage: a commit of best-effort jobs alone does not end the outage; the next real write does', async () => {
  const { db, w, recovered, close } = setup();
  await w.pragma('query_only = 1');
  await assert.rejects(w.run('insert', { v: 'a' }), StoreWriteError);
  await w.pragma('query_only = 0');
  // Housekeeping commits fine (as an in-place update may on a full disk): still failing, as far as we know.
  await w.run('touch', { at: 'z' });
  assert.equal((db.prepare('SELECT at FROM seen').get() as { at: string }).at, 'z');
  assert.ok(w.lastError, 'still reported');
  assert.equal(recovered(), 0);
  await w.run('insert', { v: 'b' });
  assert.equal(w.lastError, null);
  assert.equal(recovered(), 1);
  await close();
});

test('writer outage: with recoveryQuietMs, recovery is declared only after real writes worked that long without a failure', async () => {
  const { w, recovered, close } = setup({ recoveryQuietMs: 150 });
  await w.pragma('query_only = 1');
  await assert.rejects(w.run('insert', { v: 'a' }), StoreWriteError);
  await w.pragma('query_only = 0');
  await w.run('insert', { v: 'b' }); // one write fits ...
  await w.pragma('query_only = 1');
  await assert.rejects(w.run('insert', { v: 'c' }), StoreWriteError); // ... the next does not: no flap
  await quietWindow(200); // longer than recoveryQuietMs: no recovery is declared in it
  assert.equal(recovered(), 0);
  assert.ok(w.lastError);
  await w.pragma('query_only = 0');
  await w.run('insert', { v: 'd' });
  assert.ok(w.lastError, 'not yet: the quiet period runs');
  await waitFor(() => w.lastError === null, { what: 'recovery once the quiet period has passed' });
  assert.equal(recovered(), 1);
  await close();
});
