import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LoadState } from '../../main/events.js';
import type { StoredCircuit } from '../../main/store/queries/load-management.js';
import { assertJsonError } from '../api/support.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { api, apiJson, type Depot, FAST_LOAD, openDepot, until } from './support.js';

let app: TestApp;
let depot: Depot;

before(async () => {
  app = await startTestApp(FAST_LOAD);
  depot = await openDepot({ httpBase: app.httpBase, wsBase: app.wsBase, ids: ['BAY1', 'BAY2', 'YARD1', 'YARD2'] });
  for (const id of ['YARD1', 'YARD2']) await apiJson(app.httpBase, `/api/charger/${id}`, { method: 'PATCH', json: { targetGroup: 'Yard' } });
});
after(async () => {
  await depot.close();
  await app.dispose();
});

const put = (path: string, json: unknown) => api(app.httpBase, path, { method: 'PUT', json });
const post = (path: string, json: unknown) => api(app.httpBase, path, { method: 'POST', json });
const patch = (path: string, json: unknown) => api(app.httpBase, path, { method: 'PATCH', json });
const load = () => apiJson<LoadState>(app.httpBase, '/api/load');

test('issue 13: PUT /api/load/site validates the limit with clear 400s', async () => {
  await assertJsonError(await put('/api/load/site', {}), 400, 'limitAmps');
  await assertJsonError(await put('/api/load/site', { limitAmps: 100, limitKw: 69 }), 400, 'limitAmps');
  await assertJsonError(await put('/api/load/site', { limitAmps: -1 }), 400);
  await assertJsonError(await put('/api/load/site', { limitAmps: '100' }), 400);
  await assertJsonError(await put('/api/load/site', { limitAmps: 100, phases: 2 }), 400);
  await assertJsonError(await put('/api/load/site', { limitAmps: 100, extra: 1 }), 400);
  // 69 kW on three phases at 230 V is 100 A per phase.
  const kw = await apiJson<LoadState>(app.httpBase, '/api/load/site', { method: 'PUT', json: { limitKw: 69, phases: 3 } });
  assert.equal(kw.siteLimitAmps, 100);
  assert.equal(kw.phases, 3);
});

test('issue 13: circuits CRUD: members by target group or by hand, one circuit per charger, validated', async () => {
  await assertJsonError(await post('/api/load/circuits', { name: 'both', limitAmps: 10, targetGroup: 'Yard', chargePointIds: ['BAY1'] }), 400, 'targetGroup');
  await assertJsonError(await post('/api/load/circuits', { name: 'none', limitAmps: 10 }), 400, 'targetGroup');
  await assertJsonError(await post('/api/load/circuits', { name: 'ghost', limitAmps: 10, chargePointIds: ['NOPE'] }), 400, 'chargePointIds');
  await assertJsonError(await post('/api/load/circuits', { name: 'neg', limitAmps: -5, chargePointIds: ['BAY1'] }), 400);
  const bay = (await (await post('/api/load/circuits', { name: 'Bay', limitAmps: 20, chargePointIds: ['BAY1', 'BAY2'] })).json()) as StoredCircuit;
  assert.equal(bay.limitAmps, 20);
  assert.deepEqual(bay.chargePointIds, ['BAY1', 'BAY2']);
  await assertJsonError(await post('/api/load/circuits', { name: 'Bay', limitAmps: 20, targetGroup: 'Yard' }), 409, 'name');
  await assertJsonError(await post('/api/load/circuits', { name: 'Bay again', limitAmps: 20, chargePointIds: ['BAY2'] }), 409, 'chargePointIds');
  const yard = await apiJson<StoredCircuit>(app.httpBase, '/api/load/circuits', { method: 'POST', json: { name: 'Yard', limitAmps: 500, targetGroup: 'Yard' } });
  assert.equal((await apiJson<StoredCircuit[]>(app.httpBase, '/api/load/circuits')).length, 2);
  await assertJsonError(await patch(`/api/load/circuits/${yard.id}`, { chargePointIds: ['BAY1'] }), 409, 'chargePointIds');
  await assertJsonError(await api(app.httpBase, '/api/load/circuits/999'), 404, 'id');
  await assertJsonError(await api(app.httpBase, '/api/load/circuits/abc'), 404, 'id');

  // The shares follow the tree: the bay's 20 A split in two; the yard (capped by the 100 A site) gets the rest.
  await apiJson(app.httpBase, '/api/load/site', { method: 'PUT', json: { limitAmps: 100 } });
  for (const id of ['BAY1', 'BAY2', 'YARD1', 'YARD2']) await depot.start(id);
  await until('the bay at 10 A a charger, the yard at 32 A', () => depot.draw('BAY1') === 10 && depot.draw('BAY2') === 10 && depot.draw('YARD1') === 32 && depot.draw('YARD2') === 32, 8000);
  const state = await load();
  const circuits = new Map(state.circuits.map((c) => [c.name, c]));
  assert.equal(circuits.get('Bay')!.allocatedAmps, 20);
  assert.equal(circuits.get('Yard')!.effectiveLimitAmps, 100);
  assert.equal(state.chargers.find((c) => c.chargePointId === 'BAY1')!.circuitId, bay.id);

  // Raising the bay's breaker to 40 A: the bay still binds (20 A each), the yard gets the rest (30 A each).
  const raised = await apiJson<StoredCircuit>(app.httpBase, `/api/load/circuits/${bay.id}`, { method: 'PATCH', json: { limitAmps: 40 } });
  assert.equal(raised.limitAmps, 40);
  await until('the bay at 20 A a charger, the yard at 30 A', () => depot.draw('BAY1') === 20 && depot.draw('BAY2') === 20 && depot.draw('YARD1') === 30 && depot.draw('YARD2') === 30, 5000);
  await apiJson(app.httpBase, `/api/load/circuits/${bay.id}`, { method: 'DELETE' });
  await apiJson(app.httpBase, `/api/load/circuits/${yard.id}`, { method: 'DELETE' });
  assert.deepEqual(await apiJson(app.httpBase, '/api/load/circuits'), []);
  for (const id of ['BAY1', 'BAY2', 'YARD1', 'YARD2']) depot.stop(id);
});

test("issue 13: priorities per charger and per tag; settings validated; GET /api/load shows each charger's priority (review)", async () => {
  await assertJsonError(await put('/api/load/chargers/NOPE', { priority: 1 }), 404, 'cpId');
  await assertJsonError(await put('/api/load/chargers/BAY1', { priority: 1.5 }), 400);
  await assertJsonError(await put('/api/load/tags/TAG-BAY1', { priority: 'high' }), 400);
  assert.deepEqual(await apiJson(app.httpBase, '/api/load/chargers/BAY1', { method: 'PUT', json: { priority: 5, minAmps: 8 } }), { chargePointId: 'BAY1', priority: 5, minAmps: 8, phases: null });
  // Each charger's priority in the load state: the one set, else the default 0.
  const priorities = new Map((await load()).chargers.map((c) => [c.chargePointId, c.priority]));
  assert.deepEqual(Object.fromEntries(priorities), { BAY1: 5, BAY2: 0, YARD1: 0, YARD2: 0 });
  await apiJson(app.httpBase, '/api/load/tags/TAG-YARD1', { method: 'PUT', json: { priority: 9 } });
  assert.deepEqual(await apiJson(app.httpBase, '/api/load/tags'), [{ idTag: 'TAG-YARD1', priority: 9 }]);
  // 14 A for three sessions with 6-8 A minimums: YARD1 (tag 9) and BAY1 (charger 5) charge, YARD2 waits.
  await apiJson(app.httpBase, '/api/load/site', { method: 'PUT', json: { limitAmps: 14 } });
  for (const id of ['BAY1', 'YARD1', 'YARD2']) await depot.start(id);
  await until(
    'the lowest priority waits',
    async () => {
      const s = await load();
      const by = new Map(s.chargers.map((c) => [c.chargePointId, c]));
      return by.get('YARD2')!.waiting === 1 && by.get('YARD2')!.allocatedAmps === 0 && by.get('YARD1')!.allocatedAmps === 6 && by.get('BAY1')!.allocatedAmps === 8;
    },
    5000,
  );
  await until('the waiting vehicle draws nothing', () => depot.draw('YARD2') === 0 && depot.draw('BAY1') === 8, 5000);
  // It resumes when a session ends.
  depot.stop('BAY1');
  await until('YARD2 resumes', () => depot.draw('YARD2') >= 6, 5000);
  for (const id of ['YARD1', 'YARD2']) depot.stop(id);
  await apiJson(app.httpBase, '/api/load/tags/TAG-YARD1', { method: 'PUT', json: { priority: null } });
  assert.deepEqual(await apiJson(app.httpBase, '/api/load/tags'), []);
});

test('issue 13: a site limit of 0 pauses every session; raising it resumes them', async () => {
  await apiJson(app.httpBase, '/api/load/chargers/BAY1', { method: 'PUT', json: { priority: null, minAmps: null } });
  await apiJson(app.httpBase, '/api/load/site', { method: 'PUT', json: { limitAmps: 0 } });
  for (const id of ['BAY1', 'YARD1']) await depot.start(id);
  await until('both paused', async () => depot.draw('BAY1') === 0 && depot.draw('YARD1') === 0 && (await load()).chargers.every((c) => c.allocatedAmps === 0), 5000);
  await apiJson(app.httpBase, '/api/load/site', { method: 'PUT', json: { limitAmps: 30 } });
  await until('both resumed at 15 A', () => depot.draw('BAY1') === 15 && depot.draw('YARD1') === 15, 5000);
  for (const id of ['BAY1', 'YARD1']) depot.stop(id);
});

test('issue 13: {"limitAmps": null} turns load management off: our profiles come off the chargers', async () => {
  await apiJson(app.httpBase, '/api/load/site', { method: 'PUT', json: { limitAmps: 50 } });
  await until('fallbacks sent', () => depot.chargers.every((c) => c.received.some((r) => r.action === 'SetChargingProfile')), 5000);
  const state = await apiJson<LoadState>(app.httpBase, '/api/load/site', { method: 'PUT', json: { limitAmps: null } });
  assert.equal(state.siteLimitAmps, null);
  await until('every charger cleared', () => depot.chargers.every((c) => c.received.some((r) => r.action === 'ClearChargingProfile')), 5000);
  await depot.start('BAY2');
  await until('an unmanaged session draws the charger maximum', () => depot.draw('BAY2') === 32, 5000);
  depot.stop('BAY2');
});
