import type { Db } from '../db.js';

/**
 * - A meter sample's identity is all of what it says: a SignedData sample beside its Raw one
 *   (Eichrecht), or Wh beside kWh of the same measurand and instant, were one row under the
 *   old index and the second was dropped while the charger was acknowledged. A retried
 *   message still repeats every column, so it still stores nothing twice. Existing rows were
 *   unique under the coarser identity, so they are unique under this one.
 * - The sessions list filters idTag ignoring case (IdToken is a CiString): the tag index
 *   ignores case too, so the filter can use it. With status second it also serves the
 *   ConcurrentTx lookup of a tag's open sessions as well as the partial index of 005 (SQLite
 *   picked this one for it once it existed, and a tag's closed sessions only grow).
 */
export function m006ExactIdentities(db: Db): void {
  db.exec(`
    DROP INDEX meter_values_identity;
    CREATE UNIQUE INDEX meter_values_identity ON meter_values(
      charge_point_id, connector_id, ifnull(transaction_id, -1), timestamp, measurand, ifnull(phase, ''), location, context, format, unit, value);
    DROP INDEX transactions_tag;
    CREATE INDEX transactions_tag ON transactions(id_tag COLLATE NOCASE, status);
  `);
}
