/**
 * Issue 2 acceptance: `npm run sim -- --chargers 200 --sessions 2` against `npm run serve`
 * completes with 0 errors and /api/sessions lists all 400 sessions with their energy.
 * Both run as child processes, exactly as an installer would run them.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, runSimCli, ServiceProcess } from './sim/service.js';

const TOKEN = 'scale-test-token-0123456789abcdef';

interface Session {
  transactionId: number;
  chargePointId: string;
  status: string;
  energyWh: number | null;
  meterStart: number;
  meterStop: number | null;
}

test('issue 2 acceptance: npm run sim -- --chargers 200 --sessions 2 against npm run serve completes with 0 errors and /api/sessions lists all 400 sessions with their energy', {
  timeout: 120_000,
}, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ocpp-edge-scale-'));
  const port = await freePort();
  let service: ServiceProcess | null = null;
  try {
    service = await ServiceProcess.start({ dataDir, port, token: TOKEN });
    const run = await runSimCli(
      [
        '--url',
        `ws://127.0.0.1:${port}/ocpp`,
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
        '60',
      ],
      90_000,
    );
    const { stdout, summary } = run;
    t.diagnostic(summary);
    assert.notEqual(run.code, 'timeout', `the simulator finishes by itself\n${stdout}\n${run.stderr}`);
    assert.equal(run.code, 0, `sim exit code 0\n${stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
    assert.match(summary, /sessions=400\/400 completed/);
    assert.match(summary, / errors=0 /);
    assert.match(stdout, /200 id tag\(s\) registered/);

    const res = await fetch(`http://127.0.0.1:${port}/api/sessions?limit=1000`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { total: number; items: Session[] };
    assert.equal(body.total, 400);
    assert.equal(body.items.length, 400);
    const perCharger = new Map<string, number>();
    for (const s of body.items) {
      assert.equal(s.status, 'Completed', `session ${s.transactionId} of ${s.chargePointId}`);
      assert.ok(s.energyWh !== null && s.energyWh > 0, `session ${s.transactionId} of ${s.chargePointId} has its energy (${s.energyWh})`);
      assert.equal(s.energyWh, s.meterStop! - s.meterStart);
      perCharger.set(s.chargePointId, (perCharger.get(s.chargePointId) ?? 0) + 1);
    }
    assert.equal(perCharger.size, 200);
    for (const [cp, n] of perCharger) assert.equal(n, 2, `${cp} has 2 sessions`);
  } catch (err) {
    if (service) console.error(`service output:\n${service.output.slice(-5000)}`);
    throw err;
  } finally {
    if (service) await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
