import type { Logger } from '../log/logger.js';

/**
 * Token bucket for one charger's inbound messages. Over the rate, the socket is paused (TCP
 * backpressure slows the charger down) rather than messages refused: nothing is lost.
 */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  /** Takes a token; returns 0 when allowed, else how many ms until one is available. */
  take(): number {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerSec) / 1000);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSec);
  }
}

/**
 * Counts events in fixed windows (bad messages per charger): a window starts with the first
 * event after the previous one ended, and its count starts again at 0. Not sliding, so a
 * burst across a window boundary can reach up to twice the limit before it trips.
 */
export class WindowCounter {
  private count = 0;
  private windowStart = Date.now();

  constructor(private readonly windowMs = 60_000) {}

  add(): number {
    const now = Date.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.count = 0;
    }
    return ++this.count;
  }
}

/**
 * Logs a limit breach once per window per key, with how many were suppressed, so a flood
 * does not become a flood of log lines.
 */
export class BreachLog {
  private readonly seen = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly windowMs = 60_000,
  ) {}

  report(kind: string, key: string, fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    const id = `${kind}\u0000${key}`;
    const entry = this.seen.get(id);
    if (entry && now - entry.at < this.windowMs) {
      entry.suppressed++;
      return;
    }
    this.log.warn({ limit: kind, ...fields, ...(entry?.suppressed && { suppressedSinceLast: entry.suppressed }) }, message);
    this.seen.set(id, { at: now, suppressed: 0 });
    if (this.seen.size > 10_000) {
      for (const [k, v] of this.seen) if (now - v.at >= this.windowMs) this.seen.delete(k);
    }
  }
}
