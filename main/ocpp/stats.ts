import { entryOf } from '../map-entry.js';

/** Message counts, error rates and response times since start (seed 003's /statistics). */
interface ActionStats {
  count: number;
  errors: number;
  totalMs: number;
  maxMs: number;
}

const WINDOW = 1024;

export class OcppStats {
  readonly startedAt = new Date();
  private readonly inbound = new Map<string, ActionStats>();
  private readonly outbound = new Map<string, ActionStats & { timeouts: number }>();
  // A ring of recent handling times for percentiles, without unbounded growth.
  private readonly recent = new Float64Array(WINDOW);
  private recentCount = 0;

  /** An inbound CALL answered (ok) or refused with a CALLERROR, and how long it took. */
  inboundHandled(action: string, ms: number, ok: boolean): void {
    const s = entryOf(this.inbound, this.inbound.size < 200 || this.inbound.has(action) ? action : '(other)', () => ({ count: 0, errors: 0, totalMs: 0, maxMs: 0 }));
    s.count++;
    if (!ok) s.errors++;
    s.totalMs += ms;
    if (ms > s.maxMs) s.maxMs = ms;
    this.recent[this.recentCount++ % WINDOW] = ms;
  }

  outboundDone(action: string, ms: number, outcome: 'ok' | 'error' | 'timeout'): void {
    const s = entryOf(this.outbound, action, () => ({ count: 0, errors: 0, totalMs: 0, maxMs: 0, timeouts: 0 }));
    s.count++;
    if (outcome === 'error') s.errors++;
    if (outcome === 'timeout') s.timeouts++;
    s.totalMs += ms;
    if (ms > s.maxMs) s.maxMs = ms;
  }

  snapshot(activeConnections: number): unknown {
    const view = (m: Map<string, ActionStats & { timeouts?: number }>) =>
      Object.fromEntries(
        [...m].map(([a, s]) => [
          a,
          {
            count: s.count,
            errors: s.errors,
            ...(s.timeouts !== undefined && { timeouts: s.timeouts }),
            errorRate: s.count ? s.errors / s.count : 0,
            avgMs: s.count ? s.totalMs / s.count : 0,
            maxMs: s.maxMs,
          },
        ]),
      );
    const n = Math.min(this.recentCount, WINDOW);
    const sorted = Array.from(this.recent.subarray(0, n)).sort((a, b) => a - b);
    const pct = (p: number) => (n ? sorted[Math.min(n - 1, Math.floor(p * n))] : 0);
    const totalIn = [...this.inbound.values()].reduce((a, s) => a + s.count, 0);
    const errIn = [...this.inbound.values()].reduce((a, s) => a + s.errors, 0);
    return {
      startedAt: this.startedAt.toISOString(),
      activeConnections,
      inbound: { total: totalIn, errors: errIn, errorRate: totalIn ? errIn / totalIn : 0, responseMs: { p50: pct(0.5), p95: pct(0.95), p99: pct(0.99) }, byAction: view(this.inbound) },
      outbound: { byAction: view(this.outbound) },
    };
  }
}
