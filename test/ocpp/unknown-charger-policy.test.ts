import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { insertCharger, updateCharger } from '../../main/store/queries/chargers.js';
import { boot, connect, cpid, row, upgradeStatus, waitFor, withApp } from './support.js';

test('unknownChargerPolicy=accept (default, seed 004 automatic registration): an unknown CPID is auto-registered and Accepted', async () => {
  await withApp({ heartbeatIntervalSec: 77 }, async (app) => {
    assert.equal(app.config.unknownChargerPolicy, 'accept');
    const id = cpid('AUTO');
    const cp = await connect(app, id);
    const b = await boot(cp);
    assert.equal(b.status, 'Accepted');
    assert.equal(b.interval, 77, 'Accepted: interval is the heartbeat interval');
    assert.ok(!Number.isNaN(Date.parse(b.currentTime)));
    const r = row(app, 'SELECT registration_status, auto_registered, boot_status FROM chargers WHERE charge_point_id = ?', id)!;
    assert.deepEqual({ ...r }, { registration_status: 'Accepted', auto_registered: 1, boot_status: 'Accepted' });
    await cp.close();
  });
});

test('unknownChargerPolicy=pending: an unknown CPID is auto-registered as Pending; BootNotification Pending with interval = bootRetryIntervalSec', async () => {
  await withApp({ unknownChargerPolicy: 'pending', bootRetryIntervalSec: 12, heartbeatIntervalSec: 300 }, async (app) => {
    const id = cpid('PEND');
    const cp = await connect(app, id);
    const b = await boot(cp);
    assert.equal(b.status, 'Pending');
    assert.equal(b.interval, 12, 'Pending: interval is the wait before the next boot attempt');
    const r = row(app, 'SELECT registration_status, auto_registered, boot_status, vendor FROM chargers WHERE charge_point_id = ?', id)!;
    assert.deepEqual({ ...r }, { registration_status: 'Pending', auto_registered: 1, boot_status: 'Pending', vendor: 'Siemens' });

    // OCPP 1.6 4.2: while Pending the central system may still talk to the charger (e.g. read its configuration).
    cp.onCall = (action) => (action === 'GetConfiguration' ? { configurationKey: [] } : {});
    assert.deepEqual(await app.ocpp.call(id, 'GetConfiguration', {}), { configurationKey: [] });

    // The operator approves it: the next boot attempt is Accepted with the heartbeat interval.
    updateCharger(app.db, id, { registrationStatus: 'Accepted' });
    const again = await boot(cp);
    assert.equal(again.status, 'Accepted');
    assert.equal(again.interval, 300);
    await cp.close();
  });
});

test('unknownChargerPolicy=pending applies to unknown chargers only: a registered charger is Accepted', async () => {
  await withApp({ unknownChargerPolicy: 'pending' }, async (app) => {
    const id = cpid('KNOWN');
    insertCharger(app.db, id);
    const cp = await connect(app, id);
    assert.equal((await boot(cp)).status, 'Accepted');
    await cp.close();
  });
});

test('unknownChargerPolicy=reject: an unknown CPID is refused with HTTP 404 at the upgrade and not registered; a registered one connects', async () => {
  await withApp({ unknownChargerPolicy: 'reject' }, async (app) => {
    const stranger = cpid('STRANGER');
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/${stranger}`), 404);
    assert.equal(await upgradeStatus(`${app.wsBase}/${stranger}`), 404);
    assert.equal(row(app, 'SELECT count(*) AS n FROM chargers WHERE charge_point_id = ?', stranger)?.n, 0);
    const known = cpid('KNOWN');
    insertCharger(app.db, known);
    const cp = await connect(app, known);
    assert.equal((await boot(cp)).status, 'Accepted');
    assert.equal(row(app, 'SELECT auto_registered FROM chargers WHERE charge_point_id = ?', known)?.auto_registered, 0);
    await cp.close();
  });
});

test('a registered charger set to Pending by the operator boots Pending whatever the policy', async () => {
  await withApp({ bootRetryIntervalSec: 20 }, async (app) => {
    const id = cpid('HOLD');
    insertCharger(app.db, id, { registrationStatus: 'Pending' });
    const cp = await connect(app, id);
    const b = await boot(cp);
    assert.deepEqual([b.status, b.interval], ['Pending', 20]);
    await cp.close();
  });
});

/** A masked client text frame (RFC 6455 5.3), for writing a WebSocket frame by hand. */
function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([0x11, 0x22, 0x33, 0x44]);
  const len = payload.length;
  const header = len < 126 ? Buffer.from([0x81, 0x80 | len]) : Buffer.from([0x81, 0x80 | 126, len >> 8, len & 255]);
  return Buffer.concat([header, mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))]);
}

test('a new charger whose BootNotification arrives in the same packet as the upgrade gets the policy status (Pending), not Rejected', async () => {
  // Regression: the boot handler read the registry before the auto-registration had committed.
  await withApp({ unknownChargerPolicy: 'pending' }, async (app) => {
    const id = cpid('PIPE');
    const sock = net.connect(app.port, '127.0.0.1');
    const data: Buffer[] = [];
    sock.on('data', (d) => data.push(d));
    await new Promise((r) => sock.once('connect', r));
    sock.write(
      Buffer.concat([
        Buffer.from(
          `GET /ocpp/${id} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n`,
        ),
        clientFrame(JSON.stringify([2, 'boot-1', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' }])),
      ]),
    );
    const text = await waitFor(() => {
      const t = Buffer.concat(data).toString('latin1');
      return t.includes('"boot-1"') && t.includes('}]') ? t : undefined;
    }, 'boot answer');
    sock.destroy();
    const answer = JSON.parse(text.slice(text.indexOf('[3,'), text.lastIndexOf(']') + 1));
    assert.equal(answer[2].status, 'Pending');
    assert.equal(row(app, 'SELECT boot_status FROM chargers WHERE charge_point_id = ?', id)?.boot_status, 'Pending');
  });
});
