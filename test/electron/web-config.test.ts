/**
 * issue 9 (Electron shell): "Open web config" sends the system browser only to http/https on
 * an address the app recorded for that charger: its IP address field or the remote address
 * of its OCPP connection. The addresses come from the real core with a charger connected over
 * loopback from its own address (127.0.0.5).
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { recordedAddresses } from '../../main/desktop/charger-addresses.js';
import { checkWebConfigUrl, normaliseAddress } from '../../main/desktop/external-url.js';
import { getCharger, insertCharger } from '../../main/store/queries/chargers.js';
import { recordSighting } from '../../main/store/queries/discovery.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const CP = 'JAAL34S021';
const recorded = ['127.0.0.7', '::ffff:127.0.0.5'];

test("issue 9: web config opens http and https on the charger's recorded addresses, any port and path", () => {
  for (const url of ['http://127.0.0.7/', 'https://127.0.0.7/', 'http://127.0.0.7:8080/setup?tab=ocpp', 'http://127.0.0.5/', 'HTTP://127.0.0.7']) {
    const d = checkWebConfigUrl(CP, url, recorded);
    assert.ok(d.ok, `${url}: ${!d.ok && d.error}`);
  }
  assert.deepEqual(checkWebConfigUrl(CP, 'HTTP://127.0.0.7', recorded), { ok: true, url: 'http://127.0.0.7/' });
  assert.ok(checkWebConfigUrl(CP, 'http://[fe80::1]/', ['FE80::1']).ok);
});

test('issue 9: web config refuses other schemes, other hosts, credentials in the URL, and unknown chargers', () => {
  const refused: Array<[string, readonly string[] | undefined, RegExp]> = [
    ['file:///etc/passwd', recorded, /only http and https/],
    ['javascript:alert(1)', recorded, /only http and https/],
    ['ftp://127.0.0.7/', recorded, /only http and https/],
    ['data:text/html,<script>alert(1)</script>', recorded, /only http and https/],
    ['http://127.0.0.8/', recorded, /127\.0\.0\.8 is not an address recorded for charger "JAAL34S021"/],
    ['http://evil.example/', recorded, /not an IP address recorded/],
    ['http://127.0.0.7.evil.example/', recorded, /not an IP address recorded/],
    ['http://admin:secret@127.0.0.7/', recorded, /user name or password/],
    ['http://admin@127.0.0.7/', recorded, /user name or password/],
    ['//127.0.0.7/', recorded, /not an absolute URL/],
    ['127.0.0.7', recorded, /not an absolute URL/],
    [`http://127.0.0.7/${'a'.repeat(2100)}`, recorded, /longer than 2048/],
    ['http://127.0.0.7/', undefined, /no charger "JAAL34S021" is registered/],
    ['http://127.0.0.7/', [], /no address is recorded for charger "JAAL34S021" yet/],
  ];
  for (const [url, addrs, why] of refused) {
    const d = checkWebConfigUrl(CP, url, addrs);
    assert.equal(d.ok, false, url);
    assert.match((d as { error: string }).error, why, url);
  }
});

test('issue 9: addresses compare normalised (IPv4 on a dual-stack socket, IPv6 case and brackets)', () => {
  assert.equal(normaliseAddress('::ffff:192.168.10.5'), '192.168.10.5');
  assert.equal(normaliseAddress('[FE80::1]'), 'fe80::1');
  assert.equal(normaliseAddress(' 127.0.0.7 '), '127.0.0.7');
});

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(() => app.dispose());

test("issue 9: the core records a charger's IP field and its OCPP remote address; only those open, and an unknown charger has none", async () => {
  insertCharger(app.db, CP, { ipAddress: '127.0.0.7' });
  assert.deepEqual(recordedAddresses(app.db, app.ocpp, CP), ['127.0.0.7']);
  assert.equal(recordedAddresses(app.db, app.ocpp, 'NO-SUCH-CHARGER'), undefined);
  // Issue 11: a discovered device, not registered yet, opens on its own address only.
  recordSighting(app.db, { ip: '127.0.0.9', source: 'probe' });
  assert.deepEqual(recordedAddresses(app.db, app.ocpp, '127.0.0.9'), ['127.0.0.9']);
  assert.equal(checkWebConfigUrl('127.0.0.9', 'http://127.0.0.10/', ['127.0.0.9']).ok, false);

  // The charger connects from its own loopback address; the registry and the store record it.
  const ws = new WebSocket(`${app.wsBase}/ocpp/${CP}`, ['ocpp1.6'], { localAddress: '127.0.0.5' });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  try {
    const deadline = Date.now() + 5000;
    while (getCharger(app.db, CP)?.remoteAddress !== '127.0.0.5') {
      assert.ok(Date.now() < deadline, "the connection's remote address was never stored");
      await new Promise((r) => setTimeout(r, 5));
    }
    const addrs = recordedAddresses(app.db, app.ocpp, CP)!;
    assert.deepEqual(addrs.sort(), ['127.0.0.5', '127.0.0.7']);
    assert.ok(checkWebConfigUrl(CP, 'http://127.0.0.5/', addrs).ok);
    assert.ok(checkWebConfigUrl(CP, 'http://127.0.0.7:8080/', addrs).ok);
    assert.equal(checkWebConfigUrl(CP, 'http://127.0.0.6/', addrs).ok, false);
    assert.equal(checkWebConfigUrl('OTHER', 'http://127.0.0.5/', recordedAddresses(app.db, app.ocpp, 'OTHER')).ok, false);
  } finally {
    ws.close();
  }
});
