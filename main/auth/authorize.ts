import type { Db } from '../store/db.js';
import { findIdTagForAuthorization, type IdTag } from '../store/queries/id-tags.js';
import { activeTransactionsForTag } from '../store/queries/transactions.js';
import { decideIdTag, type IdTagInfo } from './decide.js';

/** A card's open sessions reach its limit (maxConcurrentSessions; 0 = unlimited, unknown card: 1). */
const atLimit = (tag: IdTag | undefined, open: number) => {
  const limit = tag?.maxConcurrentSessions ?? 1;
  return limit > 0 && open >= limit;
};

/**
 * Authorize.req: a tag whose sessions on other chargers reach its limit is ConcurrentTx; its
 * sessions on this charger do not count, because the driver may be presenting it to stop one.
 */
export function authorizeForCharger(db: Db, chargePointId: string, idTag: string, now = new Date()): IdTagInfo {
  const tag = findIdTagForAuthorization(db, idTag);
  const elsewhere = activeTransactionsForTag(db, idTag).filter((t) => t.chargePointId !== chargePointId).length;
  return decideIdTag(tag, now, atLimit(tag, elsewhere));
}

/**
 * StartTransaction re-check: the tag's other open transactions reaching its limit make this one concurrent,
 * except one still open on this very connector: a connector runs one session at a time, so a
 * new start there means that session ended and its StopTransaction was lost (charger reboot).
 * Counting it made the driver's card ConcurrentTx on its own connector for good.
 */
export function authorizeForStart(db: Db, idTag: string, exceptTransactionId: number | null, now = new Date(), at?: { chargePointId: string; connectorId: number }): IdTagInfo {
  const active = activeTransactionsForTag(db, idTag).filter((t) => t.id !== exceptTransactionId && !(at && t.chargePointId === at.chargePointId && t.connectorId === at.connectorId));
  const tag = findIdTagForAuthorization(db, idTag);
  return decideIdTag(tag, now, atLimit(tag, active.length));
}
