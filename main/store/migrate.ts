import type { Db } from './db.js';
import { migrations as shipped } from './migrations/index.js';

export type Migration = (db: Db) => void;

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * Runs every numbered migration above PRAGMA user_version, all in one transaction: a failure
 * leaves the schema and user_version exactly as they were. `migrations` is for tests.
 */
export function migrate(db: Db, migrations: ReadonlyArray<Migration> = shipped): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (current > latest) {
    throw new MigrationError(`database schema version ${current} is newer than this app (${latest}); update the app`);
  }
  if (current === latest) return current;
  db.transaction(() => {
    for (let v = current; v < latest; v++) {
      try {
        migrations[v]!(db);
      } catch (err) {
        throw new MigrationError(`migration ${v + 1} failed: ${(err as Error).message}`, { cause: err });
      }
    }
    db.pragma(`user_version = ${latest}`);
  })();
  return latest;
}
