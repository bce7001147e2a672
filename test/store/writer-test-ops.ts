/** The op table of the writer tests, run on the test's thread or in its worker (writer-test-ops.worker.ts). */
import Database from 'better-sqlite3';
import { entryOf } from '../../main/map-entry.js';
import type { Db } from '../../main/store/db.js';

const readers = new Map<string, Db>();

/** What a second connection sees committed in table t. */
export function committedRows(file: string): string[] {
  const r = entryOf(readers, file, () => new Database(file, { readonly: true }));
  return (r.prepare('SELECT v FROM t ORDER BY id').all() as Array<{ v: string }>).map((row) => row.v);
}

export const fatal = (code: string) => Object.assign(new Error(`simulated ${code}`), { code });

export const testOps = {
  insert: (db: Db, a: { v: string }) => Number(db.prepare('INSERT INTO t(v) VALUES (?)').run(a.v).lastInsertRowid),
  /** Inserts, reports how many rows a second connection sees meanwhile. */
  insertAndPeek: (db: Db, a: { v: string }) => {
    db.prepare('INSERT INTO t(v) VALUES (?)').run(a.v);
    return committedRows(db.name).length;
  },
  insertThenThrow: (db: Db, a: { v: string }) => {
    db.prepare('INSERT INTO t(v) VALUES (?)').run(a.v);
    throw new Error(`job ${a.v} failed`);
  },
  insertThenFatal: (db: Db, a: { v: string; code: string }) => {
    db.prepare('INSERT INTO t(v) VALUES (?)').run(a.v);
    throw fatal(a.code);
  },
  /** Returns what cannot be copied back from the writer's thread. */
  insertReturningFunction: (db: Db, a: { v: string }) => {
    db.prepare('INSERT INTO t(v) VALUES (?)').run(a.v);
    return () => a.v;
  },
  /** Best-effort in the outage tests: an in-place update. */
  touch: (db: Db, a: { at: string }) => void db.prepare('INSERT INTO seen(id, at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET at = excluded.at').run(a.at),
};

export type TestOps = typeof testOps;
