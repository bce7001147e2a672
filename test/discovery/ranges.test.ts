/**
 * Issue 11, scan ranges and addresses: the forms a range may take, the /22 limit, the default
 * /24 of this PC's LAN interface, and which of several local addresses a charger is told to
 * connect to (the one on its subnet). The PC's interfaces are given as data, as os would.
 */

import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { test } from 'node:test';
import { defaultRange, localAddressFor, parseRange } from '../../main/discovery/ranges.js';

const iface = (address: string, netmask: string, internal = false): NetworkInterfaceInfo =>
  ({ address, netmask, family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: null }) as NetworkInterfaceInfo;

/** A depot PC: loopback, an office LAN, the chargers' LAN, a VPN with public space. */
const PC = {
  lo: [iface('127.0.0.1', '255.0.0.0', true)],
  eth0: [iface('10.20.0.15', '255.255.0.0')],
  eth1: [iface('192.168.10.5', '255.255.255.0')],
  tun0: [iface('100.64.3.2', '255.192.0.0')],
};

test('issue 11: ranges: CIDR without network and broadcast, spans (short form too), single addresses, at most a /22', () => {
  assert.deepEqual(parseRange('192.168.10.0/24'), { text: '192.168.10.1-192.168.10.254', first: 3232238081, last: 3232238334, size: 254 });
  assert.equal(parseRange('192.168.10.20-40').text, '192.168.10.20-192.168.10.40');
  assert.equal(parseRange(' 192.168.10.20-192.168.10.22 ').size, 3);
  assert.equal(parseRange('169.254.1.1').size, 1);
  assert.equal(parseRange('10.1.0.0/22').size, 1022);
  assert.equal(parseRange('127.0.0.1/32').text, '127.0.0.1');
  assert.throws(() => parseRange('10.1.0.0/21'), /larger than a \/22/);
  assert.throws(() => parseRange('172.32.0.0/24'), /not wholly inside/, '172.32 is public');
  assert.throws(() => parseRange('0.0.0.0/32'), /not wholly inside/);
});

test("issue 11: the default scan is the /24 of this PC's first LAN interface (loopback only: 127.0.0.1)", () => {
  assert.equal(defaultRange(PC), '10.20.0.0/24');
  assert.equal(defaultRange({ lo: PC.lo, tun0: PC.tun0 }), '127.0.0.1/32', 'a public VPN address is no LAN');
});

test("issue 11: a charger is told this PC's address on its own subnet", () => {
  assert.equal(localAddressFor('192.168.10.143', PC), '192.168.10.5');
  assert.equal(localAddressFor('10.20.7.7', PC), '10.20.0.15');
  assert.equal(localAddressFor('127.0.0.9', PC), '127.0.0.1');
  assert.equal(localAddressFor('172.16.0.9', PC), '10.20.0.15', 'no shared subnet: the first LAN address');
  assert.equal(localAddressFor(null, PC), '10.20.0.15');
  assert.equal(localAddressFor(null, { lo: PC.lo }), null);
});
