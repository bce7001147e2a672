import type { IdTag } from '../store/queries/id-tags.js';

export type AuthorizationStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';

export interface IdTagInfo {
  status: AuthorizationStatus;
  expiryDate?: string;
  parentIdTag?: string;
}

/**
 * The OCPP 1.6 idTagInfo for a tag from the local list, with no network needed.
 * `busyElsewhere`: the tag already holds a transaction it may not run concurrently with this one.
 */
export function decideIdTag(tag: IdTag | undefined, now: Date, busyElsewhere: boolean): IdTagInfo {
  if (!tag) return { status: 'Invalid' };
  const info: IdTagInfo = { status: 'Accepted' };
  if (tag.validUntil) info.expiryDate = tag.validUntil;
  if (tag.parentIdTag) info.parentIdTag = tag.parentIdTag;
  if (tag.status === 'Blocked') info.status = 'Blocked';
  else if (tag.validUntil && Date.parse(tag.validUntil) <= now.getTime()) info.status = 'Expired';
  else if (busyElsewhere) info.status = 'ConcurrentTx';
  return info;
}
