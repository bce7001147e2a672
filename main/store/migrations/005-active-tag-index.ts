import type { Db } from '../db.js';

/** ConcurrentTx checks look up a tag's open sessions ignoring case (OCPP idTags are CiString). */
export function m005ActiveTagIndex(db: Db): void {
  db.exec(`CREATE INDEX transactions_active_tag_nocase ON transactions(id_tag COLLATE NOCASE) WHERE status = 'Active';`);
}
