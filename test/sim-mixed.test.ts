/**
 * Issue 14 acceptance: a mixed fleet, `npm run sim -- --ocpp 1.6,2.0.1 --chargers 200
 * --sessions 2` (100 chargers of each version) against `npm run serve`, both child processes:
 * /api/sessions lists all 400 sessions with their energy, in one shape; then remote start and
 * stop through the same REST routes work on one charger of each version.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor } from './helpers/wait.js';
import { SimCharger } from './sim/charger.js';
import { SimCharger201 } from './sim/charger201.js';
import { freePort, runSimCli, ServiceProcess } from './sim/service.js';

const TOKEN = 'mixed-test-token-0123456789abcdef';

interface Session {
  transactionId: number;
  chargerTransactionId: string;
  chargePointId: string;
  connectorId: number;
  idTag: string;
  status: string;
  energyWh: number | null;
  meterStart: number;
  meterStop: number | null;
  stopReason: string | null;
}

test('issue 14 acceptance: a mixed fleet (100 x 1.6 and 100 x 2.0.1 simulated chargers, 2 sessions each) against npm run serve: /api/sessions lists all 400 with energy; remote start/stop through the same REST route on one charger of each version', {
  timeout: 150_000,
}, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ocpp-edge-mixed-'));
  const port = await freePort();
  const api = (path: string, init: { method?: string; json?: unknown } = {}) =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${TOKEN}`, ...(init.json !== undefined && { 'content-type': 'application/json' }) },
      ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
    });
  const json = async (path: string, init?: { method?: string; json?: unknown }) => {
    const r = await api(path, init);
    return { status: r.status, body: (await r.json()) as any };
  };
  let service: ServiceProcess | null = null;
  const live: Array<SimCharger | SimCharger201> = [];
  try {
    service = await ServiceProcess.start({ dataDir, port, token: TOKEN });
    const run = await runSimCli(
      [
        '--url',
        `ws://127.0.0.1:${port}/ocpp`,
        '--ocpp',
        '1.6,2.0.1',
        '--chargers',
        '200',
        '--sessions',
        '2',
        '--meter-interval-ms',
        '200',
        '--samples',
        '3',
        '--api',
        `http://127.0.0.1:${port}`,
        '--api-token',
        TOKEN,
        '--deadline-sec',
        '90',
      ],
      110_000,
    );
    const { stdout, summary } = run;
    t.diagnostic(summary);
    assert.notEqual(run.code, 'timeout', `the simulator finishes by itself\n${stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
    assert.equal(run.code, 0, `sim exit code 0\n${stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
    assert.match(stdout, /200 charger\(s\) \(OCPP 1\.6, 2\.0\.1\)/);
    assert.match(summary, /sessions=400\/400 completed/);
    assert.match(summary, / errors=0 /);

    const chargers = (await json('/api/charger')).body;
    const list: Array<{ chargePointId: string; ocppVersion: string | null }> = Array.isArray(chargers) ? chargers : chargers.items;
    const versions = new Map<string, string | null>(list.map((c) => [c.chargePointId, c.ocppVersion]));
    assert.equal([...versions.values()].filter((v) => v === '1.6').length, 100, 'the charger list shows 100 chargers speaking 1.6');
    assert.equal([...versions.values()].filter((v) => v === '2.0.1').length, 100, 'and 100 speaking 2.0.1');

    const sessions = await json('/api/sessions?limit=1000');
    assert.equal(sessions.status, 200);
    const items = sessions.body.items as Session[];
    assert.equal(sessions.body.total, 400);
    assert.equal(items.length, 400);
    const perCharger = new Map<string, number>();
    for (const s of items) {
      assert.equal(s.status, 'Completed', `session ${s.transactionId} of ${s.chargePointId}`);
      assert.ok(s.energyWh !== null && s.energyWh > 0, `session ${s.transactionId} of ${s.chargePointId} has its energy (${s.energyWh})`);
      assert.equal(s.energyWh, s.meterStop! - s.meterStart);
      assert.equal(typeof s.chargerTransactionId, 'string');
      perCharger.set(s.chargePointId, (perCharger.get(s.chargePointId) ?? 0) + 1);
    }
    assert.equal(perCharger.size, 200);
    for (const [cp, n] of perCharger) assert.equal(n, 2, `${cp} has 2 sessions`);
    const of201 = items.filter((s) => versions.get(s.chargePointId) === '2.0.1');
    assert.equal(of201.length, 200);
    assert.ok(
      of201.every((s) => s.chargerTransactionId !== String(s.transactionId)),
      "a 2.0.1 session keeps the station's own transaction id",
    );

    // Remote start and stop through the same routes, one charger of each version.
    await json('/api/rfid', { method: 'POST', json: { tagId: 'MIXED-REMOTE' } });
    const opts = { url: `ws://127.0.0.1:${port}/ocpp`, meterIntervalMs: 100, timeScale: 60, backoffInitialMs: 50, backoffMaxMs: 300, callTimeoutMs: 5000 };
    const one16 = new SimCharger({ ...opts, id: 'MIXED-16' });
    const one201 = new SimCharger201({ ...opts, id: 'MIXED-201' });
    live.push(one16, one201);
    for (const c of live) c.start();
    for (const c of live) await c.waitFor(() => c.isOnline, 10_000, 'boot');
    for (const c of live) {
      const start = await json(`/api/admin/${c.id}/start-transaction`, { method: 'POST', json: { connectorId: 1, idTag: 'MIXED-REMOTE' } });
      assert.equal(start.status, 200, JSON.stringify(start.body));
      assert.equal(start.body.response.status, 'Accepted', `${c.id}: ${JSON.stringify(start.body)}`);
      const id = start.body.transactionId as number;
      assert.ok(Number.isInteger(id), `${c.id}: the session id in the answer (${JSON.stringify(start.body)})`);
      await c.waitFor(() => c.activeTransactions.length === 1 && c.ledger.meterValues.length >= 1, 5000, 'charging');
      const stop = await json(`/api/admin/${c.id}/stop-transaction`, { method: 'POST', json: { transactionId: id } });
      assert.equal(stop.body.response?.status, 'Accepted', `${c.id}: ${JSON.stringify(stop.body)}`);
      const done = await waitFor(
        async () => {
          const s = (await json(`/api/sessions/${id}`)).body as Session;
          return s.status === 'Completed' && s;
        },
        { timeoutMs: 5000, what: `${c.id}'s session to complete` },
      );
      assert.equal(done.stopReason, 'Remote');
      assert.equal(done.chargePointId, c.id);
      assert.ok((done.energyWh ?? 0) > 0, `${c.id}: energy recorded`);
      assert.deepEqual(c.errors, [], `${c.id} saw no protocol errors`);
    }
    assert.equal((await json('/api/sessions?limit=1')).body.total, 402);
  } catch (err) {
    if (service) console.error(`service output:\n${service.output.slice(-5000)}`);
    throw err;
  } finally {
    await Promise.all(live.map((c) => c.close()));
    if (service) await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
