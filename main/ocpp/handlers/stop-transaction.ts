import { authorizeForCharger } from '../../auth/authorize.js';
import { chargerInstant } from '../../store/instant.js';
import type { Handler } from '../context.js';
import { toSamples } from '../meter.js';

/**
 * Always acknowledged. A retried stop is counted once; an unknown transaction id (-1, lost,
 * from before a restart) is stored for review instead of being refused. An omitted reason
 * means Local (OCPP 1.6 StopTransaction.req).
 */
export const stopTransaction: Handler<'StopTransaction'> = async (ctx, req) => {
  const timestamp = chargerInstant(req.timestamp, ctx.receivedAt);
  const reason = req.reason ?? 'Local';
  const r = await ctx.writer.run('stopTransaction', {
    chargePointId: ctx.chargePointId,
    transactionId: req.transactionId,
    idTag: req.idTag ?? null,
    meterStop: req.meterStop,
    timestamp,
    reason,
    // connectorId is filled in from the stored transaction.
    samples: toSamples(ctx.chargePointId, 0, req.transactionId, req.transactionData ?? [], 'StopTransaction', ctx.receivedAt),
    payload: JSON.stringify(req),
    receivedAt: ctx.receivedAt,
  });
  if (r.outcome === 'unknown') ctx.log.warn({ cp: ctx.chargePointId, transactionId: req.transactionId }, 'StopTransaction for unknown transaction kept for review');
  if (r.outcome === 'stopped') {
    ctx.events.emit('transaction.stopped', {
      chargePointId: ctx.chargePointId,
      transactionId: req.transactionId,
      meterStop: req.meterStop,
      energyWh: r.energyWh,
      reason,
      timestamp,
    });
  }
  return req.idTag === undefined ? {} : { idTagInfo: authorizeForCharger(ctx.db, ctx.chargePointId, req.idTag) };
};
