import type { Db } from '../db.js';

/**
 * A discovered device names the registered charger at its address (ip_address, or the
 * remote_address of its OCPP socket): without these indexes that lookup scanned every charger
 * for every sighting, and each connecting charger is sighted twice (connect, boot), so a
 * 10,000-charger connect storm spent its commits scanning the registry. With one index per
 * column SQLite answers the OR by a union of index lookups.
 */
export function m014ChargerAddressIndexes(db: Db): void {
  db.exec(`
    CREATE INDEX chargers_ip_address ON chargers(ip_address) WHERE ip_address IS NOT NULL;
    CREATE INDEX chargers_remote_address ON chargers(remote_address) WHERE remote_address IS NOT NULL;
  `);
}
