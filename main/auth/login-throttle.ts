/**
 * Failed charger logins per remote address and per claimed identity.
 *
 * An address that fails `maxFailures` times within the lockout period is locked out for
 * `lockoutMs`. An identity is never locked out: anyone on the LAN could otherwise lock a real
 * charger out with a few wrong passwords. Instead, logins to an identity with recent failures
 * are slowed down (a bounded wait each, taken one after the other), except from the charger's
 * own address, the one it last connected from successfully. Unknown identities are counted
 * like known ones, so the throttle says nothing about whether an identity exists.
 */
export interface Lockout {
  kind: 'address';
  key: string;
  until: string;
  failures: number;
}

/** An identity whose logins from other addresses are being slowed down. */
export interface SlowedIdentity {
  kind: 'identity';
  key: string;
  /** When its last failure stops counting. */
  until: string;
  failures: number;
}

interface Entry {
  failures: number[];
  lockedUntil: number;
  /** Identities: when the next slowed login may be checked. */
  nextSlot: number;
}

const MAX_TRACKED = 50_000;
/** Each recent failure adds this much to a wait (a failed answer's, a slowed login's)... */
const STEP_MS = 200;
/** ...up to this much. */
const MAX_WAIT_MS = 2000;
/** Logins queued for a slowed identity beyond this wait are answered 429 at once (never the charger's own address). */
export const MAX_QUEUE_MS = 30_000;
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
      e = { failures: [], lockedUntil: 0, nextSlot: 0 };
      this.entries.set(id, e);
    }
    e.failures = e.failures.filter((t) => now - t < this.lockoutMs);
    return e;
  }

  /** The lockout in force for this address, if any. */
  locked(address: string, now = Date.now()): Lockout | null {
    const e = this.entries.get(`address:${address}`);
    return e && e.lockedUntil > now ? { kind: 'address', key: address, until: new Date(e.lockedUntil).toISOString(), failures: e.failures.length } : null;
  }

  /**
   * How long a login to `identity` from `address` waits before its password is checked: 0
   * from the charger's own address (`homeAddress`) or when the identity has no recent
   * failures; else a bounded wait, and logins from elsewhere queue one after the other.
   * `null`: the queue is full (answer 429 now; the charger's own address never gets it).
   */
  slowDown(identity: string, address: string, homeAddress: string | null, now = Date.now()): number | null {
    if (address === homeAddress || !this.entries.has(`identity:${identity}`)) return 0;
    const e = this.entry(`identity:${identity}`, now);
    if (!e.failures.length) return 0;
    const start = Math.max(now, e.nextSlot);
    const slot = start + Math.min(MAX_WAIT_MS, STEP_MS * e.failures.length);
    if (slot - now > MAX_QUEUE_MS) return null;
    e.nextSlot = slot;
    return slot - now;
  }

  /** Records a failure; returns the delay to apply before answering and a new address lockout, if any. */
  failure(address: string, identity: string, now = Date.now()): { delayMs: number; newLockout: Lockout | null } {
    this.entry(`identity:${identity}`, now).failures.push(now);
    const e = this.entry(`address:${address}`, now);
    e.failures.push(now);
    let newLockout: Lockout | null = null;
    if (e.failures.length >= this.maxFailures && e.lockedUntil <= now) {
      e.lockedUntil = now + this.lockoutMs;
      newLockout = { kind: 'address', key: address, until: new Date(e.lockedUntil).toISOString(), failures: e.failures.length };
    }
    return { delayMs: Math.min(MAX_WAIT_MS, STEP_MS * e.failures.length), newLockout };
  }

  /** Addresses locked out and identities being slowed down. */
  list(now = Date.now()): Array<Lockout | SlowedIdentity> {
    const out: Array<Lockout | SlowedIdentity> = [];
    for (const [id, e] of this.entries) {
      const colon = id.indexOf(':');
      const key = id.slice(colon + 1);
      if (id.startsWith('address:')) {
        if (e.lockedUntil > now) out.push({ kind: 'address', key, until: new Date(e.lockedUntil).toISOString(), failures: e.failures.length });
        continue;
      }
      const recent = e.failures.filter((t) => now - t < this.lockoutMs);
      if (recent.length) out.push({ kind: 'identity', key, until: new Date(recent[recent.length - 1]! + this.lockoutMs).toISOString(), failures: recent.length });
    }
    return out;
  }

  /** Lifts an address lockout or an identity's slow-down (operator action); returns whether there was one. */
  clear(kind: 'address' | 'identity', key: string): boolean {
    return this.entries.delete(`${kind}:${key}`);
  }

  private prune(now: number): void {
    for (const [id, e] of this.entries) if (e.lockedUntil <= now && e.failures.every((t) => now - t >= this.lockoutMs)) this.entries.delete(id);
  }
}
