import type { Handler } from '../context.js';
import { emitMeterValues } from '../domain/meter-events.js';

export const meterValues: Handler<'MeterValues'> = async (ctx, req) => {
  const transactionId = req.transactionId ?? null;
  const r = await ctx.writer.run('meterValues', { chargePointId: ctx.chargePointId, connectorId: req.connectorId, transactionId, meterValue: req.meterValue, receivedAt: ctx.receivedAt });
  emitMeterValues(ctx, req.connectorId, req.transactionId, r);
  return {};
};
