/**
 * Sharing a site's current among charging sessions: a pure function of the site tree and the
 * sessions, so it can be tested exhaustively. All values are amps per phase.
 *
 * - The site (grid connection) is the root; circuits sit beneath it, each session's charger
 *   in at most one circuit. A circuit set above the site limit is capped by it.
 * - Fixed loads (chargers that refuse charging profiles, or that we cannot reach) are counted
 *   at the current given for them and never controlled.
 * - Every session that gets current gets at least its minimum (below it an EV does not
 *   charge); when there is not enough for all at the minimum, the lowest priority sessions,
 *   then the latest started, wait at 0 A.
 * - Above the minimums, higher priorities are served first; within a priority the current is
 *   shared max-min fairly (water filling), never above what a session can take (its demand).
 */

/** Granularity of a limit sent to a charger (OCPP limits carry one decimal). */
export const RESOLUTION_AMPS = 0.1;
const EPS = 1e-9;

export interface Circuit {
  id: string;
  limitAmps: number;
}

export interface Load {
  /** Unique per session, e.g. `CP1#1`. */
  id: string;
  /** Circuit the charger belongs to (unknown ids and null: directly under the site). */
  circuitId: string | null;
  maxAmps: number;
  /** Below this a session gets 0 A (waits). */
  minAmps: number;
  /** What the vehicle can take now; a session never gets more (but at least its minimum). */
  demandAmps: number;
  /** Higher is served first. */
  priority: number;
  /** Tie-break within a priority: lower goes first (e.g. the session's start time). */
  order: number;
  /** Not controlled: counted at this current (e.g. a charger that rejected profiles, at its maximum). */
  fixedAmps: number | null;
}

export interface AllocationInput {
  /** null: no site limit. */
  siteLimitAmps: number | null;
  circuits: readonly Circuit[];
  loads: readonly Load[];
}

export interface NodeTotal {
  /** Effective limit (a circuit capped by the site); Infinity without a limit. */
  limitAmps: number;
  /** Sum of the shares and fixed loads beneath. */
  allocatedAmps: number;
}

export interface Allocation {
  /** Amps per load id (fixed loads: their fixed current). */
  amps: Map<string, number>;
  /** Loads that get 0 A because the minimums do not all fit. */
  waiting: Set<string>;
  site: NodeTotal;
  circuits: Map<string, NodeTotal>;
}

interface Node {
  residual: number;
}

const tidy = (a: number): number => Math.round(a * 1000) / 1000;
/** Down to the resolution, so rounding never pushes a total over its limit. */
export const floorToResolution = (a: number): number => tidy(Math.floor(a / RESOLUTION_AMPS + EPS) * RESOLUTION_AMPS);

export function allocate(input: AllocationInput): Allocation {
  const siteLimit = input.siteLimitAmps ?? Infinity;
  const site: Node = { residual: siteLimit };
  const circuitNodes = new Map<string, Node>(input.circuits.map((c) => [c.id, { residual: Math.min(c.limitAmps, siteLimit) }]));
  const pathOf = (l: Load): Node[] => {
    const c = l.circuitId === null ? undefined : circuitNodes.get(l.circuitId);
    return c ? [site, c] : [site];
  };

  const amps = new Map<string, number>();
  const waiting = new Set<string>();
  const controlled: Load[] = [];
  for (const l of input.loads) {
    if (l.fixedAmps === null) {
      controlled.push(l);
      continue;
    }
    amps.set(l.id, l.fixedAmps);
    for (const n of pathOf(l)) n.residual -= l.fixedAmps;
  }

  // Admission at the minimum, most important first.
  controlled.sort((a, b) => b.priority - a.priority || a.order - b.order || (a.id < b.id ? -1 : 1));
  const share = new Map<Load, number>();
  for (const l of controlled) {
    const floor = Math.min(l.minAmps, l.maxAmps);
    const path = pathOf(l);
    if (floor === 0 || path.every((n) => n.residual + EPS >= floor)) {
      share.set(l, floor);
      for (const n of path) n.residual -= floor;
    } else {
      share.set(l, 0);
      waiting.add(l.id);
    }
  }

  // Water filling above the minimums, one priority tier at a time.
  const admitted = controlled.filter((l) => !waiting.has(l.id));
  const tiers = [...new Set(admitted.map((l) => l.priority))].sort((a, b) => b - a);
  for (const tier of tiers) {
    const target = (l: Load) => Math.max(Math.min(l.minAmps, l.maxAmps), Math.min(l.demandAmps, l.maxAmps));
    let active = admitted.filter((l) => l.priority === tier && target(l) - share.get(l)! > EPS);
    while (active.length) {
      const members = new Map<Node, number>();
      for (const l of active) for (const n of pathOf(l)) members.set(n, (members.get(n) ?? 0) + 1);
      let step = Infinity;
      for (const [n, count] of members) step = Math.min(step, Math.max(0, n.residual) / count);
      for (const l of active) step = Math.min(step, target(l) - share.get(l)!);
      for (const l of active) share.set(l, share.get(l)! + step);
      for (const [n, count] of members) n.residual -= step * count;
      active = active.filter((l) => target(l) - share.get(l)! > EPS && pathOf(l).every((n) => n.residual > EPS));
    }
  }
  for (const [l, a] of share) amps.set(l.id, floorToResolution(a));

  const totals = (inNode: (l: Load) => boolean, limitAmps: number): NodeTotal => ({
    limitAmps,
    allocatedAmps: tidy(input.loads.filter(inNode).reduce((s, l) => s + amps.get(l.id)!, 0)),
  });
  return {
    amps,
    waiting,
    site: totals(() => true, siteLimit),
    circuits: new Map(input.circuits.map((c) => [c.id, totals((l) => l.circuitId === c.id, Math.min(c.limitAmps, siteLimit))])),
  };
}
