import type { Db } from '../db.js';
import { stmt } from '../statements.js';

/**
 * The UI's browser sessions (main/api/session-cookie.ts), kept in the settings table under the
 * hash of their id, so a service restart keeps users signed in and the table never holds an id.
 */
const KEY_PREFIX = 'ui_session.';

export interface UiSession {
  /** Hash of the API token the session was opened with: a rotated token ends it. */
  tokenHash: string;
  /** Epoch ms. */
  expiresAt: number;
}

export function getUiSession(db: Db, idHash: string): UiSession | undefined {
  const row = stmt(db, 'SELECT value FROM settings WHERE key = ?').get(KEY_PREFIX + idHash) as { value: string } | undefined;
  return row && (JSON.parse(row.value) as UiSession);
}

/** Stores a new session and drops expired ones (those of a rotated token stay until then, to say why they ended). */
export function insertUiSession(db: Db, idHash: string, session: UiSession, now: number): void {
  const rows = stmt(db, 'SELECT key, value FROM settings WHERE key >= ? AND key < ?').all(KEY_PREFIX, `${KEY_PREFIX}\uffff`) as Array<{ key: string; value: string }>;
  for (const r of rows) if ((JSON.parse(r.value) as UiSession).expiresAt <= now) stmt(db, 'DELETE FROM settings WHERE key = ?').run(r.key);
  stmt(db, 'INSERT INTO settings(key, value) VALUES (?, ?)').run(KEY_PREFIX + idHash, JSON.stringify(session));
}

export function deleteUiSession(db: Db, idHash: string): void {
  stmt(db, 'DELETE FROM settings WHERE key = ?').run(KEY_PREFIX + idHash);
}
