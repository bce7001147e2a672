/**
 * The group-commit writer during a store outage: housekeeping writes (best-effort ops such as
 * presence and the message log) are dropped quietly instead of each failing its caller, and
 * only a commit of a real write ends the outage (an in-place update can fit on a full disk).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { Db } from '../../main/store/db.js';
import { GroupCommitWriter, StoreWriteError } from '../../main/store/writer.js';
import { quietWindow, waitFor } from '../helpers/wait.js';

function setup() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (v TEXT); CREATE TABLE seen (id INTEGER PRIMARY KEY, at TEXT); INSERT INTO seen VALUES (1, NULL)');
  const ops = {
    insert: (d: Db, a: { v: string }) => void d.prepare('INSERT INTO t(v) VALUES (?)').run(a.v),
    touch: (d: Db, a: { at: string }) => void d.prepare('UPDATE seen SET at = ? WHERE id = 1').run(a.at),
  };
  const errors: Error[] = [];
  let recovered = 0;
  const w = new GroupCommitWriter(db, ops, { bestEffort: ['touch'], onCommitError: (e) => errors.push(e), onRecovered: () => recovered++ });
  return { db, w, errors, recovered: () => recovered };
}

test('writer outage: best-effort jobs of a failed batch resolve (dropped, counted), the real ones reject; one onCommitError per batch', async () => {
  const { db, w, errors } = setup();
  db.pragma('query_only = 1');
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
  db.close();
});

test('writer outage: a commit of best-effort jobs alone does not end the outage; the next real write does', async () => {
  const { db, w, recovered } = setup();
  db.pragma('query_only = 1');
  await assert.rejects(w.run('insert', { v: 'a' }), StoreWriteError);
  db.pragma('query_only = 0');
  // Housekeeping commits fine (as an in-place update may on a full disk): still failing, as far as we know.
  await w.run('touch', { at: 'z' });
  assert.equal((db.prepare('SELECT at FROM seen').get() as { at: string }).at, 'z');
  assert.ok(w.lastError, 'still reported');
  assert.equal(recovered(), 0);
  await w.run('insert', { v: 'b' });
  assert.equal(w.lastError, null);
  assert.equal(recovered(), 1);
  db.close();
});

test('writer outage: with recoveryQuietMs, recovery is declared only after real writes worked that long without a failure', async () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (v TEXT)');
  let recovered = 0;
  const w = new GroupCommitWriter(db, { insert: (d: Db, a: { v: string }) => void d.prepare('INSERT INTO t(v) VALUES (?)').run(a.v) }, { recoveryQuietMs: 150, onRecovered: () => recovered++ });
  db.pragma('query_only = 1');
  await assert.rejects(w.run('insert', { v: 'a' }), StoreWriteError);
  db.pragma('query_only = 0');
  await w.run('insert', { v: 'b' }); // one write fits ...
  db.pragma('query_only = 1');
  await assert.rejects(w.run('insert', { v: 'c' }), StoreWriteError); // ... the next does not: no flap
  await quietWindow(200); // longer than recoveryQuietMs: no recovery is declared in it
  assert.equal(recovered, 0);
  assert.ok(w.lastError);
  db.pragma('query_only = 0');
  await w.run('insert', { v: 'd' });
  assert.ok(w.lastError, 'not yet: the quiet period runs');
  await waitFor(() => w.lastError === null, { what: 'recovery once the quiet period has passed' });
  assert.equal(recovered, 1);
  w.close();
  db.close();
});
