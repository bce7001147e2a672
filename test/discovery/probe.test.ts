/**
 * Issue 11, subnet probe: a scan of 127.0.93.0/27 through the REST API finds exactly the
 * web servers this test binds there (a Siemens VersiCharge login page, an ABB Terra, an
 * EVBox behind TLS, a plain page), with vendor, title, Server header and certificate subject;
 * progress is on the API and the event stream; cancel stops a scan; a rescan shows new and
 * gone devices; ranges outside private/link-local/loopback space and malformed ones get a
 * 400 naming the field. Loopback only.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { type Closable, SIEMENS_LOGIN, silentServer, tlsServer, waitFor, webServer } from './support.js';

const NET = '127.0.93';
const TLS_PORT = 8443;

async function withApp(fn: (app: TestApp) => Promise<void>, overrides = {}): Promise<void> {
  const app = await startTestApp({ discoveryProbeTimeoutMs: 2000, discoveryProbeConcurrency: 16, ...overrides });
  try {
    await fn(app);
  } finally {
    await app.dispose();
  }
}

const json = async (r: Response) => ({ status: r.status, body: (await r.json()) as any });
const startScan = async (app: TestApp, body: object) => json(await app.api('/api/discovery/scan', { method: 'POST', json: body }));
const scanDone = (app: TestApp, id: string) =>
  waitFor(async () => {
    const s = (await json(await app.api(`/api/discovery/scans/${id}`))).body;
    return s.state !== 'running' && s;
  }, `scan ${id} to finish`);

test('issue 11: a probe of a 127.0.0.x range finds exactly the chargers served there, vendor guessed, with progress in the API and the event stream', async () => {
  const servers: Closable[] = [];
  try {
    const siemens = await webServer(`${NET}.5`, 0, SIEMENS_LOGIN, 'lighttpd/1.4.59');
    const port = siemens.port;
    servers.push(siemens);
    servers.push(await webServer(`${NET}.9`, port, '<html><head><title>ABB Terra AC wallbox</title></head></html>', 'ABB-WebServer'));
    servers.push(await webServer(`${NET}.20`, port, '<html><head><title>Router admin</title></head></html>', 'nginx'));
    servers.push(await tlsServer(`${NET}.12`, TLS_PORT, '/O=EVBox/CN=evbox-charger'));
    await withApp(async (app) => {
      const events: any[] = [];
      const off = app.events.on('discovery.scan', (e) => events.push(e));
      const started = await startScan(app, { range: `${NET}.0/27`, ports: [port, TLS_PORT] });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      assert.equal(started.body.total, 30, 'a /27 without network and broadcast addresses');
      assert.equal(started.body.state, 'running');
      const done = await scanDone(app, started.body.id);
      off();
      assert.equal(done.state, 'done');
      assert.equal(done.done, 30);
      assert.deepEqual([...done.foundIps].sort(), [`${NET}.12`, `${NET}.20`, `${NET}.5`, `${NET}.9`]);
      assert.equal(done.found, 4);
      assert.ok(events.length >= 2 && events.at(-1).state === 'done' && events.at(-1).done === 30, 'progress and the end on the event stream');
      assert.ok(
        events.every((e, i) => i === 0 || e.done >= events[i - 1].done),
        'progress only goes forward',
      );

      const devices = (await json(await app.api('/api/discovery/devices'))).body as any[];
      const byIp = new Map(devices.map((d) => [d.ip, d]));
      assert.deepEqual([...byIp.keys()], [`${NET}.5`, `${NET}.9`, `${NET}.12`, `${NET}.20`], 'exactly the served addresses, in address order');
      const s = byIp.get(`${NET}.5`);
      assert.equal(s.vendor, 'Siemens');
      assert.equal(s.model, 'VersiCharge');
      assert.match(s.title, /VersiCharge/);
      assert.deepEqual(s.sources, ['probe']);
      assert.equal(s.state, 'new');
      assert.deepEqual(
        s.openPorts.map((p: any) => [p.port, p.status, p.server]),
        [[port, 200, 'lighttpd/1.4.59']],
      );
      assert.equal(byIp.get(`${NET}.9`).vendor, 'ABB');
      const evbox = byIp.get(`${NET}.12`);
      assert.equal(evbox.vendor, 'EVBox');
      assert.match(evbox.openPorts[0].certSubject, /O=EVBox/);
      assert.equal(evbox.openPorts[0].tls, true);
      assert.equal(byIp.get(`${NET}.20`).vendor, null, 'a router is not guessed to be a charger');
    });
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
});

test('issue 11: a rescan shows which devices are new and which are gone', async () => {
  const a = await webServer(`${NET}.7`, 0, SIEMENS_LOGIN);
  let b: Closable | null = null;
  try {
    await withApp(async (app) => {
      const first = await scanDone(app, (await startScan(app, { range: `${NET}.1-${NET}.10`, ports: [a.port] })).body.id);
      assert.deepEqual(first.newIps, [`${NET}.7`]);
      await a.close();
      b = await webServer(`${NET}.8`, a.port, '<title>EVBox Elvi</title>');
      const second = await scanDone(app, (await startScan(app, { range: `${NET}.1-10`, ports: [a.port] })).body.id);
      assert.deepEqual(second.newIps, [`${NET}.8`]);
      assert.deepEqual(second.goneIps, [`${NET}.7`]);
      const devices = (await json(await app.api('/api/discovery/devices'))).body as any[];
      assert.deepEqual(
        devices.map((d) => [d.ip, d.state]),
        [
          [`${NET}.7`, 'gone'],
          [`${NET}.8`, 'new'],
        ],
      );
    });
  } finally {
    await a.close();
    await (b as Closable | null)?.close();
  }
});

test('issue 11: a scan reads done only once the store has its end, so the device list read next marks its devices new', async () => {
  const a = await webServer(`${NET}.12`, 0, SIEMENS_LOGIN);
  try {
    await withApp(async (app) => {
      const { id } = await app.discovery.startScan(`${NET}.12`, [a.port]);
      // Every event-loop turn: the first turn that shows the scan finished must find it stored.
      let s = app.discovery.scanner.get(id)!;
      while (s.state === 'running') {
        await new Promise((r) => setImmediate(r));
        s = app.discovery.scanner.get(id)!;
      }
      const stored = app.db.prepare('SELECT state FROM discovery_scans WHERE id = ?').get(id) as { state: string };
      assert.deepEqual([s.state, stored.state], ['done', 'done']);
      const devices = (await json(await app.api('/api/discovery/devices'))).body as any[];
      assert.deepEqual(
        devices.map((d) => [d.ip, d.state]),
        [[`${NET}.12`, 'new']],
      );
    });
  } finally {
    await a.close();
  }
});

test('issue 11: cancelling a scan stops it at once and closes its connections', async () => {
  const silent: Array<Awaited<ReturnType<typeof silentServer>>> = [];
  try {
    silent.push(await silentServer(`${NET}.1`, 0));
    const port = silent[0]!.port;
    for (let i = 2; i <= 4; i++) silent.push(await silentServer(`${NET}.${i}`, port));
    const open = () => silent.reduce((n, s) => n + s.open(), 0);
    await withApp(
      async (app) => {
        const started = await startScan(app, { range: `${NET}.1-${NET}.30`, ports: [port] });
        await waitFor(() => open() >= 2, 'probes hanging on the silent servers');
        const t0 = Date.now();
        const cancelled = await json(await app.api(`/api/discovery/scans/${started.body.id}`, { method: 'DELETE' }));
        assert.equal(cancelled.status, 200);
        assert.equal(cancelled.body.state, 'cancelled');
        assert.ok(Date.now() - t0 < 5000, 'cancel does not wait for the 30 s probe timeout');
        assert.ok(cancelled.body.done < 30, `stopped early (${cancelled.body.done} of 30 done)`);
        await waitFor(() => open() === 0, 'the probe connections to close');
        const after = (await json(await app.api(`/api/discovery/scans/${started.body.id}`))).body;
        assert.equal(after.state, 'cancelled');
        assert.equal(after.done, cancelled.body.done, 'nothing probed after the cancel');
      },
      { discoveryProbeTimeoutMs: 30000, discoveryProbeConcurrency: 2 },
    );
  } finally {
    await Promise.all(silent.map((s) => s.close()));
  }
});

test('issue 11: public, oversized, malformed and missing ranges and bad ports are refused with a 400 naming the field', async () => {
  await withApp(async (app) => {
    const cases: Array<[object, string, RegExp]> = [
      [{ range: '8.8.8.0/24' }, 'range', /private.*link-local.*loopback/],
      [{ range: '192.168.255.250-192.169.0.5' }, 'range', /not wholly inside/],
      [{ range: '100.64.0.1' }, 'range', /not wholly inside/],
      [{ range: '10.0.0.0/16' }, 'range', /larger than a \/22/],
      [{ range: '10.0.0.1-10.0.8.1' }, 'range', /at most 1024/],
      [{ range: 'depot-lan' }, 'range', /not an IPv4/],
      [{ range: '192.168.10.300/24' }, 'range', /not an IPv4 CIDR/],
      [{ range: '192.168.10.40-20' }, 'range', /ends before it starts/],
      [{ range: `${NET}.1`, ports: [0] }, 'ports', /./],
      [{ range: `${NET}.1`, ports: [] }, 'ports', /./],
      [{ range: 42 }, 'range', /./],
      [{ ports: [80] }, 'range', /./],
    ];
    for (const [body, field, message] of cases) {
      const r = await startScan(app, body);
      assert.equal(r.status, 400, `${JSON.stringify(body)} refused`);
      assert.match(JSON.stringify(r.body), new RegExp(field), `${JSON.stringify(body)}: error names ${field}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.message ?? r.body.error, message, JSON.stringify(r.body));
    }
    assert.deepEqual((await json(await app.api('/api/discovery/scans'))).body, [], 'no scan was started');
    const defaults = (await json(await app.api('/api/discovery/defaults'))).body;
    assert.deepEqual(defaults.ports, [80, 443, 8080]);
    assert.match(defaults.range, /\/(24|32)$/, 'a proposal the installer confirms, never scanned unasked');
  });
});
