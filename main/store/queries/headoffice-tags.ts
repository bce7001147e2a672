import type { Db } from '../db.js';
import { nowIso, stmt } from '../statements.js';

export interface HeadofficeTag {
  idTag: string;
  status: 'Active' | 'Blocked';
  validUntil: string | null;
  parentIdTag: string | null;
}

/**
 * Makes head office's cards exactly `tags`, in the caller's transaction: its cards are added or
 * updated (a same-named local card is taken over), its cards no longer listed are removed, and
 * local-only cards stay as they are.
 */
export function replaceHeadofficeTags(db: Db, tags: HeadofficeTag[]): { added: number; updated: number; removed: number } {
  const now = nowIso();
  const listed = new Set(tags.map((t) => t.idTag));
  let removed = 0;
  const owned = stmt(db, "SELECT tag_id AS tagId FROM id_tags WHERE source = 'headoffice'").all() as Array<{ tagId: string }>;
  for (const { tagId } of owned) if (!listed.has(tagId)) removed += stmt(db, 'DELETE FROM id_tags WHERE tag_id = ?').run(tagId).changes;
  let added = 0;
  let updated = 0;
  for (const t of tags) {
    const before = stmt(db, 'SELECT status, valid_until AS validUntil, parent_id_tag AS parentIdTag, source FROM id_tags WHERE tag_id = ?').get(t.idTag) as
      | { status: string; validUntil: string | null; parentIdTag: string | null; source: string }
      | undefined;
    if (!before) {
      stmt(db, "INSERT INTO id_tags(tag_id, status, valid_until, parent_id_tag, source, created_at, updated_at) VALUES (?, ?, ?, ?, 'headoffice', ?, ?)").run(
        t.idTag,
        t.status,
        t.validUntil,
        t.parentIdTag,
        now,
        now,
      );
      added++;
    } else if (before.status !== t.status || before.validUntil !== t.validUntil || before.parentIdTag !== t.parentIdTag || before.source !== 'headoffice') {
      stmt(db, "UPDATE id_tags SET status = ?, valid_until = ?, parent_id_tag = ?, source = 'headoffice', updated_at = ? WHERE tag_id = ?").run(t.status, t.validUntil, t.parentIdTag, now, t.idTag);
      updated++;
    }
  }
  return { added, updated, removed };
}
