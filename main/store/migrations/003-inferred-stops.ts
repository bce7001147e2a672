import type { Db } from '../db.js';

/**
 * A session whose StopTransaction never came (the charger lost it) is closed when the next
 * session starts on that connector, and flagged so operators can review it and the real stop
 * still wins if it does arrive late.
 */
export function m003InferredStops(db: Db): void {
  db.exec(`ALTER TABLE transactions ADD COLUMN stop_inferred INTEGER NOT NULL DEFAULT 0;`);
}
