import { emitMeterValues, summariseSamples } from '../../domain/meter-events.js';
import type { Handler } from '../context.js';
import { toSamples201 } from '../meter.js';

/** Readings outside a transaction (those of a transaction ride in its TransactionEvents); evseId 0 is the station's main meter. */
export const meterValues: Handler<'MeterValues'> = async (ctx, req) => {
  const samples = toSamples201(ctx.chargePointId, req.evseId, null, req.meterValue, 'MeterValues', ctx.receivedAt);
  await ctx.writer.run('meterSamples', { chargePointId: ctx.chargePointId, samples, transactionId: null });
  emitMeterValues(ctx, req.evseId, undefined, summariseSamples(samples, null));
  return {};
};
