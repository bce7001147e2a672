import type { Handler } from '../context.js';

export const diagnosticsStatusNotification: Handler<'DiagnosticsStatusNotification'> = async (ctx, req) => {
  await ctx.writer.runLazy('diagnosticsStatus', { chargePointId: ctx.chargePointId, status: req.status, at: ctx.receivedAt });
  ctx.events.emit('charger.diagnostics', { chargePointId: ctx.chargePointId, status: req.status });
  return {};
};
