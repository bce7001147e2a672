import { chargerInstant } from '../../../store/instant.js';
import type { Handler } from '../context.js';

/** Monitored variables' events, kept per station (the device model's changes, alerts, faults). */
export const notifyEvent: Handler<'NotifyEvent'> = async (ctx, req) => {
  const events = req.eventData.map((e) => ({
    kind: 'event' as const,
    type: `${e.component.name}${e.component.evse ? `[${e.component.evse.id}]` : ''}.${e.variable.name}`,
    detail: JSON.stringify({
      trigger: e.trigger,
      actualValue: e.actualValue,
      eventNotificationType: e.eventNotificationType,
      ...(e.techInfo && { techInfo: e.techInfo }),
      ...(e.cleared && { cleared: true }),
    }),
    at: chargerInstant(e.timestamp, ctx.receivedAt),
  }));
  await ctx.writer.runLazy('chargerEvents', { chargePointId: ctx.chargePointId, events, receivedAt: ctx.receivedAt });
  return {};
};
