import { chargerInstant } from '../../store/instant.js';
import type { Handler } from '../context.js';

/**
 * Always answers with a transactionId and the tag's current idTagInfo, even for a tag that is
 * now invalid: the charger may have started offline, and the session must be recorded.
 */
export const startTransaction: Handler<'StartTransaction'> = async (ctx, req) => {
  const timestamp = chargerInstant(req.timestamp, ctx.receivedAt);
  const r = await ctx.writer.run('startTransaction', {
    chargePointId: ctx.chargePointId,
    connectorId: req.connectorId,
    idTag: req.idTag,
    meterStart: req.meterStart,
    timestamp,
    reservationId: req.reservationId ?? null,
    receivedAt: ctx.receivedAt,
  });
  if (!r.duplicate) {
    ctx.events.emit('transaction.started', {
      chargePointId: ctx.chargePointId,
      connectorId: req.connectorId,
      transactionId: r.transactionId,
      idTag: req.idTag,
      meterStart: req.meterStart,
      timestamp,
      ...(req.reservationId !== undefined && { reservationId: req.reservationId }),
    });
  }
  return { transactionId: r.transactionId, idTagInfo: r.idTagInfo };
};
