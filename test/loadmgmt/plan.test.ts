import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type PlanInput, plan } from '../../main/loadmgmt/plan.js';

const charger = (chargePointId: string, o: { maximumAmps?: number | null; targetGroup?: string | null } = {}) => ({
  chargePointId,
  maximumAmps: o.maximumAmps === undefined ? 32 : o.maximumAmps,
  ratedAmps: null,
  targetGroup: o.targetGroup ?? null,
});
const session = (chargePointId: string, idTag = 'T', startedMs = 0) => ({ key: `${chargePointId}#1`, chargePointId, connectorId: 1, idTag, startedMs, demandAmps: null });
const circuit = (id: number, limitAmps: number, members: { targetGroup?: string; chargePointIds?: string[] }) => ({
  id,
  name: `c${id}`,
  limitAmps,
  targetGroup: members.targetGroup ?? null,
  chargePointIds: members.chargePointIds ?? null,
  createdAt: '',
  updatedAt: '',
});

const input = (o: Partial<PlanInput>): PlanInput => ({
  site: { limitAmps: 100, phases: 3 },
  circuits: [],
  chargers: [],
  settings: new Map(),
  tagPriorities: new Map(),
  connectorCounts: new Map(),
  sessions: [],
  connected: () => true,
  flags: new Map(),
  toldTxAmps: () => undefined,
  defaultMaxAmps: 32,
  defaultMinAmps: 6,
  ...o,
});

test('issue 13: the fallback is the site (less refusing chargers at their maximum) over the connectors, and the same per circuit', () => {
  const p = plan(
    input({
      chargers: [charger('A', { targetGroup: 'bay' }), charger('B', { targetGroup: 'bay' }), charger('C'), charger('D', { maximumAmps: 16 }), charger('E', { maximumAmps: null })],
      circuits: [circuit(1, 20, { targetGroup: 'bay' })],
      flags: new Map([['D', 'rejects charging profiles']]),
      connectorCounts: new Map([['C', 2]]),
    }),
  );
  // (100 - 16) over A, B, C (2 connectors) and E: 16.8; the bay's 20 A over A and B: 10.
  assert.deepEqual(
    [...p.chargers.values()].map((c) => [c.chargePointId, c.circuitId, c.maxAmps, c.fallbackAmps]),
    [
      ['A', 1, 32, 10],
      ['B', 1, 32, 10],
      ['C', null, 32, 16.8],
      ['D', null, 16, 16],
      ['E', null, 32, 16.8],
    ],
  );
});

test('issue 13: an idTag priority wins over the charger priority; refusing and unreachable chargers are counted, not controlled', () => {
  const p = plan(
    input({
      site: { limitAmps: 40, phases: 3 },
      chargers: [charger('VIP'), charger('LOW'), charger('GONE'), charger('NO')],
      settings: new Map([['LOW', { priority: 5, minAmps: null, phases: null }]]),
      tagPriorities: new Map([['BUS', 9]]),
      sessions: [session('VIP', 'BUS', 2), session('LOW', 'T', 1), session('NO', 'T', 0)],
      flags: new Map([['NO', 'does not support SmartCharging']]),
      connected: (cp) => cp !== 'GONE',
    }),
  );
  const a = p.allocation.amps;
  // NO at its 32 A maximum; GONE (no session) reserved at its fallback: (40 - 32) / 3 = 2.6.
  assert.equal(a.get('NO#1'), 32);
  assert.equal(a.get('GONE#offline'), 2.6);
  // 5.4 A left: not enough for two minimums of 6 A, and not even one.
  assert.deepEqual([...p.allocation.waiting].sort(), ['LOW#1', 'VIP#1']);
  const tight = plan(
    input({
      site: { limitAmps: 20, phases: 3 },
      chargers: [charger('VIP'), charger('LOW')],
      settings: new Map([['LOW', { priority: 5, minAmps: null, phases: null }]]),
      tagPriorities: new Map([['BUS', 9]]),
      sessions: [session('VIP', 'BUS', 2), session('LOW', 'T', 1)],
    }),
  );
  // Above both minimums the tag's 9 beats the charger's 5: 14 + 6.
  assert.equal(tight.allocation.amps.get('VIP#1'), 14);
  assert.equal(tight.allocation.amps.get('LOW#1'), 6);
});
