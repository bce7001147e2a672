import { performance } from 'node:perf_hooks';
import cron, { type ScheduledTask } from 'node-cron';
import type { Config } from '../config/schema.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log/logger.js';
import type { Db } from '../store/db.js';
import { hasPending, listParked, type OutboxRecord, outboxStats } from '../store/queries/outbox.js';
import { getSetting } from '../store/queries/settings.js';
import { nowIso } from '../store/statements.js';
import { SYNC_SETTINGS, type SyncWriter } from '../store/sync-ops.js';
import { StoreWriteError } from '../store/writer.js';
import { appliedAuthListVersion, pullAuthList } from './auth-list.js';
import { createHeadofficeClient, type HeadofficeClient } from './client.js';
import { buildDayManifest } from './manifest.js';
import type { SyncProgress, SyncRunResult, SyncStatus, SyncTrigger } from './status.js';
import { uploadBatch } from './uploader.js';

/**
 * How sync reaches the chargers' local lists without importing the OCPP server or the command
 * internals: app.ts implements it with the CommandService (SendLocalList Differential, which
 * turns into a Full where the charger's list version is not the one we sent).
 */
export interface LocalListPort {
  connectedChargers(): string[];
  /** The charger's list (as last accepted) differs from what the RFID table says. */
  isOutdated(chargePointId: string): boolean;
  push(chargePointId: string): Promise<unknown>;
}

export class SyncNotConfiguredError extends Error {
  override name = 'SyncNotConfiguredError';
}

const BACKOFF_BASE_MS = 500;
/** While idle the outbox is still looked at this often: records also come from paths that emit no event. */
const IDLE_POLL_MS = 5000;
/** Boot or reconnect: give the charger its BootNotification.conf before sending it a list. */
const PUSH_AFTER_CONNECT_MS = 1000;
const KICK_COALESCE_MS = 100;
const KEEP_SENT_MS = 30 * 86_400_000;
/** Alerts held in memory while the store cannot queue them; beyond this the oldest are dropped. */
const MAX_HELD_ALERTS = 100;

type Alert = { kind: string; message: string; at: string };

/**
 * Head-office sync: drains the outbox whenever head office is reachable (exponential backoff
 * with jitter while it is not, timed with monotonic timers so a clock jump neither stalls nor
 * floods it), runs the nightly sync (upload, day manifests, auth list pull, local-list push),
 * and reports its state. Without a head-office URL it only reports: the outbox keeps filling.
 */
export class SyncService {
  private readonly client: HeadofficeClient | null;
  private readonly task: ScheduledTask | null;
  private readonly offs: Array<() => void> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pushChains = new Map<string, Promise<unknown>>();
  private stopped = false;
  private failures = 0;
  private nextAttemptAt: number | null = null;
  private wake: ((force: boolean) => void) | null = null;
  private draining: Promise<void> | null = null;
  private progress: SyncProgress | null = null;
  private runDone: Promise<SyncRunResult> | null = null;
  private lastRun: SyncRunResult | null = null;
  private loopDone: Promise<void> = Promise.resolve();
  private kickTimer: NodeJS.Timeout | null = null;
  private heldAlerts: Alert[] = [];
  private droppedAlerts = 0;

  /** `db` is for reads; every write goes through `writer` (issue 8: one write path). */
  constructor(private readonly d: { config: Config; db: Db; writer: SyncWriter; events: EventBus; log: Logger; localList: LocalListPort }) {
    const c = d.config;
    this.client = c.headofficeUrl ? createHeadofficeClient({ ...c, headofficeUrl: c.headofficeUrl }) : null;
    // Standalone there is nothing to sync with: no nightly run (and none shown as next).
    this.task =
      c.syncCron === 'off' || !this.client
        ? null
        : cron.schedule(
            c.syncCron,
            async () => {
              await this.run('nightly').catch(() => undefined);
            },
            { noOverlap: true, name: 'headoffice-sync' },
          );
  }

  start(): void {
    const { events } = this.d;
    // Alerts worth reporting are queued like everything else, standalone too.
    this.offs.push(events.on('alert', (a) => this.queueAlert(a)));
    this.offs.push(
      events.on('security.lockout', (l) =>
        this.queueAlert({ kind: 'security.lockout', message: `${l.kind} ${l.key} locked out after ${l.failures} failed charger logins, until ${l.until}`, at: nowIso() }),
      ),
    );
    if (!this.client) return;
    for (const name of ['transaction.stopped', 'charger.booted', 'charger.firmware'] as const) this.offs.push(events.on(name, () => this.kick()));
    this.offs.push(events.on('charger.connected', (e) => this.pushLater(e.chargePointId)));
    this.offs.push(events.on('charger.booted', (e) => e.status === 'Accepted' && this.pushLater(e.chargePointId)));
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const off of this.offs.splice(0)) off();
    for (const t of this.timers) clearTimeout(t);
    if (this.kickTimer) clearTimeout(this.kickTimer);
    this.wake?.(true);
    await this.task?.destroy();
    await this.loopDone;
    await this.runDone?.catch(() => undefined);
    this.client?.close();
  }

  /**
   * Queues an alert for head office. During a store outage it cannot be queued (the outage's own
   * alert among them): it is held in memory and queued, in order, with the next alert that can
   * be, at the latest the store-recovered one. Only a restart during the outage loses them; they
   * went to the log and the event stream all the same.
   */
  private queueAlert(a: Alert): void {
    const alerts = [...this.heldAlerts.splice(0), a];
    this.d.writer.run('queueAlerts', { alerts }).then(
      () => this.kick(),
      (err: unknown) => {
        this.heldAlerts.push(...alerts);
        const over = this.heldAlerts.length - MAX_HELD_ALERTS;
        if (over > 0) this.droppedAlerts += this.heldAlerts.splice(0, over).length;
        // The writer reports a store outage itself, once; anything else is news.
        if (!(err instanceof StoreWriteError)) this.d.log.warn({ err, alert: a.kind }, 'could not queue the alert for head office');
        else if (over > 0) this.d.log.warn({ dropped: this.droppedAlerts }, 'store outage: alerts for head office dropped beyond the in-memory limit');
      },
    );
  }

  status(): SyncStatus {
    const s = outboxStats(this.d.db);
    const lastError = getSetting(this.d.db, SYNC_SETTINGS.lastError);
    return {
      configured: this.client !== null,
      headofficeUrl: this.d.config.headofficeUrl ?? null,
      pending: s.pending,
      oldestPendingAt: s.oldestPendingAt,
      oldestPendingAgeSec: s.oldestPendingAt ? Math.max(0, Math.round((Date.now() - Date.parse(s.oldestPendingAt)) / 1000)) : null,
      parked: s.parked,
      lastSuccessAt: getSetting(this.d.db, SYNC_SETTINGS.lastSuccessAt) ?? null,
      lastError: lastError ? (JSON.parse(lastError) as { message: string; at: string }) : null,
      consecutiveFailures: this.failures,
      nextAttemptInMs: this.nextAttemptAt === null ? null : Math.max(0, Math.round(this.nextAttemptAt - performance.now())),
      nightly: { cron: this.d.config.syncCron, nextRunAt: this.task?.getNextRun()?.toISOString() ?? null },
      authListVersion: appliedAuthListVersion(this.d.db),
      running: this.progress ? { ...this.progress } : null,
      lastRun: this.lastRun,
    };
  }

  /** Parked records with their payload as sent (an object, not its JSON text). */
  parked(limit: number, offset: number): Array<Omit<OutboxRecord, 'payload'> & { payload: unknown }> {
    return listParked(this.d.db, limit, offset).map((r) => ({ ...r, payload: JSON.parse(r.payload) as unknown }));
  }

  /**
   * Queues a parked record again (retry) or gives up on it (dismiss: the row is kept). Rejects
   * with StoreWriteError during a store outage (the record stays parked).
   */
  async resolveParked(id: number, action: 'retry' | 'dismiss'): Promise<boolean> {
    const done = await this.d.writer.run('resolveParkedRecord', { id, to: action === 'retry' ? 'pending' : 'dismissed' });
    if (done) {
      this.publish();
      if (action === 'retry') this.kick(true);
    }
    return done;
  }

  /**
   * New records: upload them soon unless we are backing off (`force`: now, even then). Kicks
   * within KICK_COALESCE_MS share one wake-up, so a burst of stops goes out as one batch.
   */
  kick(force = false): void {
    if (force) {
      this.wake?.(true);
      return;
    }
    if (this.kickTimer) return;
    this.kickTimer = setTimeout(() => {
      this.kickTimer = null;
      this.wake?.(false);
    }, KICK_COALESCE_MS);
  }

  /**
   * One sync run (nightly or "sync now"): everything pending, the day manifests (yesterday's,
   * complete, and today's so far), then the auth list and the local-list push. A run asked for
   * while one is running joins it. Every phase runs even if an earlier one failed.
   */
  run(trigger: SyncTrigger): Promise<SyncRunResult> {
    if (!this.client) return Promise.reject(new SyncNotConfiguredError('head office is not configured (headofficeUrl): the depot runs standalone'));
    if (this.runDone) return this.runDone;
    const progress: SyncProgress = { trigger, phase: 'upload', startedAt: nowIso(), pendingAtStart: outboxStats(this.d.db).pending, uploaded: 0, parked: 0 };
    // Set before the first phase starts, so its status event already shows the run.
    this.progress = progress;
    this.runDone = this.runPhases(this.client, progress).finally(() => {
      this.progress = null;
      this.runDone = null;
      this.publish();
      // The upload loop may be backing off from before: the run just tried afresh.
      this.kick(true);
    });
    return this.runDone;
  }

  private async runPhases(client: HeadofficeClient, progress: SyncProgress): Promise<SyncRunResult> {
    const result: SyncRunResult = {
      trigger: progress.trigger,
      startedAt: progress.startedAt,
      finishedAt: '',
      ok: false,
      uploaded: 0,
      parked: 0,
      errors: [],
      manifests: [],
      authList: null,
      pushed: [],
    };
    const phase = async (name: SyncProgress['phase'], fn: () => Promise<void>) => {
      progress.phase = name;
      this.publish();
      try {
        await fn();
      } catch (err) {
        result.errors.push({ phase: name, message: (err as Error).message });
        this.d.log.warn({ err, phase: name, trigger: progress.trigger }, 'head-office sync phase failed');
      }
    };
    this.d.log.info({ trigger: progress.trigger }, 'head-office sync started');
    await phase('upload', async () => {
      try {
        await this.drain(true);
      } finally {
        result.uploaded = progress.uploaded;
        result.parked = progress.parked;
      }
    });
    await phase('manifest', async () => {
      const now = new Date();
      const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
      const days = [buildDayManifest(this.d.db, yesterday, now), buildDayManifest(this.d.db, now, now)];
      await client.request('POST', '/v1/manifests', { generated_at: now.toISOString(), days });
      result.manifests = days.map((m) => ({ date: m.date, sessions: m.sessions, digest: m.digest }));
    });
    await phase('auth-list', async () => {
      result.authList = await pullAuthList(this.d.db, this.d.writer, client);
      if (result.authList.changed) this.d.events.emit('sync.authList', { ...result.authList, at: nowIso() });
    });
    await phase('push', async () => {
      for (const cp of this.d.localList.connectedChargers()) {
        try {
          await this.pushIfOutdated(cp);
          result.pushed.push({ chargePointId: cp, ok: true });
        } catch (err) {
          result.pushed.push({ chargePointId: cp, ok: false, error: (err as Error).message });
        }
      }
    });
    if (this.stopped) return { ...result, finishedAt: nowIso() };
    try {
      await this.d.writer.run('pruneSentRecords', { before: new Date(Date.now() - KEEP_SENT_MS).toISOString() });
    } catch (err) {
      this.d.log.warn({ err }, 'could not prune sent outbox records');
    }
    result.finishedAt = nowIso();
    result.ok = result.errors.length === 0;
    this.lastRun = result;
    this.d.log.info({ trigger: result.trigger, ok: result.ok, uploaded: result.uploaded, parked: result.parked, errors: result.errors }, 'head-office sync finished');
    return result;
  }

  /**
   * Uploads until nothing is pending; one drain at a time, so no record is ever in flight twice.
   * What any drain uploads while a run is in progress counts for that run (a background attempt
   * the run waited for did part of its work).
   */
  private drain(asRun = false): Promise<void> {
    const joined = this.draining;
    // A run ("sync now", nightly) waits for the drain in flight and then tries afresh, whether that one failed or not.
    if (joined) return asRun ? joined.catch(() => undefined).then(() => this.drain(true)) : joined;
    const run = (async () => {
      while (!this.stopped && hasPending(this.d.db)) {
        try {
          const out = await uploadBatch(this.d.db, this.d.writer, this.client!, this.d.config.syncBatchSize);
          if (this.progress) (this.progress.uploaded += out.sent), (this.progress.parked += out.parked.length);
          for (const p of out.parked) this.d.events.emit('sync.parked', { ...p, at: nowIso() });
          await this.succeeded();
        } catch (err) {
          await this.failed(err as Error);
          throw err;
        }
      }
    })().finally(() => {
      this.draining = null;
    });
    this.draining = run;
    return run;
  }

  private async succeeded(): Promise<void> {
    this.failures = 0;
    this.nextAttemptAt = null;
    await this.recordState(this.d.writer.run('uploadSucceeded', { at: nowIso() }));
    this.publish();
  }

  /** `err` may be a StoreWriteError: the results could not be recorded, so the records stay pending and the loop backs off. */
  private async failed(err: Error): Promise<void> {
    this.failures++;
    if (this.failures === 1 || this.failures % 20 === 0) this.d.log.warn({ err, failures: this.failures }, 'head-office upload failed; retrying with backoff');
    await this.recordState(this.d.writer.run('uploadFailed', { message: err.message, at: nowIso() }));
    this.publish();
  }

  /** The last success or error, as /api/sync shows it: losing one to a store outage (which the writer reports itself) must not stop the upload. */
  private async recordState(write: Promise<void>): Promise<void> {
    try {
      await write;
    } catch (err) {
      if (!(err instanceof StoreWriteError)) this.d.log.warn({ err }, 'could not record the head-office sync state');
    }
  }

  /** Full jitter over an exponentially growing ceiling (AWS architecture blog), capped by config. */
  private backoffMs(): number {
    const ceiling = Math.min(this.d.config.syncBackoffMaxMs, BACKOFF_BASE_MS * 2 ** Math.min(this.failures - 1, 30));
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let waitMs = IDLE_POLL_MS;
      let wakeOnKick = true;
      try {
        await this.drain();
      } catch {
        waitMs = this.backoffMs();
        wakeOnKick = false;
        this.nextAttemptAt = performance.now() + waitMs;
        this.publish();
      }
      if (this.stopped) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => done(), waitMs);
        const done = () => {
          clearTimeout(t);
          this.wake = null;
          resolve();
        };
        // While backing off only "sync now" (force) cuts the wait short; new records wait their turn.
        this.wake = (force) => (force || wakeOnKick) && done();
      });
    }
  }

  private pushLater(chargePointId: string): void {
    if (appliedAuthListVersion(this.d.db) === null) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.pushIfOutdated(chargePointId).catch((err: Error) => this.d.log.warn({ err, cp: chargePointId }, 'could not bring the local list of a (re)connected charger up to date'));
    }, PUSH_AFTER_CONNECT_MS);
    this.timers.add(t);
  }

  /** One push per charger at a time; each decides afresh whether the charger's list is behind. */
  private pushIfOutdated(chargePointId: string): Promise<unknown> {
    const previous = this.pushChains.get(chargePointId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => (this.d.localList.isOutdated(chargePointId) ? this.d.localList.push(chargePointId) : undefined));
    this.pushChains.set(chargePointId, next);
    void next.catch(() => undefined).then(() => this.pushChains.get(chargePointId) === next && this.pushChains.delete(chargePointId));
    return next;
  }

  private publish(): void {
    try {
      this.d.events.emit('sync.status', this.status());
    } catch (err) {
      this.d.log.warn({ err }, 'could not read the sync status');
    }
  }
}
