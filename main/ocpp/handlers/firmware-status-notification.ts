import type { Handler } from '../context.js';

export const firmwareStatusNotification: Handler<'FirmwareStatusNotification'> = async (ctx, req) => {
  await ctx.writer.runLazy('firmwareStatus', { chargePointId: ctx.chargePointId, status: req.status, at: ctx.receivedAt });
  ctx.events.emit('charger.firmware', { chargePointId: ctx.chargePointId, status: req.status });
  return {};
};
