import type { Db } from '../store/db.js';
import { findIdTagForAuthorization } from '../store/queries/id-tags.js';
import { activeTransactionsForTag } from '../store/queries/transactions.js';
import { decideIdTag, type IdTagInfo } from './decide.js';

/**
 * Authorize.req: a tag busy on another charger is ConcurrentTx; on the same charger it stays
 * Accepted, because the driver may be presenting it to stop that very session.
 */
export function authorizeForCharger(db: Db, chargePointId: string, idTag: string, now = new Date()): IdTagInfo {
  const active = activeTransactionsForTag(db, idTag);
  return decideIdTag(findIdTagForAuthorization(db, idTag), now, active.some((t) => t.chargePointId !== chargePointId));
}

/**
 * StartTransaction re-check: any other open transaction of the tag makes this one concurrent,
 * except one still open on this very connector: a connector runs one session at a time, so a
 * new start there means that session ended and its StopTransaction was lost (charger reboot).
 * Counting it made the driver's card ConcurrentTx on its own connector for good.
 */
export function authorizeForStart(
  db: Db,
  idTag: string,
  exceptTransactionId: number | null,
  now = new Date(),
  at?: { chargePointId: string; connectorId: number },
): IdTagInfo {
  const active = activeTransactionsForTag(db, idTag).filter(
    (t) => t.id !== exceptTransactionId && !(at && t.chargePointId === at.chargePointId && t.connectorId === at.connectorId),
  );
  return decideIdTag(findIdTagForAuthorization(db, idTag), now, active.length > 0);
}
