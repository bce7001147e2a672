import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { type Db, openDb } from '../../main/store/db.js';
import { MigrationError, migrate } from '../../main/store/migrate.js';
import { migrations } from '../../main/store/migrations/index.js';

const root = mkdtempSync(join(tmpdir(), 'ocpp-edge-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const dbFile = () => join(root, `db-${++n}`, 'edge.db');

const userVersion = (db: Db) => db.pragma('user_version', { simple: true }) as number;
const tables = (db: Db) => (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as Array<{ name: string }>).map((r) => r.name);

test('store: openDb creates the folder and file, runs every migration and sets user_version to their count', () => {
  const file = dbFile();
  const db = openDb(file);
  try {
    assert.ok(existsSync(file));
    assert.ok(migrations.length >= 1);
    assert.equal(userVersion(db), migrations.length);
    for (const t of ['settings', 'chargers', 'connectors', 'status_history', 'id_tags', 'reservations', 'transactions', 'meter_values', 'message_log']) {
      assert.ok(tables(db).includes(t), `table ${t} exists`);
    }
  } finally {
    db.close();
  }
});

test('store: migrations are idempotent on reopen and keep the data', () => {
  const file = dbFile();
  const db1 = openDb(file);
  db1.prepare(`INSERT INTO settings(key, value) VALUES ('k', 'v')`).run();
  const schema1 = db1.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all();
  db1.close();

  const db2 = openDb(file);
  try {
    assert.equal(userVersion(db2), migrations.length);
    assert.deepEqual(db2.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all(), schema1);
    assert.equal((db2.prepare(`SELECT value FROM settings WHERE key = 'k'`).get() as { value: string }).value, 'v');
    // Calling migrate again on an up-to-date db is a no-op.
    assert.equal(migrate(db2), migrations.length);
  } finally {
    db2.close();
  }
});

test('store: migrations run only above user_version', () => {
  const db = new Database(':memory:');
  try {
    const ran: number[] = [];
    const list = [() => ran.push(1), () => ran.push(2), () => ran.push(3)];
    assert.equal(migrate(db, list.slice(0, 2)), 2);
    assert.deepEqual(ran, [1, 2]);
    assert.equal(migrate(db, list), 3);
    assert.deepEqual(ran, [1, 2, 3]);
    assert.equal(userVersion(db), 3);
  } finally {
    db.close();
  }
});

test('store: a failing migration rolls back entirely (schema, data and user_version)', () => {
  const db = new Database(':memory:');
  try {
    const m1 = (d: Db) => d.exec('CREATE TABLE a(x); INSERT INTO a VALUES (1);');
    const m2 = (d: Db) => d.exec('CREATE TABLE b(y); INSERT INTO a VALUES (2);');
    const m3 = (d: Db) => {
      d.exec('CREATE TABLE c(z)');
      throw new Error('boom');
    };
    assert.equal(migrate(db, [m1]), 1);
    assert.throws(
      () => migrate(db, [m1, m2, m3]),
      (err: unknown) => err instanceof MigrationError && /migration 3 failed: boom/.test(err.message),
    );
    assert.equal(userVersion(db), 1, 'user_version unchanged');
    assert.deepEqual(tables(db), ['a'], 'tables of migrations 2 and 3 are gone');
    assert.deepEqual(db.prepare('SELECT x FROM a').all(), [{ x: 1 }], "migration 2's insert is rolled back");
    assert.equal(db.inTransaction, false);
    // Once fixed, the same database migrates.
    assert.equal(migrate(db, [m1, m2, (d: Db) => d.exec('CREATE TABLE c(z)')]), 3);
    assert.deepEqual(tables(db), ['a', 'b', 'c']);
  } finally {
    db.close();
  }
});

test('store: a failing first migration leaves a fresh database file empty at user_version 0', () => {
  const fresh = join(root, 'fresh.db');
  const db = new Database(fresh);
  try {
    assert.throws(
      () =>
        migrate(db, [
          (d) => {
            d.exec('CREATE TABLE t(x)');
            d.pragma('user_version = 7');
            throw new Error('disk says no');
          },
        ]),
      /migration 1 failed: disk says no/,
    );
  } finally {
    db.close();
  }
  const again = new Database(fresh);
  try {
    assert.equal(userVersion(again), 0);
    assert.deepEqual(tables(again), []);
  } finally {
    again.close();
  }
});

test('store: a database from a newer app version is refused, not downgraded', () => {
  const db = new Database(':memory:');
  try {
    db.pragma('user_version = 99');
    assert.throws(
      () => migrate(db),
      (err: unknown) => err instanceof MigrationError && /newer than this app/.test(err.message),
    );
    assert.equal(userVersion(db), 99);
  } finally {
    db.close();
  }
});

test('store: openDb sets WAL, synchronous=FULL, foreign keys and a busy timeout', () => {
  const db = openDb(dbFile());
  try {
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 2, 'synchronous=FULL is 2');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.ok((db.pragma('busy_timeout', { simple: true }) as number) >= 1000);
  } finally {
    db.close();
  }
});

test('store: WAL stays on for a reopened database', () => {
  const file = dbFile();
  openDb(file).close();
  const raw = new Database(file);
  try {
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal', 'WAL is persistent in the file');
  } finally {
    raw.close();
  }
});
