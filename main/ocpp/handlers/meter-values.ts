import type { Handler } from '../context.js';

export const meterValues: Handler<'MeterValues'> = async (ctx, req) => {
  const transactionId = req.transactionId ?? null;
  const r = await ctx.writer.run('meterValues', { chargePointId: ctx.chargePointId, connectorId: req.connectorId, transactionId, meterValue: req.meterValue, receivedAt: ctx.receivedAt });
  ctx.events.emit('meter.values', {
    chargePointId: ctx.chargePointId,
    connectorId: req.connectorId,
    ...(req.transactionId !== undefined && { transactionId: req.transactionId }),
    samples: r.samples,
    ...(r.energyWh !== null && { energyWh: r.energyWh }),
    ...withDefined('currentA', r.currentA),
    ...withDefined('powerW', r.powerW),
  });
  return {};
};

const withDefined = <K extends string>(key: K, value: number | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, number>));
