import type { Db } from '../db.js';

/**
 * transactions_active_tag_nocase (migration 005) served the ConcurrentTx lookup until migration
 * 006 made transactions_tag (id_tag COLLATE NOCASE, status): SQLite answers that lookup from the
 * latter, so the partial index was only written (on every start and every stop), never read.
 */
export function m015DropUnusedTagIndex(db: Db): void {
  db.exec('DROP INDEX IF EXISTS transactions_active_tag_nocase;');
}
