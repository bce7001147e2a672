/**
 * Depot load management (issue 13): keeps every session's share in force on its charger.
 *
 * Events (sessions, connections, meter values, limit changes) only mark the plan stale; a
 * batch at most every `loadBatchIntervalMs` recomputes it and sends what changed, decreases
 * before increases, so a storm of events is one round of commands and the site never holds
 * an increase before the decrease that makes room for it.
 */
import type { Config } from '../config/schema.js';
import type { EdgeEvents, EventBus, LoadState } from '../events.js';
import type { Logger } from '../log/logger.js';
import type { Db } from '../store/db.js';
import type { LoadWriter } from '../store/load-ops.js';
import {
  activeSessions,
  chargerLoadSettings,
  connectorCounts,
  getSite,
  listCircuits,
  listTold,
  loadRegistry,
  type ProfilePurpose,
  type ToldProfile,
  tagPriorities,
} from '../store/queries/load-management.js';
import { StoreWriteError } from '../store/writer.js';
import type { ProfileSender, SendResult } from './command-sender.js';
import { OverLimitWatch } from './over-limit.js';
import { type Plan, type PlannedSession, plan } from './plan.js';
import { NOMINAL_VOLTS, txDefaultProfileId, txDefaultRequest, txProfileId, txRequest } from './profiles.js';

export interface LoadOptions {
  defaultMaxAmps: number;
  minAmps: number;
  batchIntervalMs: number;
  leaseSec: number;
  settleMs: number;
  headroomAmps: number;
  overLimitAlertSec: number;
}

export const loadOptions = (c: Config): LoadOptions => ({
  defaultMaxAmps: c.loadDefaultMaxAmps,
  minAmps: c.loadMinAmps,
  batchIntervalMs: c.loadBatchIntervalMs,
  leaseSec: c.loadProfileLeaseSec,
  settleMs: c.loadSettleMs,
  headroomAmps: c.loadHeadroomAmps,
  overLimitAlertSec: c.loadOverLimitAlertSec,
});

export interface LoadDeps {
  db: Db;
  writer: LoadWriter;
  events: EventBus;
  log: Logger;
  sender: ProfileSender;
  options: LoadOptions;
}

interface Session extends PlannedSession {
  transactionId: number;
  measuredAmps: number | null;
  /** When the charger accepted the share it has now (a vehicle is judged only after settling). */
  inForceSinceMs: number | null;
}

/** One profile to send, with the limit in force until it is accepted. */
interface Delivery {
  chargePointId: string;
  connectorId: number;
  purpose: ProfilePurpose;
  amps: number;
  inForce: number;
  transactionId: number | null;
  validTo: Date | null;
  session: Session | null;
}

const TX_STRIKES = 3;
const MAX_RETRY_MS = 60_000;
const sessionKey = (cp: string, connectorId: number) => `${cp}#${connectorId}`;
const toldKey = (cp: string, connectorId: number, purpose: ProfilePurpose) => `${cp}#${connectorId}#${purpose}`;
/** A measured current in integer tenths of an ampere (0 when none). */
const tenths = (amps: number | null): number => (amps === null ? 0 : Math.round(amps * 10));
const sum = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) * 10) / 10;

export class LoadController {
  private readonly sessions = new Map<string, Session>();
  private readonly told = new Map<string, ToldProfile>();
  /** Chargers refusing profiles, with why. */
  private readonly flags = new Map<string, string>();
  /** TxProfiles a charger rejected in a row: one may be a race with its transaction's start or end. */
  private readonly txStrikes = new Map<string, number>();
  /** Chargers that could not be asked, and when to try again. */
  private readonly backoff = new Map<string, { delayMs: number; untilMs: number }>();
  /** Chargers that got their TxDefaultProfile on this connection. */
  private readonly defaulted = new Set<string>();
  private readonly watch: OverLimitWatch;
  /** The over-limit alert while it stands (raised, not yet cleared), for /api/alerts. */
  private overLimit: EdgeEvents['alert'] | null = null;
  private readonly offs: Array<() => void> = [];
  private last: Plan | null = null;
  private lastShown = '';
  private timer: NodeJS.Timeout | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private dirty = false;
  private lastRunMs = 0;
  private closed = false;
  /**
   * The sessions' measured current summed, in tenths of an ampere (exact in integers), kept up
   * to date as samples come: summing every session on each MeterValues cost O(sessions) and an
   * array per message, a tenth of the main thread at 1,000 chargers.
   */
  private measuredTenths = 0;

  constructor(private readonly d: LoadDeps) {
    this.watch = new OverLimitWatch(d.options.overLimitAlertSec * 1000);
  }

  start(): void {
    const { db, events } = this.d;
    for (const t of listTold(db)) {
      this.told.set(toldKey(t.chargePointId, t.connectorId, t.purpose), t);
      if (t.status !== 'accepted') this.flags.set(t.chargePointId, flagReason(t.status));
    }
    for (const s of activeSessions(db)) this.addSession(s.chargePointId, s.connectorId, s.transactionId, s.idTag, Date.parse(s.startTime));
    this.offs.push(
      events.on('transaction.started', (e) => {
        this.addSession(e.chargePointId, e.connectorId, e.transactionId, e.idTag, Date.parse(e.timestamp));
        this.schedule();
      }),
      events.on('transaction.stopped', (e) => this.endSession(e.chargePointId, e.transactionId)),
      events.on('charger.connected', (e) => {
        this.backoff.delete(e.chargePointId);
        this.schedule();
      }),
      events.on('charger.booted', (e) => {
        // A reboot may have lost what it was told; an accepted boot lifts a Pending one's refusals.
        this.defaulted.delete(e.chargePointId);
        this.backoff.delete(e.chargePointId);
        this.schedule();
      }),
      events.on('charger.disconnected', (e) => {
        this.defaulted.delete(e.chargePointId);
        this.schedule();
      }),
      events.on('meter.values', (e) => this.measured(e.chargePointId, e.connectorId, e.currentA, e.powerW)),
    );
    // Refreshes leases and retries what failed, even when no event comes.
    const tickMs = Math.max(this.d.options.batchIntervalMs, Math.min((this.d.options.leaseSec * 1000) / 4, 30_000));
    this.ticker = setInterval(() => this.schedule(), tickMs);
    this.ticker.unref();
    this.schedule();
  }

  /** Stops reacting; answers still in flight are dropped (the store may be closing). */
  close(): void {
    this.closed = true;
    for (const off of this.offs.splice(0)) off();
    if (this.timer) clearTimeout(this.timer);
    if (this.ticker) clearInterval(this.ticker);
  }

  /** The site limit, a circuit or a setting changed. */
  limitsChanged(): void {
    // Shown at once (GET /api/load, the PUT's answer); sent with the next batch.
    this.last = this.compute();
    this.schedule();
  }

  /** Shares, fallbacks and measurements as last decided (GET /api/load, the event stream). */
  state(): LoadState {
    const p = this.last ?? this.compute();
    // Grouped once: per-charger filters over every session and share were quadratic at thousands of chargers.
    const sessionsOf = groupBy(this.sessions.values(), (s) => s.chargePointId);
    const sharesOf = groupBy(p.allocation.amps, ([key]) => key.slice(0, key.lastIndexOf('#')));
    const chargers = [...p.chargers.values()].map((c) => {
      const mine = sessionsOf.get(c.chargePointId) ?? [];
      const measured = mine.filter((s) => s.measuredAmps !== null).map((s) => s.measuredAmps!);
      return {
        chargePointId: c.chargePointId,
        connected: c.connected,
        circuitId: c.circuitId,
        priority: c.priority,
        maxAmps: c.maxAmps,
        fallbackAmps: c.fallbackAmps,
        // Its sessions' shares, or what an unreachable one is counted at.
        allocatedAmps: sum((sharesOf.get(c.chargePointId) ?? []).map(([, amps]) => amps)),
        measuredAmps: measured.length ? sum(measured) : null,
        waiting: mine.filter((s) => p.allocation.waiting.has(s.key)).length,
        flagged: c.flagReason !== null,
        flagReason: c.flagReason,
      };
    });
    const inCircuit = (id: number | null) => chargers.filter((c) => id === null || c.circuitId === id);
    const totals = (id: number | null) => ({
      allocatedAmps: sum(inCircuit(id).map((c) => c.allocatedAmps)),
      measuredAmps: sum(inCircuit(id).map((c) => c.measuredAmps ?? 0)),
    });
    return {
      siteLimitAmps: p.site.limitAmps,
      phases: p.site.phases,
      ...totals(null),
      chargers,
      circuits: p.circuits.map((k) => ({ id: k.id, name: k.name, limitAmps: k.limitAmps, effectiveLimitAmps: Math.min(k.limitAmps, p.site.limitAmps ?? Infinity), ...totals(k.id) })),
      at: new Date().toISOString(),
    };
  }

  private addSession(chargePointId: string, connectorId: number, transactionId: number, idTag: string, startedMs: number): void {
    const key = sessionKey(chargePointId, connectorId);
    this.measuredTenths -= tenths(this.sessions.get(key)?.measuredAmps ?? null);
    this.sessions.set(key, { key, chargePointId, connectorId, transactionId, idTag, startedMs, demandAmps: null, measuredAmps: null, inForceSinceMs: null });
  }

  private endSession(chargePointId: string, transactionId: number): void {
    for (const s of this.sessions.values()) {
      if (s.chargePointId !== chargePointId || s.transactionId !== transactionId) continue;
      this.sessions.delete(s.key);
      this.measuredTenths -= tenths(s.measuredAmps);
      // A TxProfile ends with its transaction (OCPP 1.6 §3.13.2).
      this.told.delete(toldKey(chargePointId, s.connectorId, 'TxProfile'));
      this.persist(this.d.writer.run('deleteLoadProfile', { chargePointId, connectorId: s.connectorId, purpose: 'TxProfile' }));
      this.schedule();
    }
  }

  /** A meter value: the site total for the alert, and whether the vehicle takes less than its share. */
  private measured(chargePointId: string, connectorId: number, currentA: number | undefined, powerW: number | undefined): void {
    const s = this.sessions.get(sessionKey(chargePointId, connectorId));
    if (!s) return;
    const site = this.last?.site ?? getSite(this.d.db);
    const phases = this.last?.chargers.get(chargePointId)?.phases ?? site.phases;
    const amps = currentA ?? (powerW === undefined ? undefined : powerW / (NOMINAL_VOLTS * phases));
    if (amps === undefined) return;
    const measured = Math.round(amps * 10);
    this.measuredTenths += measured - tenths(s.measuredAmps);
    s.measuredAmps = measured / 10;
    const now = Date.now();
    const siteMeasuredAmps = this.measuredTenths / 10;
    this.d.events.emit('load.measured', { chargePointId, connectorId, measuredAmps: s.measuredAmps, siteMeasuredAmps, siteLimitAmps: site.limitAmps, at: new Date(now).toISOString() });
    this.watchSite(siteMeasuredAmps, site.limitAmps, now);
    this.judgeDemand(s, now);
  }

  /** One alert when the measured site total stays over the limit, one when it is back under. */
  private watchSite(siteMeasuredAmps: number, siteLimitAmps: number | null, now: number): void {
    const alert = this.watch.update(siteMeasuredAmps, siteLimitAmps, now);
    if (!alert) return;
    const raised = alert === 'raised';
    const message = raised
      ? `measured site current ${siteMeasuredAmps} A has been above the ${siteLimitAmps} A limit for ${this.d.options.overLimitAlertSec} s`
      : `measured site current ${siteMeasuredAmps} A is within the limit again`;
    if (raised) this.d.log.warn({ siteMeasuredAmps, siteLimitAmps }, message);
    else this.d.log.info({ siteMeasuredAmps, siteLimitAmps }, message);
    const event = { kind: raised ? 'load-over-limit' : 'load-over-limit-cleared', message, at: new Date(now).toISOString() };
    this.overLimit = raised ? event : null;
    this.d.events.emit('alert', event);
  }

  /** Current alerts: the site over its limit, while it is. */
  alerts(): Array<EdgeEvents['alert']> {
    return this.overLimit ? [this.overLimit] : [];
  }

  /**
   * A vehicle drawing clearly less than its share (tapering, or limited by its own charger)
   * gets what it draws plus headroom; one using (nearly) all of it may have the charger's
   * maximum again. Between the two thresholds nothing changes, so a share does not flap.
   */
  private judgeDemand(s: Session, now: number): void {
    const share = this.last?.allocation.amps.get(s.key);
    if (share === undefined || s.measuredAmps === null || s.inForceSinceMs === null || now - s.inForceSinceMs < this.d.options.settleMs) return;
    const h = this.d.options.headroomAmps;
    let demand: number | null;
    if (s.measuredAmps < share - h) demand = s.measuredAmps + h;
    else if (s.measuredAmps >= share - h / 2) demand = null;
    else return;
    const same = demand === null ? s.demandAmps === null : s.demandAmps !== null && Math.abs(s.demandAmps - demand) < 1;
    if (same) return;
    s.demandAmps = demand;
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    if (this.timer) return;
    const wait = Math.max(0, this.lastRunMs + this.d.options.batchIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.run();
    }, wait);
  }

  private run(): void {
    this.lastRunMs = Date.now();
    this.dirty = false;
    this.running = this.batch()
      .catch((err: unknown) => {
        this.d.log.error({ err }, 'load management: batch failed');
        this.dirty = true;
      })
      .finally(() => {
        this.running = null;
        if (this.dirty) this.schedule();
      });
  }

  private compute(): Plan {
    const { db, options } = this.d;
    const now = Date.now();
    return plan({
      site: getSite(db),
      circuits: listCircuits(db),
      chargers: loadRegistry(db),
      settings: chargerLoadSettings(db),
      tagPriorities: tagPriorities(db),
      connectorCounts: connectorCounts(db),
      sessions: [...this.sessions.values()],
      connected: (cp) => this.d.sender.isConnected(cp),
      flags: this.flags,
      toldTxAmps: (key) => {
        const s = this.sessions.get(key)!;
        const t = this.told.get(toldKey(s.chargePointId, s.connectorId, 'TxProfile'));
        return t && t.status === 'accepted' && t.transactionId === s.transactionId && (t.validTo === null || Date.parse(t.validTo) > now) ? t.limitAmps : undefined;
      },
      defaultMaxAmps: options.defaultMaxAmps,
      defaultMinAmps: options.minAmps,
    });
  }

  private async batch(): Promise<void> {
    const p = this.compute();
    this.last = p;
    this.announce();
    if (p.site.limitAmps === null) return this.release();
    const now = Date.now();
    const deliveries = this.deliveries(p);
    const due = (x: Delivery) => (this.backoff.get(x.chargePointId)?.untilMs ?? 0) <= now;
    // Make room first: an increase waits until every decrease has been accepted.
    const decreases = deliveries.filter((x) => x.amps < x.inForce);
    const results = await Promise.all(decreases.filter(due).map((x) => this.deliver(x, p)));
    if (results.some((r) => r === 'retry') || !decreases.every(due)) return;
    await Promise.all(deliveries.filter((x) => x.amps >= x.inForce && due(x)).map((x) => this.deliver(x, p)));
  }

  /** A charger that could not be asked is asked again after a growing pause (not every batch). */
  private deferred(chargePointId: string): void {
    const delayMs = Math.min(MAX_RETRY_MS, 2 * (this.backoff.get(chargePointId)?.delayMs ?? this.d.options.batchIntervalMs / 2));
    this.backoff.set(chargePointId, { delayMs, untilMs: Date.now() + delayMs });
    setTimeout(() => this.schedule(), delayMs).unref();
  }

  /** Announces the shares when they changed. */
  private announce(): void {
    const state = this.state();
    const shown = JSON.stringify([
      state.siteLimitAmps,
      state.chargers.map((c) => [c.chargePointId, c.connected, c.priority, c.allocatedAmps, c.fallbackAmps, c.waiting, c.flagReason]),
      state.circuits,
    ]);
    if (shown === this.lastShown) return;
    this.lastShown = shown;
    this.d.events.emit('load.allocation', state);
  }

  /** What must be sent now: fallbacks not yet given on this connection or changed, shares changed or due for renewal. */
  private deliveries(p: Plan): Delivery[] {
    const now = Date.now();
    const out: Delivery[] = [];
    for (const c of p.chargers.values()) {
      if (!c.connected || c.fallbackAmps === null) continue;
      const t = this.told.get(toldKey(c.chargePointId, 0, 'TxDefaultProfile'));
      const current = t?.status === 'accepted' ? t.limitAmps : c.maxAmps;
      // A charger that refused is asked once per connection whether it accepts now.
      const due = c.flagReason !== null ? !this.defaulted.has(c.chargePointId) : !this.defaulted.has(c.chargePointId) || current !== c.fallbackAmps;
      if (due) out.push({ chargePointId: c.chargePointId, connectorId: 0, purpose: 'TxDefaultProfile', amps: c.fallbackAmps, inForce: current, transactionId: null, validTo: null, session: null });
    }
    const leaseMs = this.d.options.leaseSec * 1000;
    for (const s of this.sessions.values()) {
      const c = p.chargers.get(s.chargePointId)!;
      const amps = p.allocation.amps.get(s.key)!;
      if (!c.connected || c.flagReason !== null) continue;
      const t = this.told.get(toldKey(s.chargePointId, s.connectorId, 'TxProfile'));
      const left = t && t.status === 'accepted' && t.transactionId === s.transactionId && t.validTo !== null ? Date.parse(t.validTo) - now : 0;
      if (left > leaseMs / 2 && t!.limitAmps === amps) continue;
      // Once its lease is over, a share is no longer in force: the charger is at its fallback.
      const inForce = left > 0 ? t!.limitAmps : (c.fallbackAmps ?? c.maxAmps);
      out.push({ chargePointId: s.chargePointId, connectorId: s.connectorId, purpose: 'TxProfile', amps, inForce, transactionId: s.transactionId, validTo: new Date(now + leaseMs), session: s });
    }
    return out;
  }

  private async deliver(x: Delivery, p: Plan): Promise<SendResult> {
    const phases = p.chargers.get(x.chargePointId)!.phases;
    const now = new Date();
    const request = x.purpose === 'TxDefaultProfile' ? txDefaultRequest(x.amps, phases) : txRequest(x.connectorId, x.transactionId!, x.amps, phases, now, x.validTo!);
    const result = await this.d.sender.setProfile(x.chargePointId, request);
    if (this.closed) return result;
    if (result === 'retry') {
      this.deferred(x.chargePointId);
      return result;
    }
    this.backoff.delete(x.chargePointId);
    if (this.forgivable(x, result)) {
      this.dirty = true;
      return result;
    }
    const told: ToldProfile = {
      chargePointId: x.chargePointId,
      connectorId: x.connectorId,
      purpose: x.purpose,
      limitAmps: x.amps,
      transactionId: x.transactionId,
      status: result,
      validTo: x.validTo?.toISOString() ?? null,
      sentAt: now.toISOString(),
    };
    const before = this.told.get(toldKey(x.chargePointId, x.connectorId, x.purpose));
    this.told.set(toldKey(x.chargePointId, x.connectorId, x.purpose), told);
    this.persist(this.d.writer.run('saveLoadProfile', told));
    if (x.purpose === 'TxDefaultProfile') this.defaulted.add(x.chargePointId);
    const wasFlagged = this.flags.has(x.chargePointId);
    if (result === 'accepted') {
      this.flags.delete(x.chargePointId);
      if (x.session && before?.limitAmps !== x.amps) x.session.inForceSinceMs = Date.now();
    } else {
      this.flags.set(x.chargePointId, flagReason(result));
      this.d.log.warn({ cp: x.chargePointId, purpose: x.purpose, result }, 'load management: charger refuses charging profiles; counted at its maximum');
    }
    // Counted differently now: the others' shares change.
    if (wasFlagged !== this.flags.has(x.chargePointId)) this.dirty = true;
    return result;
  }

  /**
   * A rejected TxProfile is asked again (the charger may not have had the transactionId yet,
   * or the session just ended) until it happens TX_STRIKES times in a row.
   */
  private forgivable(x: Delivery, result: SendResult): boolean {
    if (x.purpose !== 'TxProfile') return false;
    if (result === 'accepted') {
      this.txStrikes.delete(x.chargePointId);
      return false;
    }
    if (result !== 'rejected') return false;
    const strikes = (this.txStrikes.get(x.chargePointId) ?? 0) + 1;
    this.txStrikes.set(x.chargePointId, strikes);
    return strikes < TX_STRIKES;
  }

  /**
   * Records what a charger was told. Not awaited: the in-memory state is what counts while we
   * run; if the store is out, the restart after it asks the chargers again.
   */
  private persist(write: Promise<void>): void {
    // A store outage is reported once by the writer itself, not once per profile.
    write.catch((err: unknown) => err instanceof StoreWriteError || this.d.log.error({ err }, 'load management: could not store what a charger was told'));
  }

  /** Without a site limit nothing is managed: our profiles come off the chargers. */
  private async release(): Promise<void> {
    await Promise.all(
      [...this.told.values()]
        .filter((t) => this.d.sender.isConnected(t.chargePointId))
        .map(async (t) => {
          const id = t.purpose === 'TxDefaultProfile' ? txDefaultProfileId() : txProfileId(t.connectorId);
          const result = await this.d.sender.clearProfile(t.chargePointId, id);
          if (this.closed) return;
          if (result === 'retry') {
            this.dirty = true;
            return;
          }
          this.told.delete(toldKey(t.chargePointId, t.connectorId, t.purpose));
          this.persist(this.d.writer.run('deleteLoadProfile', { chargePointId: t.chargePointId, connectorId: t.connectorId, purpose: t.purpose }));
        }),
    );
    this.flags.clear();
    this.defaulted.clear();
  }
}

function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

const flagReason = (status: 'rejected' | 'unsupported'): string => (status === 'rejected' ? 'rejects charging profiles' : 'does not support SmartCharging');
