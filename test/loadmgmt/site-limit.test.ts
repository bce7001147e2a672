import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LoadState } from '../../main/events.js';
import { startTestApp } from '../helpers/app.js';
import { apiJson, FAST_LOAD, holds, ids, openDepot, until } from './support.js';

const LIMIT = 100;

test('issue 13: 100 A site, 10 chargers of 32 A starting at random times: the summed draw stays under the limit and the shares are fair', async () => {
  const app = await startTestApp(FAST_LOAD);
  const depot = await openDepot({ httpBase: app.httpBase, wsBase: app.wsBase, ids: ids('FAIR', 10) });
  try {
    await apiJson(app.httpBase, '/api/load/site', { method: 'PUT', json: { limitAmps: LIMIT, phases: 3 } });
    await Promise.all(depot.chargers.map((c) => new Promise((r) => setTimeout(r, Math.random() * 3000)).then(() => depot.start(c.id))));
    const fair = () => depot.chargers.every((c) => Math.abs(depot.draw(c.id) - LIMIT / 10) <= 1);
    await until('every session draws its fair share of 10 A', fair, 8000);
    await holds(
      'after settling',
      () => (depot.siteDraw() > LIMIT + 1e-9 ? `site draws ${depot.siteDraw()} A` : fair() ? null : `unfair: ${depot.chargers.map((c) => depot.draw(c.id)).join(', ')}`),
      3000,
    );
    const state = await apiJson<LoadState>(app.httpBase, '/api/load');
    assert.equal(state.siteLimitAmps, LIMIT);
    assert.ok(state.allocatedAmps <= LIMIT);
    assert.deepEqual(new Set(state.chargers.map((c) => c.allocatedAmps)), new Set([10]));
    assert.ok(state.chargers.every((c) => !c.flagged && c.measuredAmps !== null && Math.abs(c.measuredAmps - 10) <= 1));
    assert.ok(Math.abs(state.measuredAmps - depot.siteDraw()) <= 2, `measured ${state.measuredAmps} vs drawn ${depot.siteDraw()}`);
  } finally {
    await depot.close();
    await app.dispose();
  }
});

test('issue 13: a vehicle tapering to 10 A frees its share for the others within a few seconds', async () => {
  const app = await startTestApp(FAST_LOAD);
  // Ten chargers share the fallback (10 A each); five sessions share the site (20 A each).
  const depot = await openDepot({ httpBase: app.httpBase, wsBase: app.wsBase, ids: ids('TAPER', 10) });
  try {
    await apiJson(app.httpBase, '/api/load/site', { method: 'PUT', json: { limitAmps: LIMIT } });
    const active = depot.chargers.slice(0, 5).map((c) => c.id);
    for (const id of active) await depot.start(id);
    await until('five sessions at 20 A', () => active.every((id) => Math.abs(depot.draw(id) - 20) <= 1), 8000);
    const [tapering, ...others] = active as [string, ...string[]];
    depot.vehicles.get(tapering)!.limitTo(10);
    // Its share drops to what it draws plus headroom (12 A); the others share the rest: 22 A.
    const took = await until('the others get the freed current', () => others.every((id) => depot.draw(id) >= 21.5), 6000);
    assert.ok(took < 6000);
    await holds('site limit', () => (depot.siteDraw() > LIMIT + 1e-9 ? `site draws ${depot.siteDraw()} A` : null), 1500);
    const state = await apiJson<LoadState>(app.httpBase, '/api/load');
    assert.equal(state.chargers.find((c) => c.chargePointId === tapering)!.allocatedAmps, 12);
  } finally {
    await depot.close();
    await app.dispose();
  }
});

test('issue 13: a charger answering SetChargingProfile Rejected is flagged and counted at its maximum; the others are reduced', async () => {
  const app = await startTestApp(FAST_LOAD);
  const all = ids('REJ', 4);
  const refuser = all[0]!;
  // Accepts only power (W) schedules: every profile in amps is Rejected.
  const depot = await openDepot({
    httpBase: app.httpBase,
    wsBase: app.wsBase,
    ids: all,
    charger: (id) => (id === refuser ? { config: { AllowOfflineTxForUnknownId: 'true', ChargingScheduleAllowedChargingRateUnit: 'Power' } } : {}),
  });
  try {
    await apiJson(app.httpBase, '/api/load/site', { method: 'PUT', json: { limitAmps: LIMIT } });
    for (const id of all) await depot.start(id);
    const others = all.slice(1);
    await until('the refusing charger draws its maximum, the others (100 - 32) / 3', () => depot.draw(refuser) > 31.5 && others.every((id) => Math.abs(depot.draw(id) - 22.6) <= 0.2), 8000);
    await holds('site limit', () => (depot.siteDraw() > LIMIT + 1e-9 ? `site draws ${depot.siteDraw()} A` : null), 1500);
    const state = await apiJson<LoadState>(app.httpBase, '/api/load');
    const flagged = state.chargers.find((c) => c.chargePointId === refuser)!;
    assert.equal(flagged.flagged, true);
    assert.match(flagged.flagReason ?? '', /rejects/);
    assert.equal(flagged.allocatedAmps, 32);
    assert.ok(state.chargers.filter((c) => c.chargePointId !== refuser).every((c) => !c.flagged && c.allocatedAmps === 22.6));
    // Its fallback is left out of the others': (100 - 32) / 3 connectors.
    assert.equal(state.chargers.find((c) => c.chargePointId === others[0])!.fallbackAmps, 22.6);
  } finally {
    await depot.close();
    await app.dispose();
  }
});
