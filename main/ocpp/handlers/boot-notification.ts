import type { Handler } from '../context.js';

/**
 * Accepted: `interval` is the heartbeat interval. Pending/Rejected: it is the wait before the
 * next boot attempt. The registry decides which (operators can approve Pending chargers).
 */
export const bootNotification: Handler<'BootNotification'> = async (ctx, req) => {
  // The status is decided inside the write (see ops.boot), after this charger's earlier writes.
  const { status } = await ctx.writer.runLazy('boot', {
    chargePointId: ctx.chargePointId,
    vendor: req.chargePointVendor,
    model: req.chargePointModel,
    serialNumber: req.chargePointSerialNumber,
    chargeBoxSerialNumber: req.chargeBoxSerialNumber,
    firmwareVersion: req.firmwareVersion,
    iccid: req.iccid,
    imsi: req.imsi,
    meterType: req.meterType,
    meterSerialNumber: req.meterSerialNumber,
    at: ctx.receivedAt,
  });
  ctx.conn.bootState = status;
  ctx.events.emit('charger.booted', { chargePointId: ctx.chargePointId, status, vendor: req.chargePointVendor, model: req.chargePointModel, at: ctx.receivedAt });
  return {
    status,
    currentTime: new Date().toISOString(),
    interval: status === 'Accepted' ? ctx.config.heartbeatIntervalSec : ctx.config.bootRetryIntervalSec,
  };
};
