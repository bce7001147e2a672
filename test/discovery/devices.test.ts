/**
 * Issue 11, the merged device list: MACs from the OS neighbour table (Linux /proc/net/arp,
 * Windows `arp -a`, macOS `arp -an` parsed from samples) with their IEEE OUI vendor; the
 * address a charger's OCPP socket comes from counts as a device, merged with what a probe of
 * the same address finds, and matched to the registered charger.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { appCommitter } from '../../main/app-ops.js';
import { loadConfig } from '../../main/config/load.js';
import { normaliseMac, parseArpA, parseArpAn, parseProcNetArp } from '../../main/discovery/neighbours.js';
import { loadOuiPackage, ouiTable } from '../../main/discovery/oui.js';
import { DiscoveryService } from '../../main/discovery/service.js';
import { EventBus } from '../../main/events.js';
import { createLogger } from '../../main/log/logger.js';
import { openDb } from '../../main/store/db.js';
import { DEVICE_SELECT, listDevices } from '../../main/store/queries/discovery.js';
import { GroupCommitWriter } from '../../main/store/writer.js';
import { startTestApp } from '../helpers/app.js';
import { TestCharger } from '../helpers/ocpp-client.js';
import { SIEMENS_LOGIN, waitFor, webServer } from './support.js';

const PROC_NET_ARP = `IP address       HW type     Flags       HW address            Mask     Device
192.168.10.143   0x1         0x2         00:1b:1b:aa:bb:cc     *        eth0
192.168.10.150   0x1         0x0         00:00:00:00:00:00     *        eth0
192.168.10.1     0x1         0x2         a4:91:b1:0a:0b:0c     *        eth0
`;

const WINDOWS_ARP_A = `
Interface: 192.168.10.5 --- 0xb
  Internet Address      Physical Address      Type
  192.168.10.1          a4-91-b1-0a-0b-0c     dynamic
  192.168.10.143        00-1b-1b-aa-bb-cc     dynamic
  192.168.10.255        ff-ff-ff-ff-ff-ff     static
  224.0.0.22            01-00-5e-00-00-16     static

Interface: 172.20.0.1 --- 0x12
  Internet Address      Physical Address      Type
  172.20.0.9            0a-00-27-00-00-12     dynamic
`;

const MAC_ARP_AN = `? (192.168.10.1) at a4:91:b1:a:b:c on en0 ifscope [ethernet]
? (192.168.10.143) at 0:1b:1b:aa:bb:cc on en0 ifscope [ethernet]
? (192.168.10.99) at (incomplete) on en0 ifscope [ethernet]
`;

const EXPECTED = [
  ['192.168.10.1', 'a4:91:b1:0a:0b:0c'],
  ['192.168.10.143', '00:1b:1b:aa:bb:cc'],
];

test('issue 11: the Linux, Windows and macOS neighbour tables are parsed to complete unicast entries only', () => {
  assert.deepEqual([...parseProcNetArp(PROC_NET_ARP)].sort(), EXPECTED);
  assert.deepEqual([...parseArpA(WINDOWS_ARP_A)].sort(), [...EXPECTED, ['172.20.0.9', '0a:00:27:00:00:12']].sort());
  assert.deepEqual([...parseArpAn(MAC_ARP_AN)].sort(), EXPECTED);
  assert.equal(normaliseMac('01:00:5e:00:00:16'), null, 'multicast');
  assert.equal(normaliseMac('ff-ff-ff-ff-ff-ff'), null, 'broadcast');
  assert.equal(normaliseMac('00:1B:1B:AA:BB'), null, 'too short');
});

test('issue 11: the OUI lookup reads the oui-data shape (first line of the IEEE entry is the vendor)', () => {
  const oui = ouiTable({ '001B1B': 'Siemens AG\nI IA SC MF\nNuernberg  Bavaria  90475\nDE' });
  assert.equal(oui.vendorOf('00:1b:1b:aa:bb:cc'), 'Siemens AG');
  assert.equal(oui.vendorOf('00-1B-1B-00-00-01'), 'Siemens AG');
  assert.equal(oui.vendorOf('a4:91:b1:0a:0b:0c'), null);
  // The maintained IEEE list (oui-data) is a dependency: Siemens' OUI 00-1B-1B resolves.
  const loaded = loadOuiPackage();
  assert.ok(loaded.lookup, loaded.error?.message);
  assert.match(loaded.lookup.vendorOf('00:1b:1b:00:00:00') ?? '', /Siemens/);
});

test('issue 11: a scan adds the MAC and its OUI vendor from the neighbour table to the devices it found', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocpp-edge-disc-'));
  const server = await webServer('127.0.95.4', 0, SIEMENS_LOGIN);
  const db = openDb(join(dir, 'db.sqlite'));
  const writer = new GroupCommitWriter(appCommitter(join(dir, 'db.sqlite'), { includeMeterSamples: false }));
  const discovery = new DiscoveryService({
    writer,
    config: { ...loadConfig({ env: {}, cli: { dataDir: dir } }), discoveryProbeTimeoutMs: 2000 },
    db,
    events: new EventBus(),
    log: createLogger('silent'),
    // The OS table at the edge of the world: loopback has no ARP entries.
    neighbours: async () =>
      new Map([
        ['127.0.95.4', '00:1b:1b:aa:bb:cc'],
        ['127.0.95.5', '00:1b:1b:00:00:05'],
      ]),
    oui: ouiTable({ '001B1B': 'Siemens AG\nNuernberg\nDE' }),
  });
  try {
    const scan = await discovery.startScan('127.0.95.1-127.0.95.8', [server.port]);
    await waitFor(() => discovery.scanner.get(scan.id)!.state === 'done', 'scan');
    const devices = listDevices(db);
    assert.deepEqual(
      devices.map((d) => [d.ip, d.mac, d.macVendor, d.vendor]),
      [['127.0.95.4', '00:1b:1b:aa:bb:cc', 'Siemens AG', 'Siemens']],
      'only the device found gets an entry',
    );
  } finally {
    await discovery.close();
    await writer.close();
    db.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("issue 11: a charger's OCPP socket address is a device, merged with the probe's findings and matched to the registered charger", async () => {
  const ip = '127.0.94.143';
  const app = await startTestApp({ discoveryProbeTimeoutMs: 2000 });
  const web = await webServer(ip, 0, SIEMENS_LOGIN);
  let cp: TestCharger | null = null;
  try {
    const created = await app.api('/api/charger', { method: 'POST', json: { chargePointId: 'JAAL34S021', serialNumber: 'JAAL34S021' } });
    assert.equal(created.status, 201);
    cp = await TestCharger.connect(`${app.wsBase}/ocpp/JAAL34S021`, { localAddress: ip });
    const devices = async () => (await (await app.api('/api/discovery/devices')).json()) as any[];
    await waitFor(async () => (await devices()).find((d) => d.ip === ip), 'the socket address listed before any message');
    await cp.call('BootNotification', { chargePointVendor: 'Siemens', chargePointModel: 'VersiCharge 8EM1310' });
    const seen = await waitFor(async () => (await devices()).find((d) => d.ip === ip && d.model === 'VersiCharge 8EM1310'), 'the OCPP address in the device list');
    assert.deepEqual(seen.sources, ['ocpp']);
    assert.equal(seen.ocppChargePointId, 'JAAL34S021');
    assert.equal(seen.chargePointId, 'JAAL34S021', 'matched to the registered charger');
    assert.equal(seen.vendor, 'Siemens');

    const scan = (await (await app.api('/api/discovery/scan', { method: 'POST', json: { range: ip, ports: [web.port] } })).json()) as any;
    await waitFor(async () => ((await (await app.api(`/api/discovery/scans/${scan.id}`)).json()) as any).state === 'done', 'scan');
    const merged = (await devices()).filter((d) => d.ip === ip);
    assert.equal(merged.length, 1, 'one device per address');
    assert.deepEqual(merged[0].sources, ['ocpp', 'probe']);
    assert.equal(merged[0].openPorts[0].port, web.port);
    assert.equal(merged[0].chargePointId, 'JAAL34S021');
  } finally {
    await cp?.close();
    await web.close();
    await app.dispose();
  }
});

test('issue 12 (a): matching a device to its registered charger looks chargers up by index, never scans the registry (each connect and boot is a sighting)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'discovery-plan-'));
  const db = openDb(join(dir, 'edge.db'));
  try {
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${DEVICE_SELECT} WHERE d.ip = ?`).all('127.0.0.2') as Array<{ detail: string }>).map((p) => p.detail).join('\n');
    assert.doesNotMatch(plan, /SCAN c\b/, plan);
    assert.match(plan, /chargers_ip_address/);
    assert.match(plan, /chargers_remote_address/);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
