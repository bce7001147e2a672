/**
 * Issue 11, mDNS/DNS-SD: a real publish and browse inside a network namespace this test
 * creates (never the machine's own: bonjour multicasts on every interface), and mDNS off
 * unless the config enables it.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { browseTypes } from '../../main/discovery/mdns.js';
import { startTestApp } from '../helpers/app.js';

const CHILD = fileURLToPath(new URL('./mdns-namespace-child.ts', import.meta.url));

test('issue 11: mDNS inside a private network namespace: charger announcements land in the device list, the controller is found as _ocpp._tcp', async () => {
  // lo up and multicast routed to it: the namespace's only network.
  const script = `ip link set lo up && ip route add 224.0.0.0/4 dev lo && exec "${process.execPath}" --import tsx "${CHILD}"`;
  const out = await new Promise<string>((resolve, reject) =>
    execFile('unshare', ['-n', 'sh', '-c', script], { timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`namespace child failed: ${stderr}`, { cause: err })) : resolve(stdout))),
  );
  const { device, advertised } = JSON.parse(out);
  assert.equal(device.ip, '127.0.0.1');
  assert.deepEqual(device.sources, ['mdns']);
  assert.equal(device.vendor, 'Siemens', 'guessed from the announced name');
  assert.deepEqual(
    device.mdnsServices.map((s: any) => [s.type, s.name, s.port]).sort(),
    [
      ['_evse._tcp', 'depot-wallbox', 1234],
      ['_http._tcp', 'VersiCharge JAAL34S021', 80],
    ],
    'a default type and one from discoveryMdnsTypes',
  );
  assert.equal(advertised.port, 3001);
  assert.equal(advertised.txt.path, '/ocpp');
  assert.equal(advertised.txt.ocpp, '1.6j');
});

test('issue 11: mDNS is off unless discoveryMdns enables it (the default app multicasts nothing)', async () => {
  const app = await startTestApp();
  try {
    assert.equal(app.config.discoveryMdns, false);
    assert.equal(app.discovery.mdnsRunning, false);
  } finally {
    await app.dispose();
  }
});

test('issue 11: configured mDNS service types are checked', () => {
  assert.deepEqual(browseTypes(' _evse._tcp, ocpp-cp '), ['http', 'https', 'ocpp', 'evse', 'ocpp-cp']);
  assert.throws(() => browseTypes('_bad type._tcp'), /not a DNS-SD service type/);
});
