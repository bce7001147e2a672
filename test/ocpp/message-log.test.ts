import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectBooted, cpid, rows, waitFor, withApp } from './support.js';

test('message log: every inbound and outbound frame of a charger is written, in order, with direction and time', async () => {
  await withApp({ messageLogMaxRows: 1000 }, async (app) => {
    const id = cpid('LOG');
    const cp = await connectBooted(app, id);
    await cp.call('Heartbeat', {}, 'hb-1');
    cp.onCall = () => ({ status: 'Accepted' });
    await app.ocpp.call(id, 'ClearCache', {});
    app.ocpp['frameLog'].flush(); // what the 1 s log timer does
    const log = await waitFor(() => {
      const r = rows(app, 'SELECT direction, frame, at FROM message_log WHERE charge_point_id = ? ORDER BY id', id);
      return r.length >= 6 ? r : undefined;
    }, 'log rows');
    const summary = log.map((r) => {
      const f = JSON.parse(r.frame);
      return `${r.direction} ${f[0]} ${f[0] === 2 ? f[2] : ''}`.trim();
    });
    assert.deepEqual(summary, ['in 2 BootNotification', 'out 3', 'in 2 Heartbeat', 'out 3', 'out 2 ClearCache', 'in 3']);
    assert.deepEqual(JSON.parse(log[2]!.frame), [2, 'hb-1', 'Heartbeat', {}], 'the frame as it was on the wire');
    for (const r of log) assert.ok(Date.now() - Date.parse(r.at) < 10_000);
    await cp.close();
  });
});

test('message log: frames that fail are logged too (a CALLERROR and the bad frame that caused it)', async () => {
  await withApp({ messageLogMaxRows: 1000 }, async (app) => {
    const id = cpid('LOG');
    const cp = await connectBooted(app, id);
    await cp.callRaw('NoSuchAction', {}, 'bad-1');
    app.ocpp['frameLog'].flush();
    const log = await waitFor(() => {
      const r = rows(app, `SELECT direction, frame FROM message_log WHERE charge_point_id = ? AND frame LIKE '%bad-1%' ORDER BY id`, id);
      return r.length >= 2 ? r : undefined;
    }, 'log rows');
    assert.equal(log[0]!.direction, 'in');
    assert.equal(log[1]!.direction, 'out');
    assert.equal(JSON.parse(log[1]!.frame)[2], 'NotImplemented');
    await cp.close();
  });
});

test('message log: bounded by messageLogMaxRows, the oldest frames rotated out first', async () => {
  await withApp({ messageLogMaxRows: 10 }, async (app) => {
    const id = cpid('LOG');
    const cp = await connectBooted(app, id);
    for (let i = 0; i < 30; i++) {
      await cp.call('Heartbeat', {}, `n${i}`);
      if (i % 7 === 0) app.ocpp['frameLog'].flush();
    }
    app.ocpp['frameLog'].flush();
    const log = await waitFor(() => {
      const r = rows(app, 'SELECT frame FROM message_log ORDER BY id');
      return r.length > 0 && r.some((x) => x.frame.includes('"n29"')) ? r : undefined;
    }, 'last frames');
    assert.equal(log.length, 10, 'exactly messageLogMaxRows kept');
    const ids = log.map((r) => JSON.parse(r.frame)[1]);
    assert.deepEqual(ids, ['n25', 'n25', 'n26', 'n26', 'n27', 'n27', 'n28', 'n28', 'n29', 'n29'], 'the newest ones');
    await cp.close();
  });
});

test('message log: messageLogMaxRows = 0 turns the log off', async () => {
  await withApp({ messageLogMaxRows: 0 }, async (app) => {
    const cp = await connectBooted(app, cpid('NOLOG'));
    await cp.call('Heartbeat', {});
    app.ocpp['frameLog'].flush();
    // Whatever the flush queued has been committed.
    await waitFor(() => app.writer.backlog === 0, 'the writer to be idle');
    assert.equal(rows(app, 'SELECT count(*) AS n FROM message_log')[0]!.n, 0);
    await cp.close();
  });
});

test('message log: frames still buffered are written when the service stops', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { startTestApp } = await import('./support.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'ocpp-edge-log-'));
  try {
    const id = cpid('LOG');
    let app = await startTestApp({ dataDir, messageLogMaxRows: 100 });
    const cp = await connectBooted(app, id);
    await cp.call('Heartbeat', {}, 'last-words');
    const closed = cp.closed();
    await app.dispose();
    await closed;
    app = await startTestApp({ dataDir });
    try {
      assert.equal(rows(app, `SELECT count(*) AS n FROM message_log WHERE frame LIKE '%last-words%'`)[0]!.n, 2);
    } finally {
      await app.dispose();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
