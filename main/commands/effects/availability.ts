import { type CommandEffect, nowIso } from './types.js';

/** Scheduled changes are tracked until the charger's status shows they took effect. */
export const changeAvailability: CommandEffect<'ChangeAvailability'> = {
  async after(d, cp, req, res) {
    if (res.status === 'Rejected') return;
    await d.writer.run('recordAvailability', { chargePointId: cp, connectorId: req.connectorId, requested: req.type, state: res.status === 'Scheduled' ? 'Scheduled' : 'Effective', at: nowIso() });
  },
  subscribe(d) {
    return d.events.on('connector.status', (s) => {
      d.writer.run('settleAvailability', { chargePointId: s.chargePointId, connectorId: s.connectorId, status: s.status, at: nowIso() }).catch((err: unknown) => {
        d.log.error({ err, cp: s.chargePointId }, 'could not settle scheduled availability');
      });
    });
  },
};
