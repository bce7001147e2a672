/**
 * The site tree built from the registry and the load settings: each charger's circuit,
 * maximum, fallback limit, and the loads handed to `allocate`.
 */

import type { ChargerLoadSettings, Phases, RegistryCharger, SiteLimit, StoredCircuit } from '../store/queries/load-management.js';
import { type Allocation, allocate, floorToResolution, type Load } from './allocate.js';

export interface PlannedSession {
  key: string;
  chargePointId: string;
  connectorId: number;
  idTag: string;
  startedMs: number;
  /** What the vehicle can take, when it draws less than its share; null: the charger's maximum. */
  demandAmps: number | null;
}

export interface PlanInput {
  site: SiteLimit;
  circuits: readonly StoredCircuit[];
  chargers: readonly RegistryCharger[];
  settings: ReadonlyMap<string, ChargerLoadSettings>;
  tagPriorities: ReadonlyMap<string, number>;
  connectorCounts: ReadonlyMap<string, number>;
  sessions: readonly PlannedSession[];
  connected: (chargePointId: string) => boolean;
  /** Chargers that refused our profiles, with why. */
  flags: ReadonlyMap<string, string>;
  /** The TxProfile limit a session's charger accepted last, if still valid. */
  toldTxAmps: (sessionKey: string) => number | undefined;
  defaultMaxAmps: number;
  defaultMinAmps: number;
}

export interface ChargerPlan {
  chargePointId: string;
  connected: boolean;
  circuitId: number | null;
  maxAmps: number;
  phases: Phases | null;
  /** Its sessions' priority unless their tag has one (higher is served first; default 0). */
  priority: number;
  /** TxDefaultProfile limit (null without a site limit). */
  fallbackAmps: number | null;
  flagReason: string | null;
}

export interface Plan {
  site: SiteLimit;
  circuits: readonly StoredCircuit[];
  chargers: Map<string, ChargerPlan>;
  allocation: Allocation;
}

/** A charger belongs to the first circuit (by id) naming it or its target group. */
function circuitOf(c: RegistryCharger, circuits: readonly StoredCircuit[]): number | null {
  const hit = circuits.find((k) => (k.targetGroup !== null ? k.targetGroup === c.targetGroup : k.chargePointIds!.includes(c.chargePointId)));
  return hit?.id ?? null;
}

export function plan(input: PlanInput): Plan {
  const { site, circuits } = input;
  const known = new Map(input.chargers.map((c) => [c.chargePointId, c]));
  // A session on a charger missing from the registry still counts, with the defaults.
  for (const s of input.sessions) if (!known.has(s.chargePointId)) known.set(s.chargePointId, { chargePointId: s.chargePointId, maximumAmps: null, ratedAmps: null, targetGroup: null });

  const chargers = new Map<string, ChargerPlan>();
  for (const c of known.values()) {
    chargers.set(c.chargePointId, {
      chargePointId: c.chargePointId,
      connected: input.connected(c.chargePointId),
      circuitId: circuitOf(c, circuits),
      maxAmps: c.maximumAmps ?? c.ratedAmps ?? input.defaultMaxAmps,
      phases: input.settings.get(c.chargePointId)?.phases ?? null,
      priority: input.settings.get(c.chargePointId)?.priority ?? 0,
      fallbackAmps: null,
      flagReason: input.flags.get(c.chargePointId) ?? null,
    });
  }
  if (site.limitAmps !== null) setFallbacks(chargers, site.limitAmps, circuits, input.connectorCounts);

  const loads: Load[] = [];
  const sessionsOf = new Set(input.sessions.map((s) => s.chargePointId));
  for (const s of input.sessions) {
    const c = chargers.get(s.chargePointId)!;
    const settings = input.settings.get(s.chargePointId);
    loads.push({
      id: s.key,
      circuitId: c.circuitId === null ? null : String(c.circuitId),
      maxAmps: c.maxAmps,
      minAmps: settings?.minAmps ?? input.defaultMinAmps,
      demandAmps: s.demandAmps ?? c.maxAmps,
      priority: input.tagPriorities.get(s.idTag) ?? c.priority,
      order: s.startedMs,
      fixedAmps: fixedAmps(c, input.toldTxAmps(s.key)),
    });
  }
  // An unreachable charger may start a session on its own, at its fallback: keep that free.
  for (const c of chargers.values()) {
    if (c.connected || sessionsOf.has(c.chargePointId) || c.fallbackAmps === null) continue;
    const n = input.connectorCounts.get(c.chargePointId) ?? 1;
    loads.push({
      id: `${c.chargePointId}#offline`,
      circuitId: c.circuitId === null ? null : String(c.circuitId),
      maxAmps: c.maxAmps,
      minAmps: 0,
      demandAmps: 0,
      priority: 0,
      order: 0,
      fixedAmps: c.fallbackAmps * n,
    });
  }
  const allocation = allocate({ siteLimitAmps: site.limitAmps, circuits: circuits.map((k) => ({ id: String(k.id), limitAmps: k.limitAmps })), loads });
  return { site, circuits, chargers, allocation };
}

/** Counted, not controlled: a charger refusing profiles at its maximum, an unreachable one at what it may draw. */
function fixedAmps(c: ChargerPlan, toldTx: number | undefined): number | null {
  if (c.flagReason !== null) return c.maxAmps;
  if (c.connected) return null;
  return Math.min(c.maxAmps, Math.max(toldTx ?? 0, c.fallbackAmps ?? c.maxAmps));
}

/**
 * The fallback: what a node leaves after its flagged chargers (at their maximum), split over
 * the connectors of the others, so the site holds even if every charger loses the controller.
 */
function setFallbacks(chargers: Map<string, ChargerPlan>, siteLimit: number, circuits: readonly StoredCircuit[], counts: ReadonlyMap<string, number>): void {
  const perConnector = (members: ChargerPlan[], limit: number) => {
    const fixed = members.filter((c) => c.flagReason !== null).reduce((s, c) => s + c.maxAmps, 0);
    const connectors = members.filter((c) => c.flagReason === null).reduce((s, c) => s + (counts.get(c.chargePointId) ?? 1), 0);
    return connectors ? Math.max(0, limit - fixed) / connectors : Infinity;
  };
  const all = [...chargers.values()];
  const site = perConnector(all, siteLimit);
  const byCircuit = new Map(
    circuits.map((k) => [
      k.id,
      perConnector(
        all.filter((c) => c.circuitId === k.id),
        Math.min(k.limitAmps, siteLimit),
      ),
    ]),
  );
  for (const c of all) {
    c.fallbackAmps = floorToResolution(Math.min(site, c.circuitId === null ? Infinity : byCircuit.get(c.circuitId)!, c.maxAmps));
  }
}
