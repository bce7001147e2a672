import type { Db } from '../db.js';

/**
 * A new AuthorizationKey is stored (hashed) before ChangeConfiguration goes out, so a crash
 * between the charger accepting it and us recording that cannot lock the charger out.
 */
export function m004PendingPassword(db: Db): void {
  db.exec(`ALTER TABLE chargers ADD COLUMN password_hash_pending TEXT;`);
}
