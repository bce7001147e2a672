import type { Db } from '../db.js';

/**
 * Per-card limit of sessions at once (fleet cards used on several vehicles, as SteVe's max
 * active transaction count): 1 keeps the ConcurrentTx rule every card had so far, 0 = unlimited.
 */
export function m008TagMaxSessions(db: Db): void {
  db.exec(`ALTER TABLE id_tags ADD COLUMN max_concurrent_sessions INTEGER NOT NULL DEFAULT 1 CHECK (max_concurrent_sessions >= 0);`);
}
