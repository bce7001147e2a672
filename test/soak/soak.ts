/**
 * Soak: N simulated chargers run sessions for a while against the real service (a separate
 * process), which is killed with SIGKILL at random moments and restarted on the same port and
 * data dir. The chargers reconnect and deliver their queued transaction messages. Afterwards
 * the store is checked against what the chargers were acknowledged (test/soak/check.ts).
 *
 * Used by `npm run soak` (test/soak/run.ts) and by the short variant in `npm test`.
 * Every loop is bounded in count and time; the service is killed on any way out.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDb } from '../../main/store/db.js';
import { SimCharger, type SimTransaction } from '../sim/charger.js';
import { chargerId } from '../sim/fleet.js';
import { freePort, ServiceProcess } from '../sim/service.js';
import { checkStore, type StoreCheck, storeCheckOk } from './check.js';

export interface SoakOptions {
  chargers: number;
  /** How long sessions keep starting; the run then lets them end and the queues drain. */
  durationMs: number;
  /** SIGKILLs of the service during the run. */
  kills: number;
  /** Connectors per charger; each runs its own sessions. */
  connectors?: number;
  /** Real time between two MeterValues of a session. */
  meterIntervalMs?: number;
  /** MeterValues per session: uniformly drawn from [min, max]. */
  samplesMin?: number;
  samplesMax?: number;
  /** Pause between the end of a session and the next one on the connector: [min, max] ms. */
  pauseMinMs?: number;
  pauseMaxMs?: number;
  /** Time the service stays dead after a kill: [min, max] ms. */
  downMinMs?: number;
  downMaxMs?: number;
  /** At least this long between a restart being healthy and the next kill. */
  minUpMs?: number;
  /** Bound of the end phase (sessions ending, queues draining). */
  drainTimeoutMs?: number;
  /** quick_check of the killed database (read-only) before each restart. */
  checkEachKill?: boolean;
  seed?: number;
  prefix?: string;
  /** Keep the data dir (printed in the report) instead of removing it. */
  keepData?: boolean;
  onProgress?: (line: string) => void;
  progressIntervalMs?: number;
}

export interface KillRecord {
  /** ms since the start of the run. */
  atMs: number;
  /** Transaction messages in flight (sent, answer not read) at the kill. */
  inFlight: number;
  /** Sessions whose start was acknowledged and whose stop was not, at the kill. */
  openSessions: number;
  /** Transaction messages queued by the chargers when the service came back. */
  queuedAtRestart: number;
  downMs: number;
  quickCheck: string;
}

export interface SoakReport {
  seed: number;
  chargers: number;
  connectors: number;
  durationMs: number;
  elapsedMs: number;
  killsPlanned: number;
  killsSurvived: number;
  killLog: KillRecord[];
  sessionsStarted: number;
  sessionsCompleted: number;
  /** Distinct sessions open (acknowledged start, no acknowledged stop) at one kill or more. */
  sessionsOpenAcrossKills: number;
  /** ... of which the stored row was Completed with the charger's meter_stop. */
  openAcrossKillsClosedCorrectly: number;
  meterValuesAcked: number;
  reconnects: number;
  resends: number;
  refusedStarts: number;
  chargerErrors: string[];
  /** Error/fatal lines in the service's log files. */
  serviceErrorLines: string[];
  store: StoreCheck | null;
  failures: string[];
  dataDir: string;
  ok: boolean;
}

const TOKEN = 'soak-test-token-0123456789abcdef';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** mulberry32: a small seeded PRNG, so a failing run can be repeated with --seed. */
export function rng(seed: number): { next: () => number; int: (min: number, max: number) => number } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}

/** Services started by soaks of this process: killed (whole process group) on any exit. */
const live = new Set<ServiceProcess>();
let exitHookInstalled = false;
export function killAllServices(): void {
  for (const s of live) s.signal('SIGKILL');
  live.clear();
}
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', killAllServices);
}

/** Races `p` against a timeout without leaving the timer behind. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), Math.max(0, ms))))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Error and fatal lines of the service's own log files (pino JSON lines). */
function serviceErrors(dataDir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dataDir).filter((n) => n.startsWith('soak') && n.endsWith('.log'))) {
    for (const line of readFileSync(join(dataDir, f), 'utf8').split('\n')) {
      if (/"level":"(error|fatal)"/.test(line)) out.push(line.slice(0, 400));
    }
  }
  return out;
}

/** quick_check of the database as the kill left it, without recovering or changing it. */
function quickCheckAfterKill(file: string): string {
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const rows = db.pragma('quick_check') as Array<{ quick_check: string }>;
    return rows.map((r) => r.quick_check).join('; ');
  } catch (err) {
    return `not checked (${(err as Error).message})`;
  } finally {
    db?.close();
  }
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  installExitHook();
  const seed = o.seed ?? (Date.now() ^ (process.pid << 16)) >>> 0;
  const rand = rng(seed);
  const connectors = o.connectors ?? 2;
  const meterIntervalMs = o.meterIntervalMs ?? 2000;
  const samplesMin = o.samplesMin ?? 2;
  const samplesMax = o.samplesMax ?? 8;
  const pauseMin = o.pauseMinMs ?? 500;
  const pauseMax = o.pauseMaxMs ?? 4000;
  const downMin = o.downMinMs ?? 200;
  const downMax = o.downMaxMs ?? 4000;
  const minUpMs = o.minUpMs ?? 2000;
  const prefix = o.prefix ?? 'SOAK';
  const progress = o.onProgress ?? (() => {});
  const dataDir = mkdtempSync(join(tmpdir(), 'ocpp-edge-soak-'));
  const dbFile = join(dataDir, 'ocpp-edge.db');
  const report: SoakReport = {
    seed,
    chargers: o.chargers,
    connectors,
    durationMs: o.durationMs,
    elapsedMs: 0,
    killsPlanned: o.kills,
    killsSurvived: 0,
    killLog: [],
    sessionsStarted: 0,
    sessionsCompleted: 0,
    sessionsOpenAcrossKills: 0,
    openAcrossKillsClosedCorrectly: 0,
    meterValuesAcked: 0,
    reconnects: 0,
    resends: 0,
    refusedStarts: 0,
    chargerErrors: [],
    serviceErrorLines: [],
    store: null,
    failures: [],
    dataDir,
    ok: false,
  };
  const port = await freePort();
  const startService = async () => {
    const s = await ServiceProcess.start({ dataDir, port, token: TOKEN, extraArgs: ['--log-file', 'soak.log'], readyTimeoutMs: 60_000 });
    live.add(s);
    return s;
  };
  let service: ServiceProcess | null = null;
  const chargers = Array.from(
    { length: o.chargers },
    (_, i) =>
      new SimCharger({
        id: chargerId(prefix, i + 1),
        url: `ws://127.0.0.1:${port}/ocpp`,
        connectors,
        meterIntervalMs,
        // Each sample stands for a minute of charging: realistic energy in a short run.
        timeScale: 60_000 / meterIntervalMs,
        backoffInitialMs: 250,
        backoffMaxMs: 4000,
        callTimeoutMs: 20_000,
        txRetryIntervalMs: 1000,
        authorizeMode: 'advisory',
        // A charger that never gives a transaction message up while the service is being killed.
        config: { AllowOfflineTxForUnknownId: 'true', StopTransactionOnInvalidId: 'false', TransactionMessageAttempts: '10' },
        logLimit: 20,
      }),
  );
  const startedAt = Date.now();
  const endAt = startedAt + o.durationMs;
  const sessionMaxMs = samplesMax * meterIntervalMs + 5000;
  const hardDeadline = endAt + (o.drainTimeoutMs ?? Math.max(60_000, sessionMaxMs * 3));
  let stopping = false;
  /** Sessions open (start acknowledged, stop not) at some kill. */
  const openAtKill = new Set<SimTransaction>();

  const summary = () => {
    const sum = (f: (c: SimCharger) => number) => chargers.reduce((n, c) => n + f(c), 0);
    return {
      online: sum((c) => (c.isOnline ? 1 : 0)),
      started: sum((c) => c.ledger.starts.length),
      completed: sum((c) => c.ledger.stops.length),
      meterValues: sum((c) => c.ledger.meterValues.length),
      queued: sum((c) => c.pendingTransactionMessages),
      inFlight: sum((c) => (c.inFlight?.transactional ? 1 : 0)),
      errors: sum((c) => c.errors.length),
    };
  };
  const progressLine = () => {
    const s = summary();
    return (
      `[${((Date.now() - startedAt) / 1000).toFixed(0)}s] online ${s.online}/${o.chargers}, sessions ${s.completed} completed / ${s.started} started, ` +
      `meter values ${s.meterValues}, queued ${s.queued}, kills ${report.killLog.length}/${o.kills}, errors ${s.errors}`
    );
  };
  const ticker = setInterval(() => progress(progressLine()), o.progressIntervalMs ?? 15_000);

  /** One connector's sessions, one after another, until the end of the run (bounded). */
  const connectorLoop = async (c: SimCharger, connectorId: number, charger: number) => {
    const idTag = `${prefix}${charger}-${connectorId}`.slice(0, 20);
    const maxSessions = Math.ceil(o.durationMs / (samplesMin * meterIntervalMs + pauseMin)) + 1;
    const maxAttempts = maxSessions * 4 + 100;
    for (let s = 0, attempt = 0; s < maxSessions && attempt < maxAttempts && !stopping && Date.now() < endAt; attempt++) {
      const r = await c.startSession({ idTag, connectorId, samples: rand.int(samplesMin, samplesMax), stopReason: rand.next() < 0.5 ? 'EVDisconnected' : 'Local' });
      if (!r.started) {
        report.refusedStarts++;
        await sleep(250);
        continue;
      }
      s++;
      if ((await within(r.tx.ended, Math.max(1000, hardDeadline - Date.now()))) === 'timeout') return;
      await sleep(rand.int(pauseMin, pauseMax));
    }
  };
  const chargerLoop = async (c: SimCharger, i: number) => {
    await sleep((Math.min(5000, o.chargers * 5) * i) / o.chargers);
    if (stopping) return;
    c.start();
    try {
      await c.waitFor(() => c.boots > 0, Math.max(1000, hardDeadline - Date.now()), 'first boot');
    } catch (err) {
      report.failures.push((err as Error).message);
      return;
    }
    await Promise.all(Array.from({ length: connectors }, (_, k) => connectorLoop(c, k + 1, i + 1)));
  };

  /** Kills at random moments: one per slot of the run, each after at least minUpMs of uptime. */
  const killLoop = async () => {
    const slot = o.durationMs / Math.max(1, o.kills);
    for (let k = 0; k < o.kills && !stopping; k++) {
      const target = startedAt + slot * k + slot * (0.1 + 0.8 * rand.next());
      await sleep(target - Date.now());
      if (stopping || !service) return;
      // Land the kill while transaction messages are in flight (sent, answer not read yet),
      // checked in the same tick as the kill so no answer can arrive in between. Bounded.
      for (let i = 0; i < 200 && summary().inFlight === 0; i++) await sleep(10);
      const inFlight = summary().inFlight;
      let openSessions = 0;
      for (const c of chargers) {
        for (const tx of c.transactions) {
          if (tx.transactionId !== null && !tx.stopAcked) {
            openSessions++;
            openAtKill.add(tx);
          }
        }
      }
      const atMs = Date.now() - startedAt;
      await service.kill9();
      live.delete(service);
      const killedAt = Date.now();
      const quickCheck = o.checkEachKill === false ? 'skipped' : quickCheckAfterKill(dbFile);
      await sleep(rand.int(downMin, downMax) - (Date.now() - killedAt));
      const queuedAtRestart = summary().queued;
      service = await startService();
      const downMs = Date.now() - killedAt;
      report.killLog.push({ atMs, inFlight, openSessions, queuedAtRestart, downMs, quickCheck });
      report.killsSurvived++;
      progress(
        `kill ${k + 1}/${o.kills} at ${(atMs / 1000).toFixed(1)}s: ${inFlight} in flight, ${openSessions} sessions open, ${queuedAtRestart} queued, down ${downMs} ms, quick_check ${quickCheck}`,
      );
      await sleep(minUpMs);
    }
  };

  try {
    service = await startService();
    progress(`service up on 127.0.0.1:${port} (data ${dataDir}), seed ${seed}`);
    const kills = killLoop();
    await Promise.all([Promise.all(chargers.map((c, i) => chargerLoop(c, i))), kills]);
    progress(`sessions over at ${((Date.now() - startedAt) / 1000).toFixed(0)}s; draining queues`);
    const drained = await within(
      Promise.all(chargers.map((c) => c.drain(Math.max(1000, hardDeadline - Date.now())).catch((e: Error) => report.failures.push(e.message)))),
      Math.max(1000, hardDeadline - Date.now() + 2000),
    );
    if (drained === 'timeout') report.failures.push('queues did not drain before the deadline');
    report.elapsedMs = Date.now() - startedAt;
    stopping = true;
    const s = summary();
    report.sessionsStarted = s.started;
    report.sessionsCompleted = s.completed;
    report.meterValuesAcked = s.meterValues;
    report.reconnects = chargers.reduce((n, c) => n + Math.max(0, c.connects - 1), 0);
    report.resends = chargers.reduce((n, c) => n + c.resends, 0);
    report.chargerErrors = chargers.flatMap((c) => c.errors.map((e) => `${c.id}: ${e}`));
    if (s.queued) report.failures.push(`${s.queued} transaction messages never acknowledged`);
    if (report.killsSurvived < o.kills) report.failures.push(`only ${report.killsSurvived} of ${o.kills} kills done`);
    if (report.chargerErrors.length) report.failures.push(`${report.chargerErrors.length} charger errors (first: ${report.chargerErrors[0]})`);
    for (const k of report.killLog)
      if (k.quickCheck !== 'ok' && k.quickCheck !== 'skipped' && !k.quickCheck.startsWith('not checked')) report.failures.push(`quick_check after the kill at ${k.atMs} ms: ${k.quickCheck}`);

    await Promise.all(chargers.map((c) => c.close()));
    await service.stop();
    live.delete(service);
    service = null;
    report.serviceErrorLines = serviceErrors(dataDir);
    if (report.serviceErrorLines.length) report.failures.push(`${report.serviceErrorLines.length} error lines in the service log (first: ${report.serviceErrorLines[0]})`);

    const db = openDb(dbFile, { readonly: true });
    try {
      report.store = checkStore(db, chargers, prefix);
      const completed = db.prepare(`SELECT status, meter_stop AS meterStop, stop_inferred AS inferred FROM transactions WHERE id = ?`);
      for (const tx of openAtKill) {
        report.sessionsOpenAcrossKills++;
        const row = completed.get(tx.transactionId) as { status: string; meterStop: number; inferred: number } | undefined;
        if (tx.stopAcked && row?.status === 'Completed' && row.meterStop === tx.meterStop && row.inferred === 0) report.openAcrossKillsClosedCorrectly++;
      }
    } finally {
      db.close();
    }
    if (!storeCheckOk(report.store)) report.failures.push(...report.store.problems.map((p) => `store: ${p}`));
    if (report.openAcrossKillsClosedCorrectly !== report.sessionsOpenAcrossKills) {
      report.failures.push(`${report.sessionsOpenAcrossKills - report.openAcrossKillsClosedCorrectly} of ${report.sessionsOpenAcrossKills} sessions open across a kill not closed correctly`);
    }
    if (o.kills > 0 && report.sessionsOpenAcrossKills === 0) report.failures.push('no session was open at any kill: the kills proved nothing');
  } catch (err) {
    report.failures.push(`soak aborted: ${(err as Error).stack ?? err}`);
    if (service) report.failures.push(`service output:\n${service.output.slice(-3000)}`);
  } finally {
    stopping = true;
    clearInterval(ticker);
    report.elapsedMs ||= Date.now() - startedAt;
    await within(Promise.all(chargers.map((c) => c.close())), 10_000);
    if (service) {
      await within(service.stop(), 15_000);
      service.signal('SIGKILL');
      live.delete(service);
    }
    report.ok = report.failures.length === 0;
    if (!o.keepData && report.ok) rmSync(dataDir, { recursive: true, force: true });
  }
  return report;
}

export function formatReport(r: SoakReport): string {
  const s = r.store;
  const lines = [
    `soak ${r.ok ? 'PASSED' : 'FAILED'} (seed ${r.seed})`,
    `  chargers:               ${r.chargers} (${r.connectors} connectors each)`,
    `  duration:               ${(r.durationMs / 1000).toFixed(0)} s of sessions, ${(r.elapsedMs / 1000).toFixed(0)} s with draining`,
    `  kills survived:         ${r.killsSurvived}/${r.killsPlanned} (SIGKILL; down ${r.killLog.map((k) => k.downMs).join(', ')} ms)`,
    `  in flight at kills:     ${r.killLog.map((k) => k.inFlight).join(', ')}`,
    `  queued at restarts:     ${r.killLog.map((k) => k.queuedAtRestart).join(', ')}`,
    `  quick_check at kills:   ${r.killLog.map((k) => k.quickCheck).join(', ') || '-'}`,
    `  sessions:               ${r.sessionsCompleted} completed / ${r.sessionsStarted} started`,
    `  open across a kill:     ${r.sessionsOpenAcrossKills}, closed correctly by their stops: ${r.openAcrossKillsClosedCorrectly}`,
    `  sessions checked:       ${s?.sessionsChecked ?? 0} (stops ${s?.stopsChecked ?? 0})`,
    `  meter values checked:   ${s?.meterValuesChecked ?? 0} messages, ${s?.meterRowsChecked ?? 0} samples (+${s?.stopDataRowsChecked ?? 0} stop samples)`,
    `  reconnects / resends:   ${r.reconnects} / ${r.resends} (starts refused by the charger itself: ${r.refusedStarts})`,
    `  lost:                   ${s ? s.lost : 'not checked'}`,
    `  duplicated:             ${s ? s.duplicated : 'not checked'}`,
    `  phantom (unacked rows): ${s ? s.phantom : 'not checked'}`,
    `  orphan stops:           ${s ? s.orphanStops : 'not checked'}`,
    `  inferred stops:         ${s ? s.inferredStops : 'not checked'}`,
    `  active left:            ${s ? s.activeLeft : 'not checked'}`,
    `  integrity_check:        ${s?.integrity || 'not checked'}`,
    `  charger errors:         ${r.chargerErrors.length}`,
    `  service error lines:    ${r.serviceErrorLines.length}`,
  ];
  if (!r.ok) lines.push(`  data dir kept:          ${r.dataDir}`, '  failures:', ...r.failures.slice(0, 40).map((f) => `    - ${f}`));
  return lines.join('\n');
}
