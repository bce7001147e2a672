import { insertJob, updateLatestJob } from '../../store/queries/maintenance.js';
import { nowIso, type CommandEffect } from './types.js';

/** Firmware updates and diagnostics uploads: the request, then progress from status notifications. */
export const updateFirmware: CommandEffect<'UpdateFirmware'> = {
  after(d, cp, req) {
    return { jobId: insertJob(d.db, { chargePointId: cp, kind: 'firmware', location: req.location, fileName: null, status: 'Requested', at: nowIso() }) };
  },
  subscribe(d) {
    const offs = [
      d.events.on('charger.firmware', (e) => updateLatestJob(d.db, e.chargePointId, 'firmware', e.status, nowIso())),
      d.events.on('charger.diagnostics', (e) => updateLatestJob(d.db, e.chargePointId, 'diagnostics', e.status, nowIso())),
    ];
    return () => offs.forEach((off) => off());
  },
};

export const getDiagnostics: CommandEffect<'GetDiagnostics'> = {
  after(d, cp, req, res) {
    const fileName = res.fileName ?? null;
    const jobId = insertJob(d.db, { chargePointId: cp, kind: 'diagnostics', location: req.location, fileName, status: fileName ? 'Requested' : 'NoDiagnostics', at: nowIso() });
    return { jobId };
  },
};
