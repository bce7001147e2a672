import type { Handler } from '../context.js';
import { latestReading, toSamples } from '../meter.js';

export const meterValues: Handler<'MeterValues'> = async (ctx, req) => {
  const transactionId = req.transactionId ?? null;
  const samples = toSamples(ctx.chargePointId, req.connectorId, transactionId, req.meterValue, 'MeterValues', ctx.receivedAt);
  const r = await ctx.writer.run('meterValues', { chargePointId: ctx.chargePointId, samples, transactionId });
  ctx.events.emit('meter.values', {
    chargePointId: ctx.chargePointId,
    connectorId: req.connectorId,
    ...(req.transactionId !== undefined && { transactionId: req.transactionId }),
    samples: samples.length,
    ...(r.energyWh !== null && { energyWh: r.energyWh }),
    ...withDefined('currentA', latestReading(samples, 'Current.Import')),
    ...withDefined('powerW', latestReading(samples, 'Power.Active.Import')),
  });
  return {};
};

const withDefined = <K extends string>(key: K, value: number | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, number>));
