import { chargerInstant } from '../../../store/instant.js';
import type { Handler } from '../context.js';

/** Kept with the station's events and logged: a security event is worth an operator's look. */
export const securityEventNotification: Handler<'SecurityEventNotification'> = async (ctx, req) => {
  const at = chargerInstant(req.timestamp, ctx.receivedAt);
  ctx.log.warn({ cp: ctx.chargePointId, type: req.type, techInfo: req.techInfo }, 'station security event');
  await ctx.writer.runLazy('chargerEvents', { chargePointId: ctx.chargePointId, events: [{ kind: 'security', type: req.type, detail: req.techInfo ?? null, at }], receivedAt: ctx.receivedAt });
  return {};
};
