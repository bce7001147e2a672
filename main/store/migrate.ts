import type { Db } from './db.js';
import { migrations } from './migrations/index.js';

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Runs every numbered migration above PRAGMA user_version, all in one transaction. */
export function migrate(db: Db): number {
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
