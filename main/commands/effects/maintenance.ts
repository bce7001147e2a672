import type { GetDiagnosticsRequest, UpdateFirmwareRequest } from '../../ocpp/schema/ocpp16.js';
import type { MaintenanceKind } from '../../store/queries/maintenance.js';
import type { CommandError } from '../errors.js';
import { type CommandEffect, type EffectDeps, nowIso } from './types.js';

/** Job ids by the request object of one execution (prepare/after/failed all receive it). */
const jobs = new WeakMap<object, number>();

/**
 * The job is recorded before the call goes out: chargers (SAP's simulator is one) send their
 * first status notification before answering the command, and that notification must find
 * this job, not the previous one, nor nothing.
 */
async function openJob<R extends GetDiagnosticsRequest | UpdateFirmwareRequest>(d: EffectDeps, cp: string, kind: MaintenanceKind, payload: R): Promise<R> {
  const request = { ...payload };
  jobs.set(request, await d.writer.run('openJob', { chargePointId: cp, kind, location: payload.location, fileName: null, status: 'Requested', at: nowIso() }));
  return request;
}

/** Refused before sending: the job did not happen. Otherwise Failed, unless the charger already reported progress. */
async function failJob(d: EffectDeps, request: object | undefined, err: CommandError): Promise<void> {
  const id = request && jobs.get(request);
  if (id === undefined) return;
  jobs.delete(request!);
  if (err.kind === 'invalid' || err.kind === 'busy') await d.writer.run('dropJob', { id });
  else await d.writer.run('jobAnswered', { id, statusIfRequested: 'Failed', at: nowIso() });
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
    const progress = (kind: MaintenanceKind) => (e: { chargePointId: string; status: string }) =>
      void d.writer.run('jobProgress', { chargePointId: e.chargePointId, kind, status: e.status, at: nowIso() }).catch((err: unknown) => {
        d.log.error({ err, cp: e.chargePointId, kind }, 'could not record maintenance job progress');
      });
    const offs = [d.events.on('charger.firmware', progress('firmware')), d.events.on('charger.diagnostics', progress('diagnostics'))];
    return () => {
      for (const off of offs) off();
    };
  },
};

export const getDiagnostics: CommandEffect<'GetDiagnostics'> = {
  prepare: (d, cp, payload) => openJob(d, cp, 'diagnostics', payload),
  async after(d, _cp, req, res) {
    const jobId = jobs.get(req)!;
    jobs.delete(req);
    const fileName = res.fileName ?? null;
    // No file name: nothing to upload, unless the charger's notifications already said otherwise.
    await d.writer.run('jobAnswered', { id: jobId, fileName, statusIfRequested: fileName ? 'Requested' : 'NoDiagnostics', at: nowIso() });
    return { jobId };
  },
  failed: (d, _cp, req, err) => failJob(d, req, err),
};
