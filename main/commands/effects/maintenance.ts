import type { GetDiagnosticsRequest, UpdateFirmwareRequest } from '../../ocpp/schema/ocpp16.js';
import { deleteJob, insertJob, recordJobAnswer, updateLatestJob, type MaintenanceKind } from '../../store/queries/maintenance.js';
import type { CommandError } from '../errors.js';
import { nowIso, type CommandEffect, type EffectDeps } from './types.js';

/** Job ids by the request object of one execution (prepare/after/failed all receive it). */
const jobs = new WeakMap<object, number>();

/**
 * The job is recorded before the call goes out: chargers (SAP's simulator is one) send their
 * first status notification before answering the command, and that notification must find
 * this job, not the previous one, nor nothing.
 */
function openJob<R extends GetDiagnosticsRequest | UpdateFirmwareRequest>(d: EffectDeps, cp: string, kind: MaintenanceKind, payload: R): R {
  const request = { ...payload };
  jobs.set(request, insertJob(d.db, { chargePointId: cp, kind, location: payload.location, fileName: null, status: 'Requested', at: nowIso() }));
  return request;
}

/** Refused before sending: the job did not happen. Otherwise Failed, unless the charger already reported progress. */
function failJob(d: EffectDeps, request: object | undefined, err: CommandError): void {
  const id = request && jobs.get(request);
  if (id === undefined) return;
  jobs.delete(request!);
  if (err.kind === 'invalid' || err.kind === 'busy') deleteJob(d.db, id);
  else recordJobAnswer(d.db, id, { statusIfRequested: 'Failed', at: nowIso() });
}

/** Firmware updates and diagnostics uploads: the request, then progress from status notifications. */
export const updateFirmware: CommandEffect<'UpdateFirmware'> = {
  prepare: (d, cp, payload) => openJob(d, cp, 'firmware', payload),
  after(_d, _cp, req) {
    const jobId = jobs.get(req);
    jobs.delete(req);
    return { jobId };
  },
  failed: (d, _cp, req, err) => failJob(d, req, err),
  subscribe(d) {
    const offs = [
      d.events.on('charger.firmware', (e) => updateLatestJob(d.db, e.chargePointId, 'firmware', e.status, nowIso())),
      d.events.on('charger.diagnostics', (e) => updateLatestJob(d.db, e.chargePointId, 'diagnostics', e.status, nowIso())),
    ];
    return () => offs.forEach((off) => off());
  },
};

export const getDiagnostics: CommandEffect<'GetDiagnostics'> = {
  prepare: (d, cp, payload) => openJob(d, cp, 'diagnostics', payload),
  after(d, _cp, req, res) {
    const jobId = jobs.get(req)!;
    jobs.delete(req);
    const fileName = res.fileName ?? null;
    // No file name: nothing to upload, unless the charger's notifications already said otherwise.
    recordJobAnswer(d.db, jobId, { fileName, statusIfRequested: fileName ? 'Requested' : 'NoDiagnostics', at: nowIso() });
    return { jobId };
  },
  failed: (d, _cp, req, err) => failJob(d, req, err),
};
