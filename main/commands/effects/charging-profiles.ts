import { type CommandEffect, nowIso } from './types.js';

export const setChargingProfile: CommandEffect<'SetChargingProfile'> = {
  async after(d, cp, req, res) {
    if (res.status !== 'Accepted') return;
    const p = req.csChargingProfiles;
    await d.writer.run('saveChargingProfile', {
      chargePointId: cp,
      connectorId: req.connectorId,
      profileId: p.chargingProfileId,
      purpose: p.chargingProfilePurpose,
      stackLevel: p.stackLevel,
      profile: p,
      at: nowIso(),
    });
  },
};

export const clearChargingProfile: CommandEffect<'ClearChargingProfile'> = {
  async after(d, cp, req, res) {
    if (res.status !== 'Accepted') return;
    const removed = await d.writer.run('removeChargingProfiles', {
      chargePointId: cp,
      criteria: {
        ...(req.id !== undefined && { id: req.id }),
        ...(req.connectorId !== undefined && { connectorId: req.connectorId }),
        ...(req.chargingProfilePurpose !== undefined && { purpose: req.chargingProfilePurpose }),
        ...(req.stackLevel !== undefined && { stackLevel: req.stackLevel }),
      },
    });
    return { profilesRemoved: removed };
  },
};
