import { setAvailability, settleScheduledAvailability } from '../../store/queries/availability.js';
import { nowIso, type CommandEffect } from './types.js';

/** Scheduled changes are tracked until the charger's status shows they took effect. */
export const changeAvailability: CommandEffect<'ChangeAvailability'> = {
  after(d, cp, req, res) {
    if (res.status === 'Rejected') return;
    setAvailability(d.db, cp, req.connectorId, req.type, res.status === 'Scheduled' ? 'Scheduled' : 'Effective', nowIso());
  },
  subscribe(d) {
    return d.events.on('connector.status', (s) => {
      try {
        settleScheduledAvailability(d.db, s.chargePointId, s.connectorId, s.status, nowIso());
      } catch (err) {
        d.log.error({ err, cp: s.chargePointId }, 'could not settle scheduled availability');
      }
    });
  },
};
