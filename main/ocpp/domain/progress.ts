import type { HandlerContext } from '../context.js';

/** A firmware update's progress, whichever version reported it. */
export async function reportFirmwareStatus(ctx: HandlerContext, status: string): Promise<Record<string, never>> {
  await ctx.writer.runLazy('firmwareStatus', { chargePointId: ctx.chargePointId, status, at: ctx.receivedAt });
  ctx.events.emit('charger.firmware', { chargePointId: ctx.chargePointId, status });
  return {};
}

/** A diagnostics (1.6) or log (2.0.1 GetLog) upload's progress: the same charger fields and event. */
export async function reportDiagnosticsStatus(ctx: HandlerContext, status: string): Promise<Record<string, never>> {
  await ctx.writer.runLazy('diagnosticsStatus', { chargePointId: ctx.chargePointId, status, at: ctx.receivedAt });
  ctx.events.emit('charger.diagnostics', { chargePointId: ctx.chargePointId, status });
  return {};
}
