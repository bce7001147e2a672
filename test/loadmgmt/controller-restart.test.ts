import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { optionName } from '../../main/config/load.js';
import type { LoadState } from '../../main/events.js';
import { TEST_TOKEN } from '../helpers/app.js';
import { freePort, ServiceProcess } from '../sim/service.js';
import { apiJson, FAST_LOAD, holds, ids, METER_INTERVAL_MS, openDepot, until } from './support.js';

const LIMIT = 100;

test('issue 13: controller SIGKILLed mid-run: chargers fall back to their default profiles and the site stays under the limit; after restart the allocation resumes', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ocpp-edge-load-kill-'));
  const port = await freePort();
  const args = Object.entries(FAST_LOAD).flatMap(([k, v]) => [optionName(k), String(v)]);
  const start = () => ServiceProcess.start({ dataDir, port, token: TEST_TOKEN, extraArgs: args });
  let svc = await start();
  const base = `http://127.0.0.1:${port}`;
  const depot = await openDepot({ httpBase: base, wsBase: `ws://127.0.0.1:${port}`, ids: ids('KILL', 10) });
  const overLimit = () => (depot.siteDraw() > LIMIT + 1e-9 ? `site draws ${depot.siteDraw()} A` : null);
  try {
    await apiJson(base, '/api/load/site', { method: 'PUT', json: { limitAmps: LIMIT } });
    // Four sessions share the site (25 A each); the fallback is the site over ten chargers (10 A).
    const first = depot.chargers.slice(0, 4).map((c) => c.id);
    const rest = depot.chargers.slice(4).map((c) => c.id);
    for (const id of first) await depot.start(id);
    await until('four sessions at 25 A', () => first.every((id) => Math.abs(depot.draw(id) - 25) <= 0.5), 10_000);
    const state = await apiJson<LoadState>(base, '/api/load');
    assert.ok(state.chargers.every((c) => c.fallbackAmps === 10));

    await svc.kill9();
    // Without the controller, more vehicles plug in: they charge at the fallback.
    for (const id of rest) await depot.start(id);
    // Once the shares' lease ends every charger is at its default profile.
    const leaseMs = FAST_LOAD.loadProfileLeaseSec * 1000;
    await until('every charger at its 10 A fallback', () => depot.chargers.every((c) => depot.draw(c.id) <= 10 + 1e-9 && depot.draw(c.id) > 9), leaseMs + 4 * METER_INTERVAL_MS + 2000);
    await holds('controller down', overLimit, 2000);

    svc = await start();
    await until('the chargers are back', () => depot.chargers.every((c) => c.isOnline), 10_000);
    // Allocation resumes: with six sessions ended, the four left share the site again.
    for (const id of rest) depot.stop(id);
    await until('four sessions at 25 A again', () => first.every((id) => Math.abs(depot.draw(id) - 25) <= 0.5), 10_000);
    await holds('after restart', overLimit, 1500);
  } finally {
    await depot.close();
    await svc.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
