import type { OcppServices } from './context.js';

export interface SecurityAlert {
  kind: 'security';
  chargePointId: string;
  message: string;
  at: string;
}

/** Alerts stay listed this long, and at most this many. */
const KEEP_MS = 24 * 3600_000;
const KEEP_COUNT = 100;

/**
 * Security alerts about charger connections: logged, announced on the event stream, written
 * to the audit log and kept for a day for `/api/alerts`.
 */
export class SecurityAlerts {
  private readonly recent: SecurityAlert[] = [];

  constructor(private readonly s: Pick<OcppServices, 'events' | 'log' | 'writer'>) {}

  /**
   * A live connection was replaced by a new one from another address. Chargers do reconnect
   * from new addresses, so it is allowed; but for a charger without a password it is also
   * exactly what an impersonation looks like.
   */
  connectionReplaced(a: { chargePointId: string; previousAddress: string; remoteAddress: string; passwordless: boolean }): void {
    const message =
      `live connection of ${a.chargePointId} from ${a.previousAddress} replaced by a new one from ${a.remoteAddress}` +
      (a.passwordless ? ': the charger has no password, so anyone can connect with its identity; set one (security profile 1)' : '');
    const at = new Date().toISOString();
    this.s.log.warn(
      { cp: a.chargePointId, previousAddress: a.previousAddress, remoteAddress: a.remoteAddress, passwordless: a.passwordless },
      'security alert: connection replaced from another address',
    );
    this.recent.push({ kind: 'security', chargePointId: a.chargePointId, message, at });
    if (this.recent.length > KEEP_COUNT) this.recent.shift();
    this.s.events.emit('alert', { kind: 'security', message, at });
    void this.s.writer
      .runLazy('audit', {
        at,
        by: `connection from ${a.remoteAddress}`,
        chargePointId: a.chargePointId,
        action: 'ConnectionReplaced',
        payload: JSON.stringify({ previousAddress: a.previousAddress, remoteAddress: a.remoteAddress, passwordless: a.passwordless }),
        ok: true,
        result: null,
        error: null,
        durationMs: 0,
      })
      .catch((err) => this.s.log.error({ cp: a.chargePointId, err }, 'could not write the security audit entry'));
  }

  /** Alerts of the last day, newest first. */
  list(now = Date.now()): SecurityAlert[] {
    return this.recent.filter((a) => now - Date.parse(a.at) < KEEP_MS).reverse();
  }
}
