import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type Db, openDb } from '../../main/store/db.js';
import { workerCommitter } from '../../main/store/worker-committer.js';
import { GroupCommitWriter, inThreadCommitter, isFatalSqliteError, StoreWriteError } from '../../main/store/writer.js';
import { committedRows, fatal, type TestOps, testOps } from './writer-test-ops.js';

const root = mkdtempSync(join(tmpdir(), 'ocpp-edge-writer-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/**
 * Counts the commits in the WAL file: each commit ends with a frame whose "database size after
 * commit" field is non-zero. Independent of how the writer is implemented.
 */
function walCommits(file: string): number {
  const wal = `${file}-wal`;
  if (!existsSync(wal)) return 0;
  const buf = readFileSync(wal);
  if (buf.length < 32) return 0;
  const pageSize = buf.readUInt32BE(8);
  const salt1 = buf.readUInt32BE(16);
  const salt2 = buf.readUInt32BE(20);
  let commits = 0;
  for (let off = 32; off + 24 + pageSize <= buf.length; off += 24 + pageSize) {
    if (buf.readUInt32BE(off + 8) !== salt1 || buf.readUInt32BE(off + 12) !== salt2) break;
    if (buf.readUInt32BE(off + 4) !== 0) commits++;
  }
  return commits;
}

type Kind = 'worker thread' | 'in-thread';
const KINDS: Kind[] = ['worker thread', 'in-thread'];
const WORKER = new URL('./writer-test-ops.worker.ts', import.meta.url);

interface Fixture {
  file: string;
  /** The test's own connection (the in-thread writer's too). */
  db: Db;
  committed(): string[];
  /** A writer on this fixture's database, committing in `kind`. */
  writer(opts?: ConstructorParameters<typeof GroupCommitWriter<TestOps>>[1]): GroupCommitWriter<TestOps>;
  close(): Promise<void>;
}

function fixture(kind: Kind): Fixture {
  const file = join(root, `w${++n}.db`);
  const db = openDb(file);
  db.pragma('wal_autocheckpoint = 0'); // keep every commit in the WAL so walCommits can count them
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE); CREATE TABLE seen (id INTEGER PRIMARY KEY, at TEXT)');
  const writers: GroupCommitWriter<TestOps>[] = [];
  return {
    file,
    db,
    committed: () => committedRows(file),
    writer(opts) {
      const w = new GroupCommitWriter(kind === 'in-thread' ? inThreadCommitter(db, testOps) : workerCommitter<TestOps>(WORKER, { file, ...(opts?.maxBatch && { maxBatch: opts.maxBatch }) }), opts);
      writers.push(w);
      return w;
    },
    async close() {
      for (const w of writers) await w.close();
      db.close();
    },
  };
}

/** Each test runs against both committers: the worker thread (the service's) and in-thread. */
function writerTest(name: string, fn: (f: Fixture, kind: Kind) => Promise<void>): void {
  for (const kind of KINDS) {
    test(`${name} (${kind})`, async () => {
      const f = fixture(kind);
      try {
        await fn(f, kind);
      } finally {
        await f.close();
      }
    });
  }
}

writerTest('writer: many run() calls in one tick commit in one transaction', async (f) => {
  const w = f.writer();
  const before = walCommits(f.file);
  const seen = await Promise.all(Array.from({ length: 50 }, (_, i) => w.run('insertAndPeek', { v: `r${i}` })));
  assert.equal(walCommits(f.file) - before, 1, 'one commit for the whole batch');
  assert.deepEqual(seen, new Array(50).fill(0), 'no job saw another job committed: they share one transaction');
  assert.equal(f.committed().length, 50);
});

writerTest('writer: calls in separate ticks commit separately (the commit counter works)', async (f) => {
  const w = f.writer();
  const before = walCommits(f.file);
  await w.run('insert', { v: 'a' });
  await w.run('insert', { v: 'b' });
  await w.run('insert', { v: 'c' });
  assert.equal(walCommits(f.file) - before, 3);
});

writerTest('writer: a batch larger than maxBatch is split into several commits', async (f) => {
  const w = f.writer({ maxBatch: 4 });
  const before = walCommits(f.file);
  await Promise.all(Array.from({ length: 10 }, (_, i) => w.run('insert', { v: `r${i}` })));
  assert.equal(walCommits(f.file) - before, 3);
  assert.equal(f.committed().length, 10);
});

writerTest('writer: promises resolve only after commit (data visible from a second connection)', async (f, kind) => {
  const w = f.writer();
  const checks = Array.from({ length: 20 }, (_, i) =>
    w.run('insert', { v: `r${i}` }).then((id) => {
      if (kind === 'in-thread') assert.equal(f.db.inTransaction, false, 'settled outside the transaction');
      const row = f.db.prepare('SELECT v FROM t WHERE id = ?').get(id) as { v: string } | undefined;
      assert.equal(row?.v, `r${i}`, `row ${i} is visible to another connection when its promise resolves`);
      return id;
    }),
  );
  // Nothing runs synchronously inside run(): the batch is still queued.
  assert.equal(w.backlog, 20);
  assert.deepEqual(f.committed(), []);
  const ids = await Promise.all(checks);
  assert.equal(new Set(ids).size, 20, 'each job gets its own result');
  assert.equal(w.backlog, 0);
});

writerTest('writer: jobs queued while a batch commits follow it, in order, in at most one more commit', async (f) => {
  const w = f.writer();
  const before = walCommits(f.file);
  const first = Array.from({ length: 10 }, (_, i) => w.run('insert', { v: `a${i}` }));
  // The next event-loop turn: the first batch has been sent; these form the next one.
  await new Promise((r) => setImmediate(r));
  const later = Array.from({ length: 10 }, (_, i) => w.run('insert', { v: `b${i}` }));
  const ids = await Promise.all([...first, ...later]);
  assert.deepEqual(
    ids,
    [...ids].sort((x, y) => x - y),
    'committed in the order they were queued',
  );
  // The worker commits together what waited for it: both batches may share one commit.
  assert.ok(walCommits(f.file) - before <= 2);
});

writerTest('writer: a throwing job rejects alone while the others of its batch commit', async (f) => {
  let commitErrors = 0;
  const w2 = f.writer({ onCommitError: () => commitErrors++ });
  const before = walCommits(f.file);
  const results = await Promise.allSettled([
    w2.run('insert', { v: 'a' }),
    w2.run('insertThenThrow', { v: 'b' }),
    w2.run('insert', { v: 'c' }),
    w2.run('insert', { v: 'a' }), // UNIQUE violation: SQLITE_CONSTRAINT, not fatal
    w2.run('insert', { v: 'd' }),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled'],
  );
  assert.match(String((results[1] as PromiseRejectedResult).reason.message), /job b failed/, 'the job gets its own error');
  assert.match(String((results[3] as PromiseRejectedResult).reason.code), /^SQLITE_CONSTRAINT/);
  assert.deepEqual(f.committed(), ['a', 'c', 'd'], "the failed job's own insert is rolled back (savepoint)");
  assert.equal(walCommits(f.file) - before, 1, 'still one commit');
  assert.equal(w2.lastError, null);
  assert.equal(commitErrors, 0);
});

writerTest('writer: a fatal SQLite error (SQLITE_READONLY) rejects the whole batch, sets lastError and calls onCommitError; recovery clears it', async (f, kind) => {
  const errors: Error[] = [];
  let recovered = 0;
  const w = f.writer({ onCommitError: (e) => errors.push(e), onRecovered: () => recovered++ });
  await w.run('insert', { v: 'before' });

  await w.pragma('query_only = 1'); // every write of the writer's connection now fails with SQLITE_READONLY
  const results = await Promise.allSettled([w.run('insert', { v: 'x' }), w.run('insert', { v: 'y' }), w.run('insert', { v: 'z' })]);
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    const reason = (r as PromiseRejectedResult).reason;
    assert.ok(reason instanceof StoreWriteError, 'a StoreWriteError');
    assert.match(reason.message, /commit failed/);
    assert.match(String((reason.cause as { code?: string }).code), /^SQLITE_READONLY/);
  }
  assert.equal(errors.length, 1, 'onCommitError once per failed batch');
  assert.ok(w.lastError instanceof StoreWriteError);
  assert.equal(recovered, 0);
  assert.deepEqual(f.committed(), ['before']);
  if (kind === 'in-thread') assert.equal(f.db.inTransaction, false, 'the failed transaction was rolled back');

  // Still failing: still an error, onRecovered not called.
  await assert.rejects(w.run('insert', { v: 'again' }), StoreWriteError);
  assert.equal(errors.length, 2);

  await w.pragma('query_only = 0');
  await w.run('insert', { v: 'after' });
  assert.equal(w.lastError, null, 'a successful commit clears lastError');
  assert.equal(recovered, 1, 'onRecovered called once');
  assert.deepEqual(f.committed(), ['before', 'after']);
});

writerTest('writer: a fatal error in one job (disk full) also rejects the jobs that succeeded before it in the batch', async (f) => {
  const errors: Error[] = [];
  const w = f.writer({ onCommitError: (e) => errors.push(e) });
  const results = await Promise.allSettled([w.run('insert', { v: 'a' }), w.run('insertThenFatal', { v: 'b', code: 'SQLITE_FULL' }), w.run('insert', { v: 'c' })]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected', 'rejected'],
    'nothing of the batch is acknowledged',
  );
  assert.deepEqual(f.committed(), [], 'nothing of the batch is on disk');
  assert.equal(errors.length, 1);
  assert.match(w.lastError!.message, /SQLITE_FULL|simulated/);
  assert.equal((w.lastError!.cause as { code?: string }).code, 'SQLITE_FULL', 'the code crosses the thread boundary');
});

writerTest('writer: close() commits what is queued and refuses new work', async (f) => {
  const w = f.writer();
  const p = w.run('insert', { v: 'queued' });
  await w.close();
  assert.deepEqual(f.committed(), ['queued'], 'committed by close()');
  await p;
  await assert.rejects(w.run('insert', { v: 'late' }), (err: unknown) => err instanceof StoreWriteError && /closed/.test(err.message));
});

test('writer (worker thread): a job whose args or result cannot cross the thread fails alone; the writer and the store keep working', async () => {
  const f = fixture('worker thread');
  try {
    const errors: Error[] = [];
    const w = f.writer({ onCommitError: (e) => errors.push(e) });
    await assert.rejects(w.run('insert', { v: (() => 'x') as unknown as string }), /could not be cloned/);
    await assert.rejects(w.run('insertReturningFunction', { v: 'f' }), /could not be cloned/);
    assert.equal((await w.run('insert', { v: 'after' })) > 0, true);
    assert.equal(w.lastError, null, 'not a store outage');
    assert.deepEqual(errors, []);
    assert.ok(f.committed().includes('after'));
  } finally {
    await f.close();
  }
});

test('writer (worker thread): the worker checkpoints the WAL once it passes the configured size', async () => {
  const f = fixture('worker thread');
  try {
    const w = new GroupCommitWriter(workerCommitter<TestOps>(WORKER, { file: f.file, walCheckpointBytes: 64 * 1024 }));
    for (let round = 0; round < 20; round++) await Promise.all(Array.from({ length: 50 }, (_, i) => w.run('insert', { v: `r${round}-${i}-${'x'.repeat(200)}` })));
    // A PASSIVE checkpoint copied the WAL into the database file: the WAL restarted from its start.
    const { log } = ((await w.pragma('wal_checkpoint(PASSIVE)')) as Array<{ log: number }>)[0]!;
    assert.ok(log * 4096 < 64 * 1024 + 64 * 1024, `WAL holds ${log} frames: it was checkpointed and restarted`);
    assert.equal(f.committed().length, 1000);
    await w.close();
  } finally {
    await f.close();
  }
});

test('writer: fatal error classification', () => {
  for (const code of ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_READONLY_DBMOVED', 'SQLITE_IOERR_WRITE', 'SQLITE_CORRUPT', 'SQLITE_BUSY', 'SQLITE_NOTADB', 'SQLITE_CANTOPEN']) {
    assert.equal(isFatalSqliteError(fatal(code)), true, code);
  }
  for (const err of [fatal('SQLITE_CONSTRAINT_UNIQUE'), fatal('SQLITE_ERROR'), new Error('plain'), null, undefined, 'text']) {
    assert.equal(isFatalSqliteError(err), false, String((err as { code?: string })?.code ?? err));
  }
});
