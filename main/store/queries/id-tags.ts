import type { Db } from '../db.js';
import { nowIso, stmt } from '../statements.js';

export type IdTagStatus = 'Active' | 'Blocked';

/** Seed 001's RfidCard, with the OCPP parent id tag. */
export interface IdTag {
  tagId: string;
  status: IdTagStatus;
  validUntil: string | null;
  parentIdTag: string | null;
  description: string | null;
  /** Sessions the card may hold at once: 1 (default) = ConcurrentTx beyond one, 0 = unlimited. */
  maxConcurrentSessions: number;
  /** Who owns the card: head office's auth list replaces its own cards, local ones stay (issue 10). */
  source: 'local' | 'headoffice';
  createdAt: string;
  updatedAt: string;
}

const SELECT = `SELECT tag_id AS tagId, status, valid_until AS validUntil, parent_id_tag AS parentIdTag, description, source,
  max_concurrent_sessions AS maxConcurrentSessions, created_at AS createdAt, updated_at AS updatedAt FROM id_tags`;

export function getIdTag(db: Db, tagId: string): IdTag | undefined {
  return stmt(db, `${SELECT} WHERE tag_id = ?`).get(tagId) as IdTag | undefined;
}

/**
 * The card an idTag from a charger means. OCPP 1.6 IdToken is a CiString20 (case-insensitive):
 * readers differ in the hex case they send, so an exact match (indexed) is tried first, then
 * one ignoring case. The REST API keeps exact lookups (getIdTag).
 */
export function findIdTagForAuthorization(db: Db, idTag: string): IdTag | undefined {
  return getIdTag(db, idTag) ?? (stmt(db, `${SELECT} WHERE tag_id = ? COLLATE NOCASE ORDER BY tag_id LIMIT 1`).get(idTag) as IdTag | undefined);
}

export function listIdTags(db: Db): IdTag[] {
  return stmt(db, `${SELECT} ORDER BY tag_id`).all() as IdTag[];
}

export function insertIdTag(
  db: Db,
  t: { tagId: string; status?: IdTagStatus; validUntil?: string | null; parentIdTag?: string | null; description?: string | null; maxConcurrentSessions?: number },
): IdTag {
  const now = nowIso();
  stmt(db, 'INSERT INTO id_tags(tag_id, status, valid_until, parent_id_tag, description, max_concurrent_sessions, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
    t.tagId,
    t.status ?? 'Active',
    t.validUntil ?? null,
    t.parentIdTag ?? null,
    t.description ?? null,
    t.maxConcurrentSessions ?? 1,
    now,
    now,
  );
  return getIdTag(db, t.tagId)!;
}

export function updateIdTag(
  db: Db,
  tagId: string,
  t: Partial<{ status: IdTagStatus; validUntil: string | null; parentIdTag: string | null; description: string | null; maxConcurrentSessions: number }>,
): IdTag | undefined {
  const sets: string[] = [];
  const vals: unknown[] = [];
  const cols: Record<string, string> = {
    status: 'status',
    validUntil: 'valid_until',
    parentIdTag: 'parent_id_tag',
    description: 'description',
    maxConcurrentSessions: 'max_concurrent_sessions',
  };
  for (const [k, v] of Object.entries(t)) {
    if (v === undefined || !cols[k]) continue;
    sets.push(`${cols[k]} = ?`);
    vals.push(v);
  }
  sets.push('updated_at = ?');
  vals.push(nowIso());
  const changed = db.prepare(`UPDATE id_tags SET ${sets.join(', ')} WHERE tag_id = ?`).run(...vals, tagId).changes;
  return changed ? getIdTag(db, tagId) : undefined;
}

export function deleteIdTag(db: Db, tagId: string): boolean {
  return stmt(db, 'DELETE FROM id_tags WHERE tag_id = ?').run(tagId).changes > 0;
}
