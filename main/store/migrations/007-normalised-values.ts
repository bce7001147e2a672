import type { Db } from '../db.js';
import { utcInstant } from '../instant.js';

/** Columns holding an instant a charger or a request supplied. */
const INSTANTS: ReadonlyArray<readonly [table: string, column: string]> = [
  ['transactions', 'start_time'],
  ['transactions', 'stop_time'],
  ['transactions', 'last_meter_at'],
  ['meter_values', 'timestamp'],
  ['orphan_stops', 'stop_time'],
  ['connectors', 'status_at'],
  ['status_history', 'status_at'],
  ['id_tags', 'valid_until'],
  ['reservations', 'expiry_date'],
  ['local_list_entries', 'expiry_date'],
  ['chargers', 'last_seen'],
];

/** Already in the one stored spelling: skipped without calling into JS. */
const NORMALISED = '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z';

/**
 * Rewrites what older versions stored as sent into what the code now stores:
 * - every instant as UTC `YYYY-MM-DDTHH:MM:SS.sssZ` (they are compared as text). A value that
 *   names no instant (a lenient charger's) is kept as it is. So is a row whose normalised
 *   value would make it equal to another under a unique identity (the same message stored
 *   twice under two spellings): both rows are kept.
 * - a real stop without a reason as Local (OCPP 1.6: an omitted reason means Local); stops we
 *   inferred keep Other.
 */
export function m007NormalisedValues(db: Db): void {
  db.function('utc_instant', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? (utcInstant(v) ?? v) : v));
  for (const [table, column] of INSTANTS) {
    db.exec(`UPDATE OR IGNORE ${table} SET ${column} = utc_instant(${column}) WHERE ${column} IS NOT NULL AND ${column} NOT GLOB '${NORMALISED}'`);
  }
  db.exec(`
    UPDATE transactions SET stop_reason = 'Local' WHERE status = 'Completed' AND stop_inferred = 0 AND stop_reason IS NULL;
    UPDATE orphan_stops SET reason = 'Local' WHERE reason IS NULL;
  `);
}
