import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';

/**
 * A charger (SAP's e-mobility simulator does this) that sends its status notifications for a
 * GetDiagnostics / UpdateFirmware before it answers the command itself.
 */
async function notifyBeforeAnswering(app: TestApp, id: string, command: string, action: string, body: unknown, notification: string, statuses: string[], answer: unknown) {
  const cp = await TestCharger.connect(`${app.wsBase}/ocpp/${id}`);
  try {
    await boot(cp);
    cp.onCall = () => undefined; // answered by hand below
    const callArrived = cp.next((f) => f[0] === 2 && f[2] === action);
    const rest = app.api(`/api/admin/${id}/${command}`, { method: 'POST', json: body });
    const call = await callArrived;
    for (const status of statuses) await cp.call(notification, { status });
    cp.sendRaw(JSON.stringify([3, call[1], answer]));
    const r = await rest;
    assert.equal(r.status, 200);
    const { jobId } = (await r.json()) as { jobId: number };
    const detail = (await (await app.api(`/api/charger/${id}`)).json()) as { maintenanceJobs: Array<{ id: number; status: string; fileName: string | null }> };
    return { job: detail.maintenanceJobs.find((j) => j.id === jobId)!, jobs: detail.maintenanceJobs };
  } finally {
    await cp.close();
  }
}

test('issue 8: diagnostics status notifications that arrive before the GetDiagnostics answer update that job (UploadFailed stays UploadFailed, not NoDiagnostics)', async () => {
  const app = await startTestApp();
  try {
    const location = 'ftp://127.0.0.1/diag';
    const failed = await notifyBeforeAnswering(app, 'DIAG-EARLY', 'get-diagnostics', 'GetDiagnostics', { location }, 'DiagnosticsStatusNotification', ['Uploading', 'UploadFailed'], {});
    assert.equal(failed.job.status, 'UploadFailed');
    assert.equal(failed.jobs.length, 1, 'one job');
    const uploaded = await notifyBeforeAnswering(app, 'DIAG-EARLY', 'get-diagnostics', 'GetDiagnostics', { location }, 'DiagnosticsStatusNotification', ['Uploading', 'Uploaded'], {
      fileName: 'diag.zip',
    });
    assert.equal(uploaded.job.status, 'Uploaded');
    assert.equal(uploaded.job.fileName, 'diag.zip');
    assert.equal(uploaded.jobs.find((j) => j.id === failed.job.id)!.status, 'UploadFailed', 'the earlier job is left as it ended');
  } finally {
    await app.dispose();
  }
});

test('issue 8: firmware status notifications that arrive before the UpdateFirmware answer update that job', async () => {
  const app = await startTestApp();
  try {
    const { job } = await notifyBeforeAnswering(
      app,
      'FW-EARLY',
      'update-firmware',
      'UpdateFirmware',
      { location: 'http://127.0.0.1/fw.bin', retrieveDate: new Date().toISOString() },
      'FirmwareStatusNotification',
      ['Downloading', 'Downloaded'],
      {},
    );
    assert.equal(job.status, 'Downloaded');
  } finally {
    await app.dispose();
  }
});

test('issue 8: a GetDiagnostics the charger refuses with a CALLERROR leaves its job Failed, not Requested', async () => {
  const app = await startTestApp();
  const cp = await TestCharger.connect(`${app.wsBase}/ocpp/DIAG-FAIL`);
  try {
    await boot(cp);
    cp.onCall = () => undefined;
    const callArrived = cp.next((f) => f[0] === 2 && f[2] === 'GetDiagnostics');
    const rest = app.api('/api/admin/DIAG-FAIL/get-diagnostics', { method: 'POST', json: { location: 'ftp://127.0.0.1/d' } });
    cp.sendRaw(JSON.stringify([4, (await callArrived)[1], 'NotSupported', 'no diagnostics here', {}]));
    assert.equal((await rest).status, 502);
    const detail = (await (await app.api('/api/charger/DIAG-FAIL')).json()) as { maintenanceJobs: Array<{ status: string }> };
    assert.deepEqual(
      detail.maintenanceJobs.map((j) => j.status),
      ['Failed'],
    );
  } finally {
    await cp.close();
    await app.dispose();
  }
});
