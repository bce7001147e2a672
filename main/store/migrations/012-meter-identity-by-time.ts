import type { Db } from '../db.js';

/**
 * The meter sample identity index leads with the timestamp instead of the charger: samples
 * arrive with current timestamps, so each commit's new entries land together at the end of
 * the index (a few shared pages) instead of one leaf page per charger spread over the whole
 * index, which dirtied a page, and wrote it to the WAL, for nearly every MeterValues. The
 * columns are the same, so the identity (and the dedup of a retried message) is exactly
 * what it was; the existing rows are unique under it.
 */
export function m012MeterIdentityByTime(db: Db): void {
  db.exec(`
    DROP INDEX meter_values_identity;
    CREATE UNIQUE INDEX meter_values_identity ON meter_values(
      timestamp, charge_point_id, connector_id, ifnull(transaction_id, -1), measurand, ifnull(phase, ''), location, context, format, unit, value);
  `);
}
