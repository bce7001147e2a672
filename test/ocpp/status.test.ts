import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect, connectBooted, cpid, iso, quietWindow, row, rows, startTestApp, type TestApp, waitFor, withApp } from './support.js';

const connectorsOf = (app: TestApp, id: string) =>
  rows(app, 'SELECT connector_id, status, error_code, info, vendor_id, vendor_error_code, status_at FROM connectors WHERE charge_point_id = ? ORDER BY connector_id', id);

describe('StatusNotification', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.dispose());

  test('OCPP 1.6 StatusNotification: connectorId 0 is the charger as a whole, connectorId n each connector; both are stored', async () => {
    const id = cpid('ST');
    const cp = await connectBooted(app, id);
    await cp.call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' });
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
    await cp.call('StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Available' });
    assert.deepEqual(
      connectorsOf(app, id).map((c) => [c.connector_id, c.status]),
      [
        [0, 'Available'],
        [1, 'Preparing'],
        [2, 'Available'],
      ],
    );
    await cp.close();
  });

  test('errorCode, info, vendorId and vendorErrorCode are stored with the status and its timestamp', async () => {
    const id = cpid('ST');
    const cp = await connectBooted(app, id);
    const ts = iso(Date.now() - 5000);
    await cp.call('StatusNotification', {
      connectorId: 1,
      errorCode: 'GroundFailure',
      status: 'Faulted',
      info: 'RCD tripped',
      vendorId: 'com.siemens',
      vendorErrorCode: 'E-0815',
      timestamp: ts,
    });
    assert.deepEqual(
      { ...connectorsOf(app, id)[0] },
      {
        connector_id: 1,
        status: 'Faulted',
        error_code: 'GroundFailure',
        info: 'RCD tripped',
        vendor_id: 'com.siemens',
        vendor_error_code: 'E-0815',
        status_at: ts,
      },
    );
    // without a timestamp the arrival time is used
    const t0 = Date.now();
    await cp.call('StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Available' });
    const at = Date.parse(connectorsOf(app, id)[1]!.status_at);
    assert.ok(at >= t0 - 1000 && at <= Date.now() + 1000);
    await cp.close();
  });

  test('the current state per connector is the latest report; every report is kept in the history, in order', async () => {
    const id = cpid('ST');
    const cp = await connectBooted(app, id);
    const seq = ['Available', 'Preparing', 'Charging', 'SuspendedEV', 'Charging', 'Finishing', 'Available'];
    for (const status of seq) await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status });
    assert.equal(connectorsOf(app, id).length, 1);
    assert.equal(connectorsOf(app, id)[0]!.status, 'Available');
    const hist = rows(app, 'SELECT status FROM status_history WHERE charge_point_id = ? AND connector_id = 1 ORDER BY id', id).map((r) => r.status);
    assert.deepEqual(hist, seq);
    await cp.close();
  });

  test('a disconnect marks every connector of the charger Unavailable (no stale Charging), and the charger offline', async () => {
    const id = cpid('ST');
    const cp = await connectBooted(app, id);
    await cp.call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' });
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    await cp.call('StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'SuspendedEVSE' });
    cp.ws.terminate(); // the charger drops off without a close handshake
    await waitFor(() => row(app, 'SELECT is_connected FROM chargers WHERE charge_point_id = ?', id)?.is_connected === 0, 'charger offline');
    const after = await waitFor(() => {
      const c = connectorsOf(app, id);
      return c.every((x) => x.status === 'Unavailable') ? c : undefined;
    }, 'connectors Unavailable');
    assert.equal(after.length, 3);
    assert.ok(!after.some((c) => c.status === 'Charging'));
    // the history keeps what was really reported
    assert.equal(row(app, 'SELECT status FROM status_history WHERE charge_point_id = ? AND connector_id = 1 ORDER BY id DESC', id)?.status, 'Charging');
    // After reconnecting the charger reports its current status again and that is shown.
    const again = await connect(app, id);
    await again.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    assert.equal(connectorsOf(app, id).find((c) => c.connector_id === 1)!.status, 'Charging');
    await again.close();
  });

  test('a status arriving from a new socket after a replaced one does not get overwritten by the old socket closing', async () => {
    const id = cpid('ST');
    const first = await connectBooted(app, id);
    await first.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    const firstClosed = first.closed();
    const second = await connect(app, id);
    await firstClosed;
    await second.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    await quietWindow(50); // a late write from the old socket's close must not overwrite it in this window
    assert.equal(connectorsOf(app, id)[0]!.status, 'Charging');
    await second.close();
  });
});

test('the status history is bounded by statusHistoryMaxRows (oldest rows go first)', async () => {
  await withApp({ statusHistoryMaxRows: 5 }, async (app) => {
    const id = cpid('HIST');
    const cp = await connectBooted(app, id);
    for (let i = 0; i < 12; i++) await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: i % 2 ? 'Charging' : 'SuspendedEV', info: `n${i}` });
    const hist = rows(app, 'SELECT info FROM status_history ORDER BY id').map((r) => r.info);
    assert.deepEqual(hist, ['n7', 'n8', 'n9', 'n10', 'n11']);
    assert.equal(connectorsOf(app, id)[0]!.info, 'n11', 'the current state is unaffected');
    await cp.close();
  });
});

test('after a restart no connector keeps a stale Charging: chargers start offline with their connectors Unavailable', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ocpp-edge-status-'));
  try {
    const id = cpid('RST');
    let app = await startTestApp({ dataDir });
    const cp = await connectBooted(app, id);
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    // The service goes down while the charger is still connected (as in a crash or shutdown).
    const closed = cp.closed();
    await app.dispose();
    await closed;
    app = await startTestApp({ dataDir });
    try {
      assert.equal(row(app, 'SELECT is_connected FROM chargers WHERE charge_point_id = ?', id)?.is_connected, 0);
      assert.equal(connectorsOf(app, id)[0]!.status, 'Unavailable');
    } finally {
      await app.dispose();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
