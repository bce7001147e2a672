/**
 * A fleet of simulated chargers (SIM-0001 ...) against one central system URL, each running M
 * sessions one after another, bounded by a deadline. Chargers speak OCPP 1.6J (SimCharger) or
 * 2.0.1 (SimCharger201), mixed in turn when several versions are given. Used by tests and by
 * the sim CLI.
 */
import { SimCharger, type SimChargerOptions } from './charger.js';
import { SimCharger201, type SimCharger201Options } from './charger201.js';
import type { Vehicle } from './vehicle.js';

export const OCPP_VERSIONS = ['1.6', '2.0.1'] as const;
export type OcppVersion = (typeof OCPP_VERSIONS)[number];
export type FleetCharger = SimCharger | SimCharger201;

/** What the fleet reads of either version's ledger. */
interface EnergyLedger {
  starts: ReadonlyArray<{ transactionId: number | string; meterStart: number }>;
  stops: ReadonlyArray<{ transactionId: number | string; meterStop: number; reason: string }>;
}

/** Energy of the acknowledged stops of one charger, Wh. */
function energyOf(l: EnergyLedger): number {
  return l.stops.reduce((n, s) => n + s.meterStop - (l.starts.find((x) => x.transactionId === s.transactionId)?.meterStart ?? s.meterStop), 0);
}

export interface FleetOptions {
  url: string;
  chargers: number;
  /** Sessions per charger. */
  sessions: number;
  /** Identity prefix: SIM -> SIM-0001. */
  prefix?: string;
  /** idTag per charger; `{n}` becomes the charger number (0001). Default `<prefix>-TAG-{n}`. */
  idTag?: string;
  /** Basic auth password shared by the fleet. */
  password?: string;
  connectors?: number;
  meterIntervalMs?: number;
  /** MeterValues per session before the EV unplugs. */
  samplesPerSession?: number;
  /** Pause between a session's end and the next start. */
  pauseMs?: number;
  /** Chargers start spread over this time, so a fleet does not connect in one burst. */
  rampMs?: number;
  /** Hard bound of the whole run. */
  deadlineMs?: number;
  /**
   * true (default, load tests): chargers start and keep charging whatever the central system
   * answers for their tags (authorizeMode advisory, StopTransactionOnInvalidId and
   * AllowOfflineTxForUnknownId as needed). false: as real chargers do: a tag Authorize does not
   * accept is not started (that session is counted as refused, not retried), and a session
   * refused at StartTransaction is stopped with reason DeAuthorized.
   */
  chargeUnknownTags?: boolean;
  /** The EV of each session (default: none, a session draws all the charger offers). */
  vehicle?: () => Vehicle;
  /** OCPP versions of the chargers, assigned in turn (default ['1.6']): ['1.6', '2.0.1'] makes a mixed fleet. */
  versions?: readonly OcppVersion[];
  /** Extra options for every 1.6 charger (backoff, timeouts, configuration ...). */
  charger?: Partial<Omit<SimChargerOptions, 'id' | 'url'>>;
  /** Extra options for every 2.0.1 charger (backoff, timeouts, device model variables ...). */
  charger201?: Partial<Omit<SimCharger201Options, 'id' | 'url'>>;
  onProgress?: (p: FleetProgress) => void;
  progressIntervalMs?: number;
}

export interface FleetProgress {
  elapsedMs: number;
  chargers: number;
  online: number;
  sessionsPlanned: number;
  /** StartTransactions (2.0.1: TransactionEvent Started) acknowledged. */
  sessionsStarted: number;
  /** StopTransactions (2.0.1: TransactionEvent Ended) acknowledged. */
  sessionsCompleted: number;
  /** Sessions not started because Authorize refused the tag (Invalid, Blocked, Expired). */
  sessionsRefused: number;
  /** Sessions stopped because StartTransaction (2.0.1: the Started event) refused the tag (reason DeAuthorized). */
  sessionsDeauthorized: number;
  meterValuesAcked: number;
  pendingTransactionMessages: number;
  errors: number;
}

export interface FleetSummary extends FleetProgress {
  /** CALLRESULTs received, by action, over the fleet. */
  acks: Record<string, number>;
  /** Socket opens beyond the first per charger, and transaction messages resent. */
  reconnects: number;
  resends: number;
  /** Energy of the acknowledged stops, Wh. */
  energyWh: number;
  errorList: string[];
  timedOut: boolean;
  ok: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Authorization answers that refuse the tag itself (1.6, and 2.0.1 statuses); others (offline, ConcurrentTx) are retried. */
const REFUSED_TAG = /^authorization (Invalid|Blocked|Expired|Unknown|NoCredit|NotAllowedTypeEVSE|NotAtThisLocation|NotAtThisTime)$/;

export function chargerId(prefix: string, n: number): string {
  return `${prefix}-${String(n).padStart(4, '0')}`;
}

export function tagFor(template: string, n: number): string {
  return template.replaceAll('{n}', String(n).padStart(4, '0'));
}

export class Fleet {
  readonly chargers: FleetCharger[];
  readonly idTags: string[];
  private readonly failures: string[] = [];
  private refused = 0;
  private stopped = false;
  private wakeStop: () => void = () => {};
  private readonly stopRequested = new Promise<void>((r) => (this.wakeStop = r));
  private startedAt = 0;
  private timedOut = false;

  constructor(private readonly o: FleetOptions) {
    const prefix = o.prefix ?? 'SIM';
    const tag = o.idTag ?? `${prefix}-TAG-{n}`;
    this.idTags = Array.from({ length: o.chargers }, (_, i) => tagFor(tag, i + 1));
    const meterIntervalMs = o.meterIntervalMs ?? 1000;
    const anyTag = o.chargeUnknownTags ?? true;
    const versions = o.versions?.length ? o.versions : (['1.6'] as const);
    const common = {
      // Each sample stands for a minute of charging, so short runs still deliver realistic energy.
      timeScale: Math.max(1, 60_000 / meterIntervalMs),
      backoffInitialMs: 250,
      backoffMaxMs: 5000,
      callTimeoutMs: 15_000,
      txRetryIntervalMs: 1000,
      authorizeMode: anyTag ? ('advisory' as const) : ('strict' as const),
    };
    this.chargers = Array.from({ length: o.chargers }, (_, i): FleetCharger => {
      const own = { id: chargerId(prefix, i + 1), url: o.url, meterIntervalMs, ...(o.password && { password: o.password }) };
      if (versions[i % versions.length] === '2.0.1') {
        return new SimCharger201({
          ...common,
          ...o.charger201,
          variables: { ...(anyTag && { 'AuthCtrlr/OfflineTxForUnknownIdEnabled': 'true', 'TxCtrlr/StopTxOnInvalidId': 'false' }), ...o.charger201?.variables },
          ...own,
          ...(o.connectors && { evses: o.connectors }),
        });
      }
      return new SimCharger({
        ...common,
        ...o.charger,
        config: { ...(anyTag && { AllowOfflineTxForUnknownId: 'true', StopTransactionOnInvalidId: 'false' }), ...o.charger?.config },
        ...own,
        ...(o.connectors && { connectors: o.connectors }),
      });
    });
  }

  /** The fleet's 1.6 chargers. */
  get chargers16(): SimCharger[] {
    return this.chargers.filter((c): c is SimCharger => c instanceof SimCharger);
  }

  /** The fleet's 2.0.1 chargers. */
  get chargers201(): SimCharger201[] {
    return this.chargers.filter((c): c is SimCharger201 => c instanceof SimCharger201);
  }

  progress(): FleetProgress {
    const sum = (f: (c: FleetCharger) => number) => this.chargers.reduce((n, c) => n + f(c), 0);
    return {
      elapsedMs: this.startedAt ? Date.now() - this.startedAt : 0,
      chargers: this.chargers.length,
      online: sum((c) => (c.isOnline ? 1 : 0)),
      sessionsPlanned: this.chargers.length * this.o.sessions,
      sessionsStarted: sum((c) => c.ledger.starts.length),
      sessionsCompleted: sum((c) => c.ledger.stops.length),
      sessionsRefused: this.refused,
      sessionsDeauthorized: sum((c) => (c.ledger as EnergyLedger).stops.filter((x) => x.reason === 'DeAuthorized').length),
      meterValuesAcked: sum((c) => c.ledger.meterValues.length),
      pendingTransactionMessages: sum((c) => c.pendingTransactionMessages),
      errors: sum((c) => c.errors.length) + this.failures.length,
    };
  }

  summary(): FleetSummary {
    const p = this.progress();
    const acks: Record<string, number> = {};
    for (const c of this.chargers) for (const [a, n] of Object.entries(c.acks as Record<string, number>)) acks[a] = (acks[a] ?? 0) + n;
    const errorList = [...this.failures, ...this.chargers.flatMap((c) => c.errors.map((e) => `${c.id}: ${e}`))];
    const energyWh = this.chargers.reduce((n, c) => n + energyOf(c.ledger), 0);
    return {
      ...p,
      acks,
      reconnects: this.chargers.reduce((n, c) => n + Math.max(0, c.connects - 1), 0),
      resends: this.chargers.reduce((n, c) => n + c.resends, 0),
      energyWh,
      errorList,
      timedOut: this.timedOut,
      ok: p.errors === 0 && !this.timedOut && p.sessionsCompleted === p.sessionsPlanned,
    };
  }

  /** Runs every charger's sessions; resolves with the summary (the chargers stay connected until close()). */
  async run(): Promise<FleetSummary> {
    this.startedAt = Date.now();
    const deadlineMs = this.o.deadlineMs ?? 300_000;
    const deadline = this.startedAt + deadlineMs;
    const ramp = this.o.rampMs ?? Math.min(2000, this.chargers.length * 5);
    const ticker = this.o.onProgress ? setInterval(() => this.o.onProgress!(this.progress()), this.o.progressIntervalMs ?? 1000) : null;
    let deadlineTimer: NodeJS.Timeout | undefined;
    const all = Promise.all(this.chargers.map((c, i) => this.runCharger(c, i, (ramp * i) / this.chargers.length, deadline)));
    try {
      await Promise.race([
        all,
        this.stopRequested,
        new Promise<void>((resolve) => {
          deadlineTimer = setTimeout(() => {
            this.timedOut = true;
            this.stopped = true;
            resolve();
          }, deadlineMs);
        }),
      ]);
    } finally {
      clearTimeout(deadlineTimer);
      if (ticker) clearInterval(ticker);
    }
    if (this.timedOut) this.failures.push(`deadline of ${deadlineMs} ms reached: ${this.progress().sessionsCompleted}/${this.progress().sessionsPlanned} sessions completed`);
    this.o.onProgress?.(this.progress());
    return this.summary();
  }

  private async runCharger(c: FleetCharger, index: number, delayMs: number, deadline: number): Promise<void> {
    await sleep(delayMs);
    if (this.stopped) return;
    c.start();
    const left = () => Math.max(1, deadline - Date.now());
    try {
      await c.waitFor(() => c.boots > 0, left(), 'first boot');
      const idTag = this.idTags[index]!;
      const connectors = c.connectorCount;
      for (let s = 0; s < this.o.sessions && !this.stopped; s++) {
        let started = false;
        let refused = false;
        // A refused start (busy, reserved, offline without permission) is retried, bounded.
        for (let attempt = 0; attempt < 200 && !this.stopped && Date.now() < deadline; attempt++) {
          const r = await c.startSession({
            idTag,
            connectorId: (s % connectors) + 1,
            samples: this.o.samplesPerSession ?? 5,
            ...(this.o.vehicle && { vehicle: this.o.vehicle() }),
          });
          if (r.started) {
            started = true;
            await r.tx.ended;
            break;
          }
          // The central system refused the tag: a real driver walks away; retrying changes nothing.
          if (REFUSED_TAG.test(r.reason)) {
            refused = true;
            break;
          }
          await sleep(250);
        }
        if (refused) {
          this.refused++;
          continue;
        }
        if (!started) {
          if (!this.stopped) this.failures.push(`${c.id}: session ${s + 1} could not start`);
          return;
        }
        if (this.o.pauseMs) await sleep(this.o.pauseMs);
      }
      await c.drain(left());
    } catch (err) {
      if (!this.stopped) this.failures.push(`${c.id}: ${(err as Error).message}`);
    }
  }

  /** Ends the run early (the running loops return at their next step). */
  stop(): void {
    this.stopped = true;
    this.wakeStop();
  }

  async close(): Promise<void> {
    this.stop();
    await Promise.all(this.chargers.map((c) => c.close()));
  }
}

/** Runs a fleet to the end and closes it. */
export async function runFleet(o: FleetOptions): Promise<FleetSummary> {
  const fleet = new Fleet(o);
  try {
    return await fleet.run();
  } finally {
    await fleet.close();
  }
}

export function formatSummary(s: FleetSummary): string {
  return (
    `sim summary: chargers=${s.chargers} sessions=${s.sessionsCompleted}/${s.sessionsPlanned} completed started=${s.sessionsStarted} ` +
    `refused=${s.sessionsRefused} deauthorized=${s.sessionsDeauthorized} ` +
    `meterValues=${s.meterValuesAcked} energy=${(s.energyWh / 1000).toFixed(1)}kWh reconnects=${s.reconnects} resends=${s.resends} ` +
    `errors=${s.errors}${s.timedOut ? ' TIMED-OUT' : ''} duration=${(s.elapsedMs / 1000).toFixed(1)}s`
  );
}

export function formatProgress(p: FleetProgress): string {
  return (
    `[${(p.elapsedMs / 1000).toFixed(1)}s] online ${p.online}/${p.chargers}, sessions ${p.sessionsCompleted}/${p.sessionsPlanned} completed ` +
    `(${p.sessionsStarted} started), meter values ${p.meterValuesAcked}, queued ${p.pendingTransactionMessages}, errors ${p.errors}`
  );
}
