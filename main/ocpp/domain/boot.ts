import type { HandlerContext } from '../context.js';

/** What a boot tells us of a charger, whichever version reported it. */
export interface BootInfo {
  vendor: string;
  model: string;
  serialNumber?: string | undefined;
  chargeBoxSerialNumber?: string | undefined;
  firmwareVersion?: string | undefined;
  iccid?: string | undefined;
  imsi?: string | undefined;
  meterType?: string | undefined;
  meterSerialNumber?: string | undefined;
}

/**
 * Records a boot and decides its status. Accepted: `interval` is the heartbeat interval.
 * Pending/Rejected: it is the wait before the next boot attempt. The registry decides which
 * (operators can approve Pending chargers); the decision is made inside the write (ops.boot),
 * after this charger's earlier writes.
 */
export async function acceptBoot(ctx: HandlerContext, boot: BootInfo): Promise<{ status: 'Accepted' | 'Pending' | 'Rejected'; currentTime: string; interval: number }> {
  const { status } = await ctx.writer.runLazy('boot', { chargePointId: ctx.chargePointId, ...boot, at: ctx.receivedAt });
  ctx.conn.bootState = status;
  ctx.events.emit('charger.booted', { chargePointId: ctx.chargePointId, status, vendor: boot.vendor, model: boot.model, at: ctx.receivedAt });
  return {
    status,
    currentTime: new Date().toISOString(),
    interval: status === 'Accepted' ? ctx.config.heartbeatIntervalSec : ctx.config.bootRetryIntervalSec,
  };
}
