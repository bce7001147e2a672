import type { Handler } from '../context.js';
import { emitMeterValues } from '../domain/meter-events.js';
import { toSamples } from '../meter.js';

export const meterValues: Handler<'MeterValues'> = async (ctx, req) => {
  const transactionId = req.transactionId ?? null;
  const samples = toSamples(ctx.chargePointId, req.connectorId, transactionId, req.meterValue, 'MeterValues', ctx.receivedAt);
  const r = await ctx.writer.run('meterValues', { chargePointId: ctx.chargePointId, samples, transactionId });
  emitMeterValues(ctx, req.connectorId, req.transactionId, samples, r.energyWh);
  return {};
};
