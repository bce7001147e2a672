import type { Db } from '../db.js';

/**
 * Head-office sync (issue 10):
 * - every session and kept orphan stop gets a random UUID, its idempotency key at head office.
 *   It is minted when the row is written and travels with it through backups, so a restored
 *   database re-sends old sessions under their old keys (recognised as duplicates) and new
 *   sessions never reuse one even when a transaction id is handed out again. Existing rows get
 *   theirs here.
 * - sync_outbox: the records to upload, inserted in the transaction that completed the session.
 *   A record is pending, sent, parked (head office rejected it: kept with the reason) or
 *   dismissed (an operator gave up on a parked record; the row stays).
 * - id_tags.source: who owns a card. Head office's auth list replaces its own cards only.
 */
export function m009SyncOutbox(db: Db): void {
  const uuid = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
    substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`;
  db.exec(`
    ALTER TABLE transactions ADD COLUMN session_uid TEXT;
    UPDATE transactions SET session_uid = ${uuid};
    CREATE UNIQUE INDEX transactions_session_uid ON transactions(session_uid);
    ALTER TABLE orphan_stops ADD COLUMN session_uid TEXT;
    UPDATE orphan_stops SET session_uid = ${uuid};
    CREATE UNIQUE INDEX orphan_stops_session_uid ON orphan_stops(session_uid);
    -- A row written by any other path (an import, a repair by hand) still gets its key: without
    -- one its completion could not be queued, and the stop itself would fail.
    CREATE TRIGGER transactions_session_uid AFTER INSERT ON transactions WHEN NEW.session_uid IS NULL
      BEGIN UPDATE transactions SET session_uid = ${uuid} WHERE id = NEW.id; END;
    CREATE TRIGGER orphan_stops_session_uid AFTER INSERT ON orphan_stops WHEN NEW.session_uid IS NULL
      BEGIN UPDATE orphan_stops SET session_uid = ${uuid} WHERE id = NEW.id; END;

    ALTER TABLE id_tags ADD COLUMN source TEXT NOT NULL DEFAULT 'local' CHECK (source IN ('local','headoffice'));

    CREATE TABLE sync_outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL CHECK (kind IN ('session','snapshot','alert')),
      idempotency_key TEXT NOT NULL UNIQUE,
      subject TEXT,
      payload TEXT NOT NULL,
      created_at TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','parked','dismissed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      parked_reason TEXT,
      sent_at TEXT
    );
    CREATE INDEX sync_outbox_pending ON sync_outbox(state, id);
    CREATE INDEX sync_outbox_subject ON sync_outbox(kind, subject, id);
  `);
}
