/**
 * Failed charger logins per remote address and per claimed identity. Each failure slows the
 * next answer down; `maxFailures` within the lockout period lock that address or identity
 * out for `lockoutMs`. Unknown identities are counted like known ones, so a lockout says
 * nothing about whether an identity exists.
 */
export interface Lockout {
  kind: 'address' | 'identity';
  key: string;
  until: string;
  failures: number;
}

interface Entry {
  failures: number[];
  lockedUntil: number;
}

const MAX_TRACKED = 50_000;

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxFailures: number,
    private readonly lockoutMs: number,
  ) {}

  private entry(id: string, now: number): Entry {
    let e = this.entries.get(id);
    if (!e) {
      if (this.entries.size >= MAX_TRACKED) this.prune(now);
      this.entries.set(id, (e = { failures: [], lockedUntil: 0 }));
    }
    e.failures = e.failures.filter((t) => now - t < this.lockoutMs);
    return e;
  }

  /** The lockout in force for this address or identity, if any. */
  locked(address: string, identity: string, now = Date.now()): Lockout | null {
    for (const [kind, key] of [
      ['address', address],
      ['identity', identity],
    ] as const) {
      const e = this.entries.get(`${kind}:${key}`);
      if (e && e.lockedUntil > now) return { kind, key, until: new Date(e.lockedUntil).toISOString(), failures: e.failures.length };
    }
    return null;
  }

  /** Records a failure; returns the delay to apply before answering and any new lockouts. */
  failure(address: string, identity: string, now = Date.now()): { delayMs: number; newLockouts: Lockout[] } {
    const newLockouts: Lockout[] = [];
    let worst = 0;
    for (const [kind, key] of [
      ['address', address],
      ['identity', identity],
    ] as const) {
      const e = this.entry(`${kind}:${key}`, now);
      e.failures.push(now);
      worst = Math.max(worst, e.failures.length);
      if (e.failures.length >= this.maxFailures && e.lockedUntil <= now) {
        e.lockedUntil = now + this.lockoutMs;
        newLockouts.push({ kind, key, until: new Date(e.lockedUntil).toISOString(), failures: e.failures.length });
      }
    }
    return { delayMs: Math.min(2000, 200 * worst), newLockouts };
  }

  /** A good login clears the identity's failures (the address keeps its record). */
  success(identity: string): void {
    this.entries.delete(`identity:${identity}`);
  }

  list(now = Date.now()): Lockout[] {
    const out: Lockout[] = [];
    for (const [id, e] of this.entries) {
      if (e.lockedUntil <= now) continue;
      const colon = id.indexOf(':');
      out.push({ kind: id.slice(0, colon) as Lockout['kind'], key: id.slice(colon + 1), until: new Date(e.lockedUntil).toISOString(), failures: e.failures.length });
    }
    return out;
  }

  /** Lifts a lockout (operator action); returns whether there was one. */
  clear(kind: Lockout['kind'], key: string): boolean {
    return this.entries.delete(`${kind}:${key}`);
  }

  private prune(now: number): void {
    for (const [id, e] of this.entries) if (e.lockedUntil <= now && e.failures.every((t) => now - t >= this.lockoutMs)) this.entries.delete(id);
  }
}
