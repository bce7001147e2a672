import { chargerInstant } from '../../store/instant.js';
import type { Handler } from '../context.js';

/** Records the state; a connector now free closes its sessions whose stop never came (see ops.status). */
export const statusNotification: Handler<'StatusNotification'> = async (ctx, req) => {
  const statusAt = chargerInstant(req.timestamp, ctx.receivedAt);
  const inferred = await ctx.writer.runLazy('status', {
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
  for (const s of inferred) {
    ctx.log.info({ cp: ctx.chargePointId, connectorId: req.connectorId, transactionId: s.transactionId, status: req.status }, 'session closed as stop-inferred: its connector reports no transaction');
    ctx.events.emit('transaction.stopped', { chargePointId: ctx.chargePointId, transactionId: s.transactionId, meterStop: s.meterStop, energyWh: s.energyWh, reason: 'Other', timestamp: statusAt });
  }
  return {};
};
