import { authorizeForCharger } from '../../auth/authorize.js';
import type { Handler } from '../context.js';
import { toSamples } from '../meter.js';

/**
 * Always acknowledged. A retried stop is counted once; an unknown transaction id (-1, lost,
 * from before a restart) is stored for review instead of being refused.
 */
export const stopTransaction: Handler<'StopTransaction'> = async (ctx, req) => {
  const r = await ctx.writer.run('stopTransaction', {
    chargePointId: ctx.chargePointId,
    transactionId: req.transactionId,
    idTag: req.idTag ?? null,
    meterStop: req.meterStop,
    timestamp: req.timestamp,
    reason: req.reason ?? null,
    // connectorId is filled in from the stored transaction.
    samples: toSamples(ctx.chargePointId, 0, req.transactionId, req.transactionData ?? [], 'StopTransaction'),
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
      ...(req.reason !== undefined && { reason: req.reason }),
      timestamp: req.timestamp,
    });
  }
  return req.idTag === undefined ? {} : { idTagInfo: authorizeForCharger(ctx.db, ctx.chargePointId, req.idTag) };
};
