import { Type } from '@sinclair/typebox';
import type { Db } from '../store/db.js';
import { utcInstant } from '../store/instant.js';
import type { HeadofficeTag } from '../store/queries/headoffice-tags.js';
import { getSetting } from '../store/queries/settings.js';
import { SYNC_SETTINGS, type SyncWriter } from '../store/sync-ops.js';
import { compileSchema } from '../validation.js';
import { type HeadofficeClient, HeadofficeError } from './client.js';

const AuthListBody = Type.Object({
  version: Type.Integer({ minimum: 0 }),
  tags: Type.Array(
    Type.Object({
      id_tag: Type.String({ minLength: 1, maxLength: 20 }),
      status: Type.Union([Type.Literal('Active'), Type.Literal('Blocked')]),
      valid_until: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
      parent_id_tag: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 20 }), Type.Null()])),
    }),
  ),
});
const checkBody = compileSchema<{ version: number; tags: Array<{ id_tag: string; status: 'Active' | 'Blocked'; valid_until?: string | null; parent_id_tag?: string | null }> }>(
  AuthListBody,
  'authList',
);

export interface AuthListResult {
  changed: boolean;
  version: number | null;
  added: number;
  updated: number;
  removed: number;
}

/** The list version last applied (null: never pulled). */
export const appliedAuthListVersion = (db: Db): number | null => {
  const v = getSetting(db, SYNC_SETTINGS.authListVersion);
  return v === undefined ? null : Number(v);
};

/**
 * Pulls head office's auth list (conditional on the ETag of the last one applied) and applies it
 * in one writer op, with its version and ETag: a list that fails validation is refused whole,
 * nothing of it applied; an older version than the applied one is ignored (a stale replica).
 * During a store outage the op fails (StoreWriteError) and nothing is applied; the ETag stays the
 * old one, so the next run fetches the list again.
 */
export async function pullAuthList(db: Db, writer: SyncWriter, client: HeadofficeClient): Promise<AuthListResult> {
  const etag = getSetting(db, SYNC_SETTINGS.authListEtag);
  const res = await client.request('GET', '/v1/auth-list', undefined, etag ? { 'if-none-match': etag } : {});
  const unchanged = { changed: false, version: appliedAuthListVersion(db), added: 0, updated: 0, removed: 0 };
  if (res.status === 304) return unchanged;
  const checked = checkBody(res.body);
  if (!checked.ok) throw new HeadofficeError(`head office auth list refused: ${checked.error}`, 'protocol');
  const list = checked.value;
  const tags: HeadofficeTag[] = list.tags.map((t) => {
    const validUntil = t.valid_until ? utcInstant(t.valid_until) : null;
    if (validUntil === undefined) throw new HeadofficeError(`head office auth list refused: valid_until "${t.valid_until}" of ${t.id_tag} is not a date-time`, 'protocol');
    return { idTag: t.id_tag, status: t.status, validUntil, parentIdTag: t.parent_id_tag ?? null };
  });
  const dup = tags.find((t, i) => tags.findIndex((o) => o.idTag.toLowerCase() === t.idTag.toLowerCase()) !== i);
  if (dup) throw new HeadofficeError(`head office auth list refused: ${dup.idTag} is listed twice (idTags ignore case)`, 'protocol');
  const newEtag = res.headers.etag;
  const counts = await writer.run('applyAuthList', { version: list.version, etag: typeof newEtag === 'string' ? newEtag : null, tags });
  if (!counts) return unchanged;
  return { changed: counts.added + counts.updated + counts.removed > 0, version: list.version, ...counts };
}
