import type { Statement } from 'better-sqlite3';
import { entryOf } from '../map-entry.js';
import type { Db } from './db.js';

const cache = new WeakMap<Db, Map<string, Statement>>();

/** Prepared once per connection: preparing on every call costs more than the query itself. */
export function stmt(db: Db, sql: string): Statement {
  const byDb = entryOf(cache, db, () => new Map<string, Statement>());
  return entryOf(byDb, sql, () => db.prepare(sql));
}

export const nowIso = (): string => new Date().toISOString();
