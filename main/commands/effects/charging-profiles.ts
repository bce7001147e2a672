import { clearChargingProfiles, saveChargingProfile } from '../../store/queries/charging-profiles.js';
import { nowIso, type CommandEffect } from './types.js';

export const setChargingProfile: CommandEffect<'SetChargingProfile'> = {
  after(d, cp, req, res) {
    if (res.status !== 'Accepted') return;
    const p = req.csChargingProfiles;
    saveChargingProfile(d.db, { chargePointId: cp, connectorId: req.connectorId, profileId: p.chargingProfileId, purpose: p.chargingProfilePurpose, stackLevel: p.stackLevel, profile: p, at: nowIso() });
  },
};

export const clearChargingProfile: CommandEffect<'ClearChargingProfile'> = {
  after(d, cp, req, res) {
    if (res.status !== 'Accepted') return;
    const removed = clearChargingProfiles(d.db, cp, {
      ...(req.id !== undefined && { id: req.id }),
      ...(req.connectorId !== undefined && { connectorId: req.connectorId }),
      ...(req.chargingProfilePurpose !== undefined && { purpose: req.chargingProfilePurpose }),
      ...(req.stackLevel !== undefined && { stackLevel: req.stackLevel }),
    });
    return { profilesRemoved: removed };
  },
};
