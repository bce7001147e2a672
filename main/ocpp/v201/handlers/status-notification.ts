import { chargerInstant } from '../../../store/instant.js';
import type { Handler } from '../context.js';

/**
 * A connector's status within its EVSE. Unlike 1.6 it closes no session: a 2.0.1 transaction
 * ends only by its Ended event, which may come after this from the station's queue.
 */
export const statusNotification: Handler<'StatusNotification'> = async (ctx, req) => {
  const statusAt = chargerInstant(req.timestamp, ctx.receivedAt);
  const evseState = await ctx.writer.runLazy('evseStatus', {
    chargePointId: ctx.chargePointId,
    evseId: req.evseId,
    connectorId: req.connectorId,
    status: req.connectorStatus,
    statusAt,
    receivedAt: ctx.receivedAt,
    keepHistory: ctx.config.statusHistoryMaxRows,
  });
  if (evseState !== null) {
    ctx.events.emit('connector.status', {
      chargePointId: ctx.chargePointId,
      connectorId: req.evseId,
      status: evseState,
      errorCode: evseState === 'Faulted' ? 'OtherError' : 'NoError',
      timestamp: statusAt,
    });
  }
  return {};
};
