/** A depot for load management tests: simulated chargers with EVs against a real service. */
import assert from 'node:assert/strict';
import { TEST_TOKEN } from '../helpers/app.js';
import { SimCharger, type SimChargerOptions } from '../sim/charger.js';
import { Vehicle } from '../sim/vehicle.js';

/** Fast reactions so a test takes seconds: the same code paths, shorter intervals. */
export const FAST_LOAD = {
  loadBatchIntervalMs: 200,
  loadProfileLeaseSec: 4,
  loadSettleMs: 1000,
  loadHeadroomAmps: 2,
  loadOverLimitAlertSec: 1,
  callTimeoutMs: 2000,
} as const;

export const METER_INTERVAL_MS = 200;

export interface Depot {
  chargers: SimCharger[];
  vehicles: Map<string, Vehicle>;
  /** What the EVs draw now, summed (what the chargers report in Current.Import). */
  siteDraw(): number;
  draw(id: string): number;
  /** Plugs an EV in; online it waits for the transactionId. */
  start(id: string): Promise<void>;
  stop(id: string): void;
  close(): Promise<void>;
}

export async function api(base: string, path: string, init: { method?: string; json?: unknown } = {}): Promise<Response> {
  return fetch(base + path, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(init.json !== undefined && { 'content-type': 'application/json' }) },
    ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
  });
}

export async function apiJson<T>(base: string, path: string, init: { method?: string; json?: unknown } = {}): Promise<T> {
  const res = await api(base, path, init);
  const text = await res.text();
  assert.ok(res.ok, `${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Registers chargers of 32 A (seed 000 maximumAmps) and connects one SimCharger each. */
export async function openDepot(o: { httpBase: string; wsBase: string; ids: string[]; maximumAmps?: number; charger?: (id: string) => Partial<SimChargerOptions> }): Promise<Depot> {
  for (const id of o.ids) {
    await apiJson(o.httpBase, '/api/charger', { method: 'POST', json: { chargePointId: id, maximumAmps: o.maximumAmps ?? 32 } });
    await apiJson(o.httpBase, '/api/rfid', { method: 'POST', json: { tagId: tagOf(id) } });
  }
  const chargers = o.ids.map((id) =>
    new SimCharger({
      id,
      url: `${o.wsBase}/ocpp`,
      meterIntervalMs: METER_INTERVAL_MS,
      backoffInitialMs: 100,
      backoffMaxMs: 500,
      callTimeoutMs: 3000,
      // Sessions may start while the central system is down.
      config: { AllowOfflineTxForUnknownId: 'true' },
      ...o.charger?.(id),
    }).start(),
  );
  await Promise.all(chargers.map((c) => c.waitFor(() => c.isOnline, 10_000, 'boot')));
  const vehicles = new Map<string, Vehicle>();
  const byId = new Map(chargers.map((c) => [c.id, c]));
  return {
    chargers,
    vehicles,
    siteDraw: () => [...vehicles.values()].reduce((s, v) => s + v.drawAmps, 0),
    draw: (id) => vehicles.get(id)?.drawAmps ?? 0,
    async start(id) {
      const vehicle = new Vehicle({ rampAmpsPerSec: 40, soc: 0.3 });
      const r = await byId.get(id)!.startSession({ idTag: tagOf(id), vehicle });
      assert.ok(r.started, `session on ${id}: ${r.started ? '' : r.reason}`);
      vehicles.set(id, vehicle);
      if (byId.get(id)!.isOnline) await byId.get(id)!.waitFor(() => r.tx.transactionId !== null, 10_000, 'StartTransaction answer');
    },
    stop(id) {
      byId.get(id)!.stopSession(1);
      vehicles.delete(id);
    },
    close: async () => void (await Promise.all(chargers.map((c) => c.close()))),
  };
}

/** Polls until `ok` holds (bounded); returns how long it took. */
export async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!(await ok())) {
    if (Date.now() - t0 > timeoutMs) assert.fail(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - t0;
}

/** Watches `check` every 50 ms for `ms` and fails on the first violation. */
export async function holds(what: string, check: () => string | null, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const problem = check();
    if (problem) assert.fail(`${what}: ${problem}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const tagOf = (id: string) => `TAG-${id}`;

export const ids = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(2, '0')}`);
