import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { boot, cpid, row, startTestApp, type TestApp, TestCharger, upgradeStatus } from './support.js';

describe('charger URL forms (seeds 000-003)', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.dispose());

  async function connectsAs(url: string, expectedId: string): Promise<void> {
    const cp = await TestCharger.connect(url);
    try {
      assert.equal(cp.ws.protocol, 'ocpp1.6');
      assert.equal((await boot(cp)).status, 'Accepted');
      assert.ok(app.ocpp.connectedIds.includes(expectedId), `${expectedId} is in the connection registry`);
      assert.equal(row(app, 'SELECT vendor FROM chargers WHERE charge_point_id = ?', expectedId)?.vendor, 'Siemens');
    } finally {
      await cp.close();
    }
  }

  test('seed 000/002: ws://HOST:PORT/ocpp/CPID identifies the charger by the last path segment', async () => {
    const id = cpid('JAAL34S021');
    await connectsAs(`${app.wsBase}/ocpp/${id}`, id);
  });

  test('seed 001: ws://HOST:PORT/CPID identifies the charger', async () => {
    const id = cpid('CP_001');
    await connectsAs(`${app.wsBase}/${id}`, id);
  });

  test('seed 003: ws://HOST:PORT/ocpp?chargePointId=CPID&version=1.6 identifies the charger', async () => {
    const id = cpid('CP001');
    await connectsAs(`${app.wsBase}/ocpp?chargePointId=${encodeURIComponent(id)}&version=1.6`, id);
  });

  test('a trailing slash after the CPID is tolerated', async () => {
    const id = cpid('TRAIL');
    await connectsAs(`${app.wsBase}/ocpp/${id}/`, id);
  });

  test('CPIDs are URL-decoded: /ocpp/CP%3A01%2DA is the charger "CP:01-A"', async () => {
    const id = `${cpid('CP')}:01-A`;
    await connectsAs(`${app.wsBase}/ocpp/${encodeURIComponent(id).replace(/-/g, '%2D')}`, id);
  });

  test('a CPID in the query string is URL-decoded too', async () => {
    const id = `${cpid('Q')}:7`;
    await connectsAs(`${app.wsBase}/ocpp?chargePointId=${encodeURIComponent(id)}`, id);
  });

  test('a CPID longer than 48 characters is refused at the upgrade with HTTP 400', async () => {
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/${'A'.repeat(49)}`), 400);
    // 48 is still fine
    const ok = await TestCharger.connect(`${app.wsBase}/ocpp/${'B'.repeat(48)}`);
    await ok.close();
  });

  test('a CPID with characters outside the allowed set (space, slash, non-ASCII, NUL) is refused with HTTP 400', async () => {
    for (const bad of ['CP%2001', 'CP%2F01', 'CP%C3%A901', 'CP%0001', 'CP%3C01%3E']) {
      assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/${bad}`), 400, bad);
    }
  });

  test('a CPID that is not valid percent-encoding is refused with HTTP 400', async () => {
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/CP%E0%A4%A`), 400);
  });

  test('an empty chargePointId query parameter is refused with HTTP 400', async () => {
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp?chargePointId=`), 400);
  });

  test('/ocpp without any CPID and deeper unknown paths are refused with HTTP 404', async () => {
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp`), 404);
    assert.equal(await upgradeStatus(`${app.wsBase}/foo/bar/CP1`), 404);
  });

  test('REST paths are reserved: an upgrade at /api is refused with HTTP 400, not taken as a charger', async () => {
    assert.equal(await upgradeStatus(`${app.wsBase}/api`), 400);
    assert.equal(await upgradeStatus(`${app.wsBase}/health`), 400);
    assert.equal(row(app, `SELECT count(*) AS n FROM chargers WHERE charge_point_id IN ('api','health')`)?.n, 0);
  });

  test('a version not spoken here (version=2.1) in the query string is refused with HTTP 400 (issue 14: 1.6 and 2.0.1 are served)', async () => {
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp?chargePointId=${cpid()}&version=2.1`), 400);
  });

  test('a refused upgrade registers nothing', async () => {
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/${'Z'.repeat(60)}`), 400);
    assert.equal(row(app, 'SELECT count(*) AS n FROM chargers WHERE charge_point_id LIKE ?', 'ZZZZ%')?.n, 0);
  });
});
