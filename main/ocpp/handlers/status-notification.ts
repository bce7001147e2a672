import type { Handler } from '../context.js';

export const statusNotification: Handler<'StatusNotification'> = async (ctx, req) => {
  const statusAt = req.timestamp ?? ctx.receivedAt;
  await ctx.writer.runLazy('status', {
    chargePointId: ctx.chargePointId,
    connectorId: req.connectorId,
    status: req.status,
    errorCode: req.errorCode,
    info: req.info,
    vendorId: req.vendorId,
    vendorErrorCode: req.vendorErrorCode,
    statusAt,
    receivedAt: ctx.receivedAt,
    keepHistory: ctx.config.statusHistoryMaxRows,
  });
  ctx.events.emit('connector.status', {
    chargePointId: ctx.chargePointId,
    connectorId: req.connectorId,
    status: req.status,
    errorCode: req.errorCode,
    ...(req.info !== undefined && { info: req.info }),
    ...(req.vendorErrorCode !== undefined && { vendorErrorCode: req.vendorErrorCode }),
    timestamp: statusAt,
  });
  return {};
};
