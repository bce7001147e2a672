import type { IdTag } from '../store/queries/id-tags.js';

export type AuthorizationStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';

export interface IdTagInfo {
  status: AuthorizationStatus;
  expiryDate?: string;
  parentIdTag?: string;
}

/**
 * The OCPP 1.6 idTagInfo for a tag from the local list, with no network needed.
 * `busyElsewhere`: the tag already holds as many transactions as it may run at once (its maxConcurrentSessions).
 */
export function decideIdTag(tag: IdTag | undefined, now: Date, busyElsewhere: boolean): IdTagInfo {
  if (!tag) return { status: 'Invalid' };
  const info: IdTagInfo = { status: 'Accepted' };
  // expiryDate must be a full date-time in the answer's schema. The stored value was copied
  // as is, so a date-only or offset value (possible from paths other than the REST API, which
  // normalises) made Authorize/StartTransaction answers fail their schema: InternalError, and
  // a StartTransaction the charger could never get acknowledged. Normalised to UTC ISO here;
  // an unreadable value is left out rather than sent.
  const expiresMs = tag.validUntil ? Date.parse(tag.validUntil) : NaN;
  if (Number.isFinite(expiresMs)) info.expiryDate = new Date(expiresMs).toISOString();
  if (tag.parentIdTag) info.parentIdTag = tag.parentIdTag;
  if (tag.status === 'Blocked') info.status = 'Blocked';
  else if (Number.isFinite(expiresMs) && expiresMs <= now.getTime()) info.status = 'Expired';
  else if (busyElsewhere) info.status = 'ConcurrentTx';
  return info;
}
