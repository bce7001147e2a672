import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { type Db, openDb } from '../../main/store/db.js';
import { GroupCommitWriter, isFatalSqliteError, StoreWriteError } from '../../main/store/writer.js';

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

interface Fixture {
  file: string;
  db: Db;
  /** A second connection: sees only what is committed. */
  reader: Db;
  committed(): string[];
  close(): void;
}

function fixture(): Fixture {
  const file = join(root, `w${++n}.db`);
  const db = openDb(file);
  db.pragma('wal_autocheckpoint = 0'); // keep every commit in the WAL so walCommits can count them
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)');
  const reader = new Database(file, { readonly: true });
  return {
    file,
    db,
    reader,
    committed: () => (reader.prepare('SELECT v FROM t ORDER BY id').all() as Array<{ v: string }>).map((r) => r.v),
    close() {
      reader.close();
      db.close();
    },
  };
}

const fatal = (code: string) => Object.assign(new Error(`simulated ${code}`), { code });

function makeOps(f: () => Fixture) {
  return {
    insert: (db: Db, a: { v: string }) => Number(db.prepare('INSERT INTO t(v) VALUES (?)').run(a.v).lastInsertRowid),
    /** Inserts, reports what a second connection sees meanwhile, returns it. */
    insertAndPeek: (db: Db, a: { v: string }) => {
      db.prepare('INSERT INTO t(v) VALUES (?)').run(a.v);
      return f().committed().length;
    },
    insertThenThrow: (db: Db, a: { v: string }) => {
      db.prepare('INSERT INTO t(v) VALUES (?)').run(a.v);
      throw new Error(`job ${a.v} failed`);
    },
    insertThenFatal: (db: Db, a: { v: string; code: string }) => {
      db.prepare('INSERT INTO t(v) VALUES (?)').run(a.v);
      throw fatal(a.code);
    },
  };
}

test('writer: many run() calls in one tick commit in one transaction', async () => {
  const f = fixture();
  try {
    const w = new GroupCommitWriter(
      f.db,
      makeOps(() => f),
    );
    const before = walCommits(f.file);
    const seen = await Promise.all(Array.from({ length: 50 }, (_, i) => w.run('insertAndPeek', { v: `r${i}` })));
    assert.equal(walCommits(f.file) - before, 1, 'one commit for the whole batch');
    assert.deepEqual(seen, new Array(50).fill(0), 'no job saw another job committed: they share one transaction');
    assert.equal(f.committed().length, 50);
  } finally {
    f.close();
  }
});

test('writer: calls in separate ticks commit separately (the commit counter works)', async () => {
  const f = fixture();
  try {
    const w = new GroupCommitWriter(
      f.db,
      makeOps(() => f),
    );
    const before = walCommits(f.file);
    await w.run('insert', { v: 'a' });
    await w.run('insert', { v: 'b' });
    await w.run('insert', { v: 'c' });
    assert.equal(walCommits(f.file) - before, 3);
  } finally {
    f.close();
  }
});

test('writer: a batch larger than maxBatch is split into several commits', async () => {
  const f = fixture();
  try {
    const w = new GroupCommitWriter(
      f.db,
      makeOps(() => f),
      { maxBatch: 4 },
    );
    const before = walCommits(f.file);
    await Promise.all(Array.from({ length: 10 }, (_, i) => w.run('insert', { v: `r${i}` })));
    assert.equal(walCommits(f.file) - before, 3);
    assert.equal(f.committed().length, 10);
  } finally {
    f.close();
  }
});

test('writer: promises resolve only after commit (data visible from a second connection)', async () => {
  const f = fixture();
  try {
    const w = new GroupCommitWriter(
      f.db,
      makeOps(() => f),
    );
    const checks = Array.from({ length: 20 }, (_, i) =>
      w.run('insert', { v: `r${i}` }).then((id) => {
        assert.equal(f.db.inTransaction, false, 'settled outside the transaction');
        const row = f.reader.prepare('SELECT v FROM t WHERE id = ?').get(id) as { v: string } | undefined;
        assert.equal(row?.v, `r${i}`, `row ${i} is visible to another connection when its promise resolves`);
        return id;
      }),
    );
    // Nothing runs synchronously inside run(): the batch is still queued.
    assert.equal(w.backlog, 20);
    assert.deepEqual(f.committed(), []);
    const ids = await Promise.all(checks);
    assert.equal(new Set(ids).size, 20, 'each job gets its own result');
  } finally {
    f.close();
  }
});

test('writer: a throwing job rejects alone while the others of its batch commit', async () => {
  const f = fixture();
  try {
    let commitErrors = 0;
    const w2 = new GroupCommitWriter(
      f.db,
      makeOps(() => f),
      { onCommitError: () => commitErrors++ },
    );
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
  } finally {
    f.close();
  }
});

test('writer: a fatal SQLite error (SQLITE_READONLY) rejects the whole batch, sets lastError and calls onCommitError; recovery clears it', async () => {
  const f = fixture();
  try {
    const errors: Error[] = [];
    let recovered = 0;
    const w = new GroupCommitWriter(
      f.db,
      makeOps(() => f),
      { onCommitError: (e) => errors.push(e), onRecovered: () => recovered++ },
    );
    await w.run('insert', { v: 'before' });

    f.db.pragma('query_only = 1'); // every write now fails with SQLITE_READONLY
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
    assert.equal(f.db.inTransaction, false, 'the failed transaction was rolled back');

    // Still failing: still an error, onRecovered not called.
    await assert.rejects(w.run('insert', { v: 'again' }), StoreWriteError);
    assert.equal(errors.length, 2);

    f.db.pragma('query_only = 0');
    await w.run('insert', { v: 'after' });
    assert.equal(w.lastError, null, 'a successful commit clears lastError');
    assert.equal(recovered, 1, 'onRecovered called once');
    assert.deepEqual(f.committed(), ['before', 'after']);
  } finally {
    f.close();
  }
});

test('writer: a fatal error in one job (disk full) also rejects the jobs that succeeded before it in the batch', async () => {
  const f = fixture();
  try {
    const errors: Error[] = [];
    const w = new GroupCommitWriter(
      f.db,
      makeOps(() => f),
      { onCommitError: (e) => errors.push(e) },
    );
    const results = await Promise.allSettled([w.run('insert', { v: 'a' }), w.run('insertThenFatal', { v: 'b', code: 'SQLITE_FULL' }), w.run('insert', { v: 'c' })]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected', 'rejected'],
      'nothing of the batch is acknowledged',
    );
    assert.deepEqual(f.committed(), [], 'nothing of the batch is on disk');
    assert.equal(errors.length, 1);
    assert.match(w.lastError!.message, /SQLITE_FULL|simulated/);
  } finally {
    f.close();
  }
});

test('writer: close() commits what is queued and refuses new work', async () => {
  const f = fixture();
  try {
    const w = new GroupCommitWriter(
      f.db,
      makeOps(() => f),
    );
    const p = w.run('insert', { v: 'queued' });
    w.close();
    assert.deepEqual(f.committed(), ['queued'], 'committed synchronously by close()');
    await p;
    await assert.rejects(w.run('insert', { v: 'late' }), (err: unknown) => err instanceof StoreWriteError && /closed/.test(err.message));
  } finally {
    f.close();
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
