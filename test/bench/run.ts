/**
 * `npm run bench` — the OCPP Edge benchmark (issue 4).
 *
 * For each scenario it starts the service (own process, temporary data dir, durable writes as
 * always) and, in the same run, a baseline raw-ws server, and drives both with the same
 * load-generator processes over loopback. Prints a table (edge, baseline, ratio) and writes
 * bench-results/<timestamp>.json.
 *
 *   npm run bench                      full run (about 13 minutes on 2 cores; more when it repeats
 *                                      a scenario that other processes disturbed)
 *   npm run bench -- --quick           smoke run, well under two minutes
 *   npm run bench -- --only c,d        some scenarios (a b c d e f)
 *   npm run bench -- --workers 2       load-generator processes (default 2)
 *   npm run bench -- --profile c,d     also CPU-profile the service over those scenarios' windows
 *   npm run bench -- --message-log-rows 200000   run the service with its message log on
 */
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism, cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Histogram, type LatencySummary, mergeHistograms } from './hist.js';
import type { ProbeSnapshot } from './probe.js';
import {
  cpuMs,
  type Generator,
  installCleanup,
  killAll,
  listenDrops,
  machineCpu,
  makeTempDir,
  openFileLimit,
  openFiles,
  pinToCpus,
  probe,
  ROOT,
  removeTempDir,
  rssKB,
  type ServerHandle,
  startGenerator,
  startServer,
  type Target,
} from './procs.js';
import { type ProfileSummary, summariseProfile } from './profile-summary.js';
import type { ConnectResult, ErrorCounters, GenCommand, LoopResult, OcppVersion } from './protocol.js';
import { openUiPages, type PageWindow } from './ui-pages.js';

// ---------------------------------------------------------------- options

interface Params {
  storm: { chargers: number; window: number; timeoutS: number };
  idle: { steps: number[]; holdMs: number; heartbeatMs: number };
  closed: { sizes: number[]; warmupMs: number; durationMs: number };
  fixed: { chargers: number; rate: number; warmupMs: number; durationMs: number };
  churn: { chargers: number; metersPerSession: number; warmupMs: number; durationMs: number };
  ui: { chargers: number; rate: number; durationMs: number };
}

const FULL: Params = {
  storm: { chargers: 10000, window: 500, timeoutS: 120 },
  idle: { steps: [5000, 10000, 20000], holdMs: 15000, heartbeatMs: 15000 },
  closed: { sizes: [100, 1000], warmupMs: 3000, durationMs: 15000 },
  fixed: { chargers: 5000, rate: 2000, warmupMs: 3000, durationMs: 30000 },
  churn: { chargers: 500, metersPerSession: 2, warmupMs: 3000, durationMs: 15000 },
  ui: { chargers: 5000, rate: 500, durationMs: 15000 },
};

const QUICK: Params = {
  storm: { chargers: 300, window: 200, timeoutS: 30 },
  idle: { steps: [200, 400], holdMs: 1500, heartbeatMs: 1500 },
  closed: { sizes: [20, 100], warmupMs: 300, durationMs: 1500 },
  fixed: { chargers: 200, rate: 200, warmupMs: 300, durationMs: 2000 },
  churn: { chargers: 20, metersPerSession: 2, warmupMs: 300, durationMs: 1500 },
  ui: { chargers: 200, rate: 100, durationMs: 3000 },
};

const SCENARIOS = ['a', 'b', 'c', 'd', 'e', 'f'] as const;
type Scenario = (typeof SCENARIOS)[number];
const TITLES: Record<Scenario, string> = {
  a: '(a) connect storm',
  b: '(b) idle capacity',
  c: '(c) closed loop',
  d: '(d) fixed rate',
  e: '(e) session churn',
  f: '(f) UI under load',
};

function parseOptions(argv: string[]) {
  const o = {
    quick: false,
    workers: 2,
    only: new Set<Scenario>(SCENARIOS),
    profile: [] as Scenario[],
    nofile: 65536,
    messageLogRows: 0,
    out: join(ROOT, 'bench-results'),
    retries: -1,
    serverNodeFlags: [] as string[],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v!;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--profile') {
      // --profile alone profiles scenario c; --profile a,c,d picks the scenarios.
      const next = argv[i + 1];
      const list = (next && !next.startsWith('--') ? (i++, next) : 'c').split(',').map((x) => x.trim()) as Scenario[];
      for (const x of list) if (!SCENARIOS.includes(x) || x === 'b') usage(`--profile: scenario ${x} cannot be profiled (a, c, d or e)`);
      o.profile = list;
    } else if (a === '--workers') o.workers = Math.max(1, Math.min(16, Number(val()) || 1));
    else if (a === '--nofile') o.nofile = Number(val());
    else if (a === '--message-log-rows') o.messageLogRows = Number(val());
    else if (a === '--server-node-flags') o.serverNodeFlags = val().split(/\s+/).filter(Boolean);
    else if (a === '--out') o.out = val();
    else if (a === '--retries') o.retries = Math.max(0, Number(val()) || 0);
    else if (a === '--only') {
      const list = val()
        .split(',')
        .map((s) => s.trim()) as Scenario[];
      for (const s of list) if (!SCENARIOS.includes(s)) usage(`unknown scenario ${s}`);
      o.only = new Set(list);
    } else if (a === '--help' || a === '-h') usage();
    else usage(`unknown option ${a}`);
  }
  if (o.retries < 0) o.retries = o.quick ? 0 : 2;
  // As in the UI tests: a machine without Chromium says so and leaves the UI scenario out.
  if (process.env.OCPP_EDGE_SKIP_BROWSER === '1' && o.only.delete('f')) process.stderr.write('bench: OCPP_EDGE_SKIP_BROWSER=1: scenario f (UI under load) left out\n');
  return o;
}

function usage(err?: string): never {
  const text = readHeader();
  if (err) console.error(`bench: ${err}\n`);
  (err ? console.error : console.log)(text);
  process.exit(err ? 2 : 0);
}

function readHeader(): string {
  return [
    'Usage: npm run bench -- [--quick] [--only a,b,c,d,e,f] [--workers N] [--profile [a,c,d,e]] [--nofile N] [--message-log-rows N] [--server-node-flags FLAGS] [--out DIR] [--retries N]',
    '  --quick              small N and short windows (under two minutes; CI smoke run)',
    '  --only LIST          scenarios to run: a connect storm, b idle capacity, c closed loop, d fixed rate, e session churn,',
    '                       f UI under load (dashboard and charger list in headless Chromium; edge only)',
    '  --workers N          load-generator processes (default 2)',
    '  --profile [LIST]     after the scenarios, run these (default c; a, c, d, e) once more for the service alone with the',
    '                       V8 CPU profiler on over the measurement window, and summarise where its time went',
    '  --nofile N           open-file limit for the server and generator processes (default 65536)',
    "  --message-log-rows N the service's messageLogMaxRows (default 0: message log off)",
    '  --server-node-flags "FLAGS"  extra node/V8 flags for the service process (e.g. "--max-semi-space-size=32")',
    '  --out DIR            where the JSON goes (default bench-results/)',
    '  --retries N          run a scenario again when other processes took > 30% of a core during it (default 2; quick 0)',
  ].join('\n');
}

const opts = parseOptions(process.argv.slice(2));
const P = opts.quick ? QUICK : FULL;

// ---------------------------------------------------------------- helpers

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const log = (s: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

/** Errors seen by the load generators; any of them fails the run (exit 1) after the table. */
const problems: string[] = [];

function addCounters(where: string, cs: ErrorCounters[]): void {
  const sum = { callErrors: 0, protocolErrors: 0, unexpectedCloses: 0, serverCalls: 0, samples: [] as string[] };
  for (const c of cs) {
    sum.callErrors += c.callErrors;
    sum.protocolErrors += c.protocolErrors;
    sum.unexpectedCloses += c.unexpectedCloses;
    sum.serverCalls += c.serverCalls;
    sum.samples.push(...c.errorSamples);
  }
  if (sum.callErrors) problems.push(`${where}: ${sum.callErrors} CALLERROR answers, e.g. ${sum.samples.slice(0, 2).join(' | ')}`);
  if (sum.protocolErrors) problems.push(`${where}: ${sum.protocolErrors} unexpected frames or answers`);
  if (sum.unexpectedCloses) problems.push(`${where}: ${sum.unexpectedCloses} sockets closed by the server`);
}

/**
 * The load-generator processes live for the whole run (each scenario re-seeds their chargers),
 * which saves their start-up per scenario; a generator that died is replaced.
 */
let pool: Generator[] = [];
async function generators(): Promise<Generator[]> {
  const alive = pool.filter((g) => g.child.exitCode === null && g.child.signalCode === null);
  const fresh = await Promise.all(Array.from({ length: opts.workers - alive.length }, () => startGenerator(opts.nofile)));
  pool = [...alive, ...fresh];
  return pool;
}

interface Rig {
  target: Target;
  server: ServerHandle;
  gens: Generator[];
}

interface RigExtra {
  /** The chargers' OCPP version (default 1.6). */
  ocpp?: OcppVersion;
  nodeFlags?: string[];
  messageLogRows?: number;
  pingIntervalSec?: number;
  profileFile?: string;
  /** The server (every thread) on CPU 0, the load generators on CPU 1, for the measurement. */
  pinned?: boolean;
}

/** The service's defaults as users run it: message log of 200,000 rows, WebSocket ping every 60 s. */
const SERVICE_DEFAULTS: RigExtra = { messageLogRows: 200000, pingIntervalSec: 60 };

async function startRig(target: Target, chargers: number, prefix: string, extra: RigExtra = {}): Promise<Rig> {
  const server = await startServer(target, {
    nofile: opts.nofile,
    messageLogMaxRows: extra.messageLogRows ?? opts.messageLogRows,
    ...(extra.pingIntervalSec !== undefined && { pingIntervalSec: extra.pingIntervalSec }),
    nodeFlags: [...(target === 'edge' ? opts.serverNodeFlags : []), ...(extra.nodeFlags ?? [])],
    ...(extra.profileFile && { profileFile: extra.profileFile }),
  });
  try {
    const gens = await generators();
    await Promise.all(
      gens.map((g, w) =>
        g.call({
          op: 'setup',
          url: server.wsBase,
          strict: target === 'edge',
          from: Math.floor((chargers * w) / gens.length),
          to: Math.floor((chargers * (w + 1)) / gens.length),
          idPrefix: prefix,
          ...(extra.ocpp && { ocpp: extra.ocpp }),
        }),
      ),
    );
    return { target, server, gens };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

async function stopRig(rig: Rig, where: string): Promise<void> {
  try {
    const cs = await Promise.all(rig.gens.map((g) => g.call<ErrorCounters>({ op: 'counters' }, 10000)));
    addCounters(
      `${where} ${rig.target}`,
      cs.map((c) => c.result),
    );
    await Promise.all(rig.gens.map((g) => g.call({ op: 'disconnect', timeoutMs: 10000 }, 30000).catch(() => {})));
  } finally {
    if (rig.server.child.exitCode !== null) problems.push(`${where} ${rig.target}: server died: ${rig.server.stderrTail.slice(-5).join(' / ')}`);
    await rig.server.stop();
  }
}

/** Sends one command to every generator; the per-generator command may depend on its index. */
async function all<T>(rig: Rig, cmd: GenCommand | ((w: number) => GenCommand), timeoutMs?: number): Promise<T[]> {
  const rs = await Promise.all(rig.gens.map((g, w) => g.call<T>(typeof cmd === 'function' ? cmd(w) : cmd, timeoutMs)));
  return rs.map((r) => r.result);
}

/** Share of `n` for generator w of W. */
const share = (n: number, w: number, W: number) => Math.floor((n * (w + 1)) / W) - Math.floor((n * w) / W);

interface ConnectSummary {
  chargers: number;
  accepted: number;
  failed: number;
  retries: number;
  seconds: number | null;
  connectToAccepted: LatencySummary | null;
  listenDrops: number;
  failures: string[];
}

async function connectAll(rig: Rig, total: number, window: number, timeoutS: number, upTo?: number[]): Promise<ConnectSummary> {
  const startAt = Date.now() + 300;
  const drops0 = listenDrops();
  const rs = await all<ConnectResult>(
    rig,
    (w) => ({ op: 'connect', startAt, window: Math.max(1, Math.ceil(window / rig.gens.length)), deadlineAt: startAt + timeoutS * 1000, ...(upTo && { upTo: upTo[w]! }) }) as GenCommand,
    timeoutS * 1000 + 30000,
  );
  const accepted = rs.reduce((a, r) => a + r.accepted, 0);
  const failed = rs.reduce((a, r) => a + r.failed, 0);
  const last = Math.max(...rs.map((r) => r.lastAcceptedAt));
  const s: ConnectSummary = {
    chargers: total,
    accepted,
    failed,
    retries: rs.reduce((a, r) => a + r.retries, 0),
    seconds: failed === 0 && accepted > 0 ? round((last - startAt) / 1000, 3) : null,
    connectToAccepted: mergeHistograms(rs.map((r) => r.connectToAccepted)).summary(),
    listenDrops: listenDrops() - drops0,
    failures: rs.flatMap((r) => r.failures).slice(0, 5),
  };
  if (failed) problems.push(`${rig.target}: ${failed} of ${total} chargers not connected/Accepted: ${s.failures.join('; ')}`);
  return s;
}

/** POST /api/rfid for tags T00000.. so every session runs with an Accepted card of its own. */
async function createTags(server: ServerHandle, n: number): Promise<void> {
  let next = 0;
  const one = async () => {
    while (next < n) {
      const i = next++;
      const r = await fetch(`${server.httpBase}/api/rfid`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tagId: `T${String(i).padStart(5, '0')}` }),
      });
      if (r.status !== 201 && r.status !== 200) throw new Error(`POST /api/rfid: HTTP ${r.status} ${await r.text()}`);
      await r.arrayBuffer().catch(() => {});
    }
  };
  await Promise.all(Array.from({ length: 8 }, one));
}

/** Brings a rig to `n` booted chargers, each with a transaction running (edge: with its own Accepted tag). */
async function prepareSessions(rig: Rig, n: number, startTx: boolean): Promise<void> {
  if (rig.target === 'edge') await createTags(rig.server, n);
  await connectAll(rig, n, 500, 120);
  if (startTx) {
    const rs = await all<{ started: number; failed: number }>(rig, { op: 'startTx', window: 200, deadlineAt: Date.now() + 120000 }, 150000);
    const failed = rs.reduce((a, r) => a + r.failed, 0);
    if (failed) problems.push(`${rig.target}: ${failed} StartTransaction without a transactionId`);
  }
}

interface Usage {
  wallMs: number;
  /** % of one core. */
  serverCpuPct: number;
  generatorCpuPct: number;
  /** % of the whole machine (all cores) busy. */
  machineBusyPct: number;
  /** CPU charged to other processes on the machine (% of one core; interrupts and softirq excluded): noise when high. */
  otherCpuPct: number;
  gcMs: number | null;
  gcPct: number | null;
  gcCount: number | null;
  gcMaxMs: number | null;
  eldP99Ms: number | null;
  eldMaxMs: number | null;
  heapUsedMB: number | null;
  rssMB: number;
}

/** Brackets a measurement window: CPU of server and generators, machine load, GC and event-loop delay. */
async function measureStart(rig: Rig) {
  const snap = await probe(rig.server);
  return { t: performance.now(), server: cpuMs(rig.server.pid), gens: rig.gens.reduce((a, g) => a + cpuMs(g.pid), 0), machine: machineCpu(), snap };
}

async function measureEnd(rig: Rig, start: Awaited<ReturnType<typeof measureStart>>): Promise<Usage> {
  const wallMs = performance.now() - start.t;
  const server = cpuMs(rig.server.pid) - start.server;
  const gens = rig.gens.reduce((a, g) => a + cpuMs(g.pid), 0) - start.gens;
  const m = machineCpu();
  const snap: ProbeSnapshot | null = await probe(rig.server);
  const totalJiffies = Math.max(1, m.total - start.machine.total);
  const machineBusyPct = ((m.busy - start.machine.busy) / totalJiffies) * 100;
  const taskPct = ((m.task - start.machine.task) / totalJiffies) * 100;
  const otherCpuPct = Math.max(0, taskPct * availableParallelism() - ((server + gens) / wallMs) * 100);
  const gcMs = snap && start.snap ? snap.gc.ms - start.snap.gc.ms : null;
  return {
    wallMs: Math.round(wallMs),
    serverCpuPct: round((server / wallMs) * 100, 1),
    generatorCpuPct: round((gens / wallMs) * 100, 1),
    machineBusyPct: round(machineBusyPct, 1),
    otherCpuPct: round(otherCpuPct, 1),
    gcMs: gcMs === null ? null : Math.round(gcMs),
    gcPct: gcMs === null ? null : round((gcMs / wallMs) * 100, 1),
    gcCount: snap && start.snap ? snap.gc.count - start.snap.gc.count : null,
    gcMaxMs: snap ? round(snap.gc.maxMs, 2) : null,
    eldP99Ms: snap?.eld.p99 ?? null,
    eldMaxMs: snap?.eld.max ?? null,
    heapUsedMB: snap?.heapUsedMB ?? null,
    rssMB: round(rssKB(rig.server.pid) / 1024, 1),
  };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

// ---------------------------------------------------------------- scenarios

/** Other processes above this share of one core during a window make it "noisy". */
const NOISY_OTHER_PCT = 30;
const noise: Partial<Record<Scenario, number>> = {};

/** The largest otherCpuPct of any measurement window inside a scenario's results. */
function maxOtherCpu(v: unknown): number {
  if (!v || typeof v !== 'object') return 0;
  if ('otherCpuPct' in v && typeof (v as Usage).otherCpuPct === 'number') return (v as Usage).otherCpuPct;
  return Math.max(0, ...Object.values(v).map(maxOtherCpu));
}

type PerTarget<T> = Partial<Record<Target, T>>;
const results: Record<string, PerTarget<unknown>> = {};
const TARGETS: Target[] = ['edge', 'baseline'];

async function scenarioA(targets: Target[] = TARGETS, extra: RigExtra = {}): Promise<unknown> {
  const p = P.storm;
  const out: PerTarget<{ first: ConnectSummary; reconnect: ConnectSummary; serverNofile: number; usage: Usage }> = {};
  for (const target of targets) {
    log(`(a) ${target}: ${p.chargers} chargers connect and boot (at most ${p.window} handshakes in flight)`);
    const rig = await startRig(target, p.chargers, 'STORM', extra);
    try {
      const m0 = await measureStart(rig);
      const first = await connectAll(rig, p.chargers, p.window, p.timeoutS);
      const usage = await measureEnd(rig, m0);
      log(`(a) ${target}: all Accepted in ${first.seconds ?? 'n/a'} s; reconnecting all (now registered)`);
      await all(rig, { op: 'disconnect', timeoutMs: 20000 }, 40000);
      await sleep(opts.quick ? 500 : 3000);
      const reconnect = await connectAll(rig, p.chargers, p.window, p.timeoutS);
      out[target] = { first, reconnect, serverNofile: openFileLimit(rig.server.pid), usage };
    } finally {
      await stopRig(rig, '(a)');
    }
  }
  return out;
}

interface IdleStep {
  chargers: number;
  rssBeforeKB: number;
  rssKB: number;
  perChargerKB: number;
  openFiles: number;
  heapUsedMB: number | null;
  connectSeconds: number | null;
  heartbeatsSent: number;
  heartbeatsAnswered: number;
}

/** Set when the idle scenario could not reach its largest step within the open-file limit. */
let capped: { wanted: number; limit: number; fdsBefore: number; cap: number } | null = null;

async function scenarioB(targets: Target[] = TARGETS, extra: RigExtra = {}): Promise<unknown> {
  const p = P.idle;
  const max = p.steps[p.steps.length - 1]!;
  const out: PerTarget<{ steps: IdleStep[]; openFileLimit: number; usage: Usage }> = {};
  for (const target of targets) {
    const rig = await startRig(target, max, 'IDLE', extra);
    try {
      await sleep(1000);
      const rssBefore = rssKB(rig.server.pid);
      // Each charger is one file descriptor of the server: the last step is capped below the
      // server's open-file limit (a hard limit that root without CAP_SYS_RESOURCE cannot raise).
      const limit = openFileLimit(rig.server.pid);
      const fdsBefore = openFiles(rig.server.pid);
      const cap = Math.floor((limit - fdsBefore - 32) / 50) * 50;
      const wanted = p.steps.filter((n) => n < cap);
      if (wanted.length < p.steps.length) {
        wanted.push(cap);
        capped = { wanted: max, limit, fdsBefore, cap };
        log(`(b) ${target}: open-file limit ${limit} with ${fdsBefore} in use before any charger: the last step is ${cap} chargers, not ${max}`);
      }
      const steps: IdleStep[] = [];
      let usage: Usage | null = null;
      for (const n of wanted) {
        log(`(b) ${target}: ${n} chargers connected and heartbeating every ${p.heartbeatMs / 1000} s`);
        const W = rig.gens.length;
        // Generator w owns a contiguous slice of `max`; connect the first share(n) of it.
        const upTo = rig.gens.map((_, w) => share(n, w, W));
        const conn = await connectAll(rig, n, 500, 120, upTo);
        await all(rig, { op: 'idleStart', intervalMs: p.heartbeatMs });
        const m0 = await measureStart(rig);
        await sleep(p.holdMs);
        usage = await measureEnd(rig, m0);
        const hb = await all<{ sent: number; answered: number }>(rig, { op: 'idleStop' });
        const rss = rssKB(rig.server.pid);
        steps.push({
          chargers: n,
          rssBeforeKB: rssBefore,
          rssKB: rss,
          perChargerKB: round((rss - rssBefore) / n, 2),
          openFiles: openFiles(rig.server.pid),
          heapUsedMB: usage.heapUsedMB,
          connectSeconds: conn.seconds,
          heartbeatsSent: hb.reduce((a, h) => a + h.sent, 0),
          heartbeatsAnswered: hb.reduce((a, h) => a + h.answered, 0),
        });
        log(`(b) ${target}: ${n} chargers: RSS ${Math.round(rss / 1024)} MB, ${steps.at(-1)!.perChargerKB} KB per charger`);
      }
      out[target] = { steps, openFileLimit: limit, fdsBefore, ...(capped && { cappedAt: cap }), usage: usage! } as (typeof out)[Target];
    } finally {
      await stopRig(rig, '(b)');
    }
  }
  return out;
}

interface LoopOut {
  chargers: number;
  msgPerSec: number;
  sessionsPerSec?: number;
  latency: LatencySummary | null;
  sendLag?: LatencySummary | null;
  unanswered: number;
  scheduled?: number;
  usage: Usage;
  /** Highest server RSS sampled during the window (every 250 ms). */
  peakRssKB?: number;
  /** Size of the service's -wal file right after the window. */
  walKB?: number;
  pinned?: boolean;
}

/** Samples the server's RSS until stopped; returns the highest. */
function rssPeak(pid: number): () => number {
  let peak = rssKB(pid);
  const t = setInterval(() => {
    peak = Math.max(peak, rssKB(pid));
  }, 250);
  return () => {
    clearInterval(t);
    return Math.max(peak, rssKB(pid));
  };
}

function walKB(server: ServerHandle): number | undefined {
  if (!server.dataDir) return undefined;
  const wal = join(server.dataDir, 'ocpp-edge.db-wal');
  return existsSync(wal) ? Math.round(statSync(wal).size / 1024) : 0;
}

/** Pins the rig for a measurement (extra.pinned); returns how to undo it for the generators, which live on. */
function pinRig(rig: Rig, extra: RigExtra): () => void {
  if (!extra.pinned) return () => {};
  pinToCpus(rig.server.pid, '0');
  for (const g of rig.gens) pinToCpus(g.pid, '1');
  return () => {
    for (const g of rig.gens) pinToCpus(g.pid, `0-${availableParallelism() - 1}`);
  };
}

async function runClosed(target: Target, n: number, extra: RigExtra = {}): Promise<LoopOut> {
  const p = P.closed;
  const rig = await startRig(target, n, 'LOOP', extra);
  try {
    await prepareSessions(rig, n, true);
    const unpin = pinRig(rig, extra);
    try {
      const startAt = Date.now() + 300;
      const pending = all<LoopResult>(rig, { op: 'closedLoop', startAt, warmupMs: p.warmupMs, durationMs: p.durationMs, drainMs: 10000 }, p.warmupMs + p.durationMs + 60000);
      await sleep(startAt + p.warmupMs - Date.now());
      const m0 = await measureStart(rig);
      const peak = rssPeak(rig.server.pid);
      await sleep(startAt + p.warmupMs + p.durationMs - Date.now());
      const peakRssKB = peak();
      const usage = await measureEnd(rig, m0);
      const wal = walKB(rig.server);
      const rs = await pending;
      const completed = rs.reduce((a, r) => a + r.completed, 0);
      return {
        chargers: n,
        msgPerSec: Math.round(completed / (p.durationMs / 1000)),
        latency: mergeHistograms(rs.map((r) => r.latency)).summary(),
        unanswered: rs.reduce((a, r) => a + r.unanswered, 0),
        usage,
        peakRssKB,
        ...(wal !== undefined && { walKB: wal }),
        ...(extra.pinned && { pinned: true }),
      };
    } finally {
      unpin();
    }
  } finally {
    await stopRig(rig, `(c) @${n}`);
  }
}

async function scenarioC(targets: Target[] = TARGETS, extra: RigExtra = {}): Promise<unknown> {
  const out: Record<string, PerTarget<LoopOut>> = {};
  const sizes = extra.profileFile ? P.closed.sizes.slice(-1) : P.closed.sizes;
  for (const n of sizes) {
    out[n] = {};
    for (const target of targets) {
      log(`(c) ${target}: closed loop, ${n} chargers, Heartbeat:MeterValues 1:1, ${P.closed.durationMs / 1000} s`);
      const r = await runClosed(target, n, extra);
      out[n]![target] = r;
      log(`(c) ${target} @${n}: ${r.msgPerSec} msg/s (server CPU ${r.usage.serverCpuPct}%, generators ${r.usage.generatorCpuPct}%)`);
    }
  }
  // OCPP 2.0.1 stations at the largest size: Heartbeat and TransactionEvent Updated by turns (issue 14).
  if (!extra.profileFile) {
    const n = P.closed.sizes.at(-1)!;
    out[`${n}@2.0.1`] = {};
    for (const target of targets) {
      log(`(c) ${target}: closed loop, ${n} OCPP 2.0.1 chargers, Heartbeat:TransactionEvent 1:1, ${P.closed.durationMs / 1000} s`);
      const r = await runClosed(target, n, { ...extra, ocpp: '2.0.1' });
      out[`${n}@2.0.1`]![target] = r;
      log(`(c) ${target} @${n} 2.0.1: ${r.msgPerSec} msg/s (server CPU ${r.usage.serverCpuPct}%, generators ${r.usage.generatorCpuPct}%)`);
    }
  }
  // The same at the largest size with the message log at its default size (200,000 rows), as
  // users run it (the target's measurement); then once more with the server confined to one
  // core and the load generators on the other, the baseline likewise.
  if (!opts.quick && opts.messageLogRows === 0 && !extra.profileFile) {
    const n = P.closed.sizes.at(-1)!;
    log(`(c) edge: closed loop, ${n} chargers, message log on (200000 rows)`);
    out[`${n}+log`] = { edge: await runClosed('edge', n, { messageLogRows: 200000 }) };
    out[`${n}+log pinned`] = {};
    for (const target of targets) {
      log(`(c) ${target}: closed loop, ${n} chargers, server on CPU 0, generators on CPU 1${target === 'edge' ? ', message log on' : ''}`);
      out[`${n}+log pinned`]![target] = await runClosed(target, n, { pinned: true, ...(target === 'edge' && { messageLogRows: 200000 }) });
    }
  }
  return out;
}

type FixedOut = PerTarget<LoopOut> & { edgeDefaults?: LoopOut };

async function scenarioD(targets: Target[] = TARGETS, extra: RigExtra = {}): Promise<unknown> {
  const p = P.fixed;
  const out: FixedOut = {};
  // The edge once more with the service's defaults (message log and pings on), as users run it.
  const runs: Array<[keyof FixedOut, Target, RigExtra]> = targets.map((t) => [t, t, extra]);
  if (!opts.quick && !extra.profileFile && targets.includes('edge')) runs.push(['edgeDefaults', 'edge', { ...extra, ...SERVICE_DEFAULTS }]);
  for (const [key, target, runExtra] of runs) {
    log(`(d) ${key}: ${p.chargers} chargers, ${p.rate} msg/s total (open loop), ${p.durationMs / 1000} s`);
    const rig = await startRig(target, p.chargers, 'RATE', runExtra);
    try {
      await prepareSessions(rig, p.chargers, true);
      const W = rig.gens.length;
      // Warm-up at the same rate, not measured (JIT, caches), then the measured window.
      if (p.warmupMs > 0) {
        await all<LoopResult>(rig, () => ({ op: 'fixedRate', startAt: Date.now() + 200, ratePerSec: p.rate / W, durationMs: p.warmupMs, drainMs: 5000 }) as GenCommand, p.warmupMs + 30000);
      }
      const startAt = Date.now() + 300;
      const pending = all<LoopResult>(rig, () => ({ op: 'fixedRate', startAt, ratePerSec: p.rate / W, durationMs: p.durationMs, drainMs: 10000 }), p.durationMs + 60000);
      await sleep(startAt - Date.now());
      const m0 = await measureStart(rig);
      await sleep(startAt + p.durationMs - Date.now());
      const usage = await measureEnd(rig, m0);
      const rs = await pending;
      const completed = rs.reduce((a, r) => a + r.completed, 0);
      const r: LoopOut = {
        chargers: p.chargers,
        msgPerSec: Math.round(completed / (p.durationMs / 1000)),
        latency: mergeHistograms(rs.map((x) => x.latency)).summary(),
        sendLag: mergeHistograms(rs.map((x) => x.sendLag!)).summary(),
        scheduled: rs.reduce((a, x) => a + x.scheduled, 0),
        unanswered: rs.reduce((a, x) => a + x.unanswered, 0),
        usage,
      };
      if (r.unanswered) problems.push(`(d) ${key}: ${r.unanswered} calls unanswered after the drain time`);
      out[key] = r;
      log(`(d) ${key}: p50 ${r.latency?.p50Ms} ms, p99 ${r.latency?.p99Ms} ms, max ${r.latency?.maxMs} ms (generator's own send lag p99 ${r.sendLag?.p99Ms} ms)`);
    } finally {
      await stopRig(rig, '(d)');
    }
  }
  return out;
}

async function scenarioE(targets: Target[] = TARGETS, extra: RigExtra = {}): Promise<unknown> {
  const p = P.churn;
  const out: PerTarget<LoopOut> = {};
  for (const target of targets) {
    log(`(e) ${target}: ${p.chargers} chargers, Start + ${p.metersPerSession} MeterValues + Stop, again and again, ${p.durationMs / 1000} s`);
    const rig = await startRig(target, p.chargers, 'CHURN', extra);
    try {
      await prepareSessions(rig, p.chargers, false);
      const startAt = Date.now() + 300;
      const pending = all<LoopResult>(
        rig,
        { op: 'churn', startAt, warmupMs: p.warmupMs, durationMs: p.durationMs, metersPerSession: p.metersPerSession, drainMs: 10000 },
        p.warmupMs + p.durationMs + 60000,
      );
      await sleep(startAt + p.warmupMs - Date.now());
      const m0 = await measureStart(rig);
      await sleep(startAt + p.warmupMs + p.durationMs - Date.now());
      const usage = await measureEnd(rig, m0);
      const rs = await pending;
      const secs = p.durationMs / 1000;
      out[target] = {
        chargers: p.chargers,
        msgPerSec: Math.round(rs.reduce((a, r) => a + r.completed, 0) / secs),
        sessionsPerSec: round(rs.reduce((a, r) => a + r.sessions, 0) / secs, 1),
        latency: mergeHistograms(rs.map((r) => r.latency)).summary(),
        unanswered: rs.reduce((a, r) => a + r.unanswered, 0),
        usage,
      };
      log(`(e) ${target}: ${out[target]!.sessionsPerSec} sessions/s`);
    } finally {
      await stopRig(rig, '(e)');
    }
  }
  return out;
}

/** Runs scenario `sc` once more for the edge alone, with the CPU profiler on over its measurement window. */
async function profilePass(sc: Scenario, dir: string): Promise<ProfileSummary | null> {
  const profDir = makeTempDir('ocpp-edge-bench-prof-');
  const tmp = join(profDir, 'window.cpuprofile');
  log(`profile: ${TITLES[sc]}, edge with the V8 CPU profiler over the measurement window`);
  try {
    await runners[sc](['edge'], { profileFile: tmp });
    // The probe writes the profile when the window closes; the server has exited by now.
    if (!existsSync(tmp)) {
      problems.push(`profile ${sc}: no profile written`);
      return null;
    }
    const dest = join(dir, `${stamp}-edge-${sc}.cpuprofile`);
    copyFileSync(tmp, dest);
    return { ...summariseProfile(dest, ROOT), file: dest };
  } finally {
    removeTempDir(profDir);
  }
}

interface UiOut {
  chargers: number;
  statusPerSec: number;
  dashboardFirstRenderMs: number;
  chargerListFirstRenderMs: number;
  dashboard: PageWindow;
  chargerList: PageWindow;
  usage: Usage;
}

/**
 * (f) The UI under load (issue 9): `chargers` connected, `rate` status changes a second spread
 * over them; the dashboard and the charger list open in headless Chromium. The UI is the edge's
 * own: no baseline.
 */
async function scenarioF(): Promise<unknown> {
  const p = P.ui;
  log(`(f) edge: ${p.chargers} chargers connected, ${p.rate} status changes/s for ${p.durationMs / 1000} s, dashboard and charger list in headless Chromium`);
  const rig = await startRig('edge', p.chargers, 'UI');
  try {
    await connectAll(rig, p.chargers, 500, 120);
    const ui = await openUiPages(rig.server.httpBase, rig.server.token, 'UI00000');
    try {
      const W = rig.gens.length;
      const startAt = Date.now() + 300;
      const pending = all<LoopResult>(rig, () => ({ op: 'fixedRate', startAt, ratePerSec: p.rate / W, durationMs: p.durationMs, drainMs: 10000, messages: 'status' }), p.durationMs + 60000);
      await sleep(startAt - Date.now());
      const m0 = await measureStart(rig);
      await ui.startWindow();
      await sleep(startAt + p.durationMs - Date.now());
      const pages = await ui.endWindow();
      const usage = await measureEnd(rig, m0);
      const rs = await pending;
      const r: UiOut = {
        chargers: p.chargers,
        statusPerSec: Math.round(rs.reduce((a, x) => a + x.completed, 0) / (p.durationMs / 1000)),
        dashboardFirstRenderMs: ui.dashboardFirstRenderMs,
        chargerListFirstRenderMs: ui.chargerListFirstRenderMs,
        dashboard: pages.dashboard,
        chargerList: pages.chargers,
        usage,
      };
      log(
        `(f) edge: first render dashboard ${r.dashboardFirstRenderMs} ms, charger list ${r.chargerListFirstRenderMs} ms; long tasks ${pages.dashboard.longTaskPct}% / ${pages.chargers.longTaskPct}%; events reached the list ${pages.chargers.events} in ${pages.chargers.cacheUpdates} cache updates`,
      );
      return { edge: r };
    } finally {
      await ui.close();
    }
  } finally {
    await stopRig(rig, '(f)');
  }
}

const runners: Record<Scenario, (targets?: Target[], extra?: RigExtra) => Promise<unknown>> = { a: scenarioA, b: scenarioB, c: scenarioC, d: scenarioD, e: scenarioE, f: scenarioF };

// ---------------------------------------------------------------- report

interface Row {
  scenario: string;
  metric: string;
  edge: number | null;
  baseline: number | null;
  digits: number;
  /** Which way is better, for the reader. */
  better: 'higher' | 'lower';
  target?: { text: string; ok: boolean | null };
}

function rowsFrom(): Row[] {
  const rows: Row[] = [];
  const ratioTarget = (edge: number | null, base: number | null, min: number) => ({ text: `≥ ${min}× baseline`, ok: edge !== null && base ? edge / base >= min : null });
  const le = (v: number | null | undefined, max: number, unit: string) => ({ text: `≤ ${max} ${unit}`, ok: v === null || v === undefined ? null : v <= max });
  const a = results.a as PerTarget<{ first: ConnectSummary; reconnect: ConnectSummary }> | undefined;
  if (a) {
    const n = P.storm.chargers.toLocaleString('en-US');
    rows.push({
      scenario: TITLES.a,
      metric: `${n} chargers: time to all Accepted (s)`,
      edge: a.edge?.first.seconds ?? null,
      baseline: a.baseline?.first.seconds ?? null,
      digits: 2,
      better: 'lower',
      ...(!opts.quick && { target: le(a.edge?.first.seconds, 3, 's') }),
    });
    rows.push({
      scenario: TITLES.a,
      metric: `${n} reconnect (registered): time (s)`,
      edge: a.edge?.reconnect.seconds ?? null,
      baseline: a.baseline?.reconnect.seconds ?? null,
      digits: 2,
      better: 'lower',
    });
    rows.push({
      scenario: TITLES.a,
      metric: 'kernel accept-queue drops (SYN retried)',
      edge: a.edge?.first.listenDrops ?? null,
      baseline: a.baseline?.first.listenDrops ?? null,
      digits: 0,
      better: 'lower',
    });
    rows.push({
      scenario: TITLES.a,
      metric: 'connect→Accepted p99 (ms)',
      edge: a.edge?.first.connectToAccepted?.p99Ms ?? null,
      baseline: a.baseline?.first.connectToAccepted?.p99Ms ?? null,
      digits: 1,
      better: 'lower',
    });
  }
  const b = results.b as PerTarget<{ steps: IdleStep[] }> | undefined;
  if (b) {
    const ns = [...new Set([...(b.edge?.steps ?? []), ...(b.baseline?.steps ?? [])].map((s) => s.chargers))].sort((x, y) => x - y);
    for (const [i, n] of ns.entries()) {
      const e = b.edge?.steps.find((s) => s.chargers === n);
      const bl = b.baseline?.steps.find((s) => s.chargers === n);
      const last = i === ns.length - 1;
      const note = capped && n === capped.cap ? ` (open-file limit ${capped.limit})` : '';
      rows.push({
        scenario: TITLES.b,
        metric: `RSS per idle charger @${n.toLocaleString('en-US')}${note} (KB)`,
        edge: e?.perChargerKB ?? null,
        baseline: bl?.perChargerKB ?? null,
        digits: 1,
        better: 'lower',
        ...(last && !opts.quick && { target: le(e?.perChargerKB, 12, 'KB') }),
      });
    }
    const e = b.edge?.steps.at(-1);
    const bl = b.baseline?.steps.at(-1);
    rows.push({
      scenario: TITLES.b,
      metric: `server RSS @${(e?.chargers ?? 0).toLocaleString('en-US')} (MB)`,
      edge: e ? e.rssKB / 1024 : null,
      baseline: bl ? bl.rssKB / 1024 : null,
      digits: 0,
      better: 'lower',
    });
  }
  const c = results.c as Record<string, PerTarget<LoopOut>> | undefined;
  if (c) {
    for (const n of P.closed.sizes) {
      const e = c[n]?.edge;
      const bl = c[n]?.baseline;
      const last = n === P.closed.sizes.at(-1);
      rows.push({
        scenario: TITLES.c,
        metric: `msg/s @${n.toLocaleString('en-US')} chargers`,
        edge: e?.msgPerSec ?? null,
        baseline: bl?.msgPerSec ?? null,
        digits: 0,
        better: 'higher',
        // Without the message log the target is the log-on run's (below) when there is one.
        ...(last && !opts.quick && !c[`${n}+log`] && { target: ratioTarget(e?.msgPerSec ?? null, bl?.msgPerSec ?? null, 0.5) }),
      });
      rows.push({ scenario: TITLES.c, metric: `p99 latency @${n.toLocaleString('en-US')} (ms)`, edge: e?.latency?.p99Ms ?? null, baseline: bl?.latency?.p99Ms ?? null, digits: 2, better: 'lower' });
    }
    const n = P.closed.sizes.at(-1)!;
    const at = n.toLocaleString('en-US');
    const v201 = c[`${n}@2.0.1`];
    if (v201) {
      rows.push({
        scenario: TITLES.c,
        metric: `msg/s @${at} OCPP 2.0.1 chargers`,
        edge: v201.edge?.msgPerSec ?? null,
        baseline: v201.baseline?.msgPerSec ?? null,
        digits: 0,
        better: 'higher',
        ...(!opts.quick && { target: ratioTarget(v201.edge?.msgPerSec ?? null, v201.baseline?.msgPerSec ?? null, 0.5) }),
      });
      rows.push({
        scenario: TITLES.c,
        metric: `p99 latency @${at} OCPP 2.0.1 (ms)`,
        edge: v201.edge?.latency?.p99Ms ?? null,
        baseline: v201.baseline?.latency?.p99Ms ?? null,
        digits: 2,
        better: 'lower',
      });
    }
    const logged = c[`${n}+log`]?.edge;
    const base = c[n]?.baseline ?? null;
    if (logged) {
      rows.push({
        scenario: TITLES.c,
        metric: `msg/s @${at}, message log on (default)`,
        edge: logged.msgPerSec,
        baseline: base?.msgPerSec ?? null,
        digits: 0,
        better: 'higher',
        target: ratioTarget(logged.msgPerSec, base?.msgPerSec ?? null, 0.5),
      });
      rows.push({ scenario: TITLES.c, metric: `p99 latency @${at}, message log on (ms)`, edge: logged.latency?.p99Ms ?? null, baseline: base?.latency?.p99Ms ?? null, digits: 2, better: 'lower' });
    }
    const top = logged ?? c[n]?.edge;
    if (top?.peakRssKB)
      rows.push({
        scenario: TITLES.c,
        metric: `peak server RSS @${at}${logged ? ', log on' : ''} (MB)`,
        edge: top.peakRssKB / 1024,
        baseline: base?.peakRssKB ? base.peakRssKB / 1024 : null,
        digits: 0,
        better: 'lower',
      });
    if (top?.walKB !== undefined)
      rows.push({ scenario: TITLES.c, metric: `WAL file after the window @${at}${logged ? ', log on' : ''} (MB)`, edge: top.walKB / 1024, baseline: null, digits: 1, better: 'lower' });
    const pinned = c[`${n}+log pinned`];
    if (pinned)
      rows.push({
        scenario: TITLES.c,
        metric: `msg/s @${at}, log on, server on 1 core (taskset), generators on the other`,
        edge: pinned.edge?.msgPerSec ?? null,
        baseline: pinned.baseline?.msgPerSec ?? null,
        digits: 0,
        better: 'higher',
      });
  }
  const d = results.d as FixedOut | undefined;
  if (d) {
    const label = `${P.fixed.chargers.toLocaleString('en-US')} ch @ ${P.fixed.rate.toLocaleString('en-US')} msg/s`;
    rows.push({ scenario: TITLES.d, metric: `${label}: p50 (ms)`, edge: d.edge?.latency?.p50Ms ?? null, baseline: d.baseline?.latency?.p50Ms ?? null, digits: 2, better: 'lower' });
    rows.push({
      scenario: TITLES.d,
      metric: `${label}: p99 (ms)`,
      edge: d.edge?.latency?.p99Ms ?? null,
      baseline: d.baseline?.latency?.p99Ms ?? null,
      digits: 2,
      better: 'lower',
      ...(!opts.quick && { target: le(d.edge?.latency?.p99Ms, 10, 'ms') }),
    });
    rows.push({ scenario: TITLES.d, metric: `${label}: max (ms)`, edge: d.edge?.latency?.maxMs ?? null, baseline: d.baseline?.latency?.maxMs ?? null, digits: 2, better: 'lower' });
    rows.push({ scenario: TITLES.d, metric: `${label}: answered msg/s`, edge: d.edge?.msgPerSec ?? null, baseline: d.baseline?.msgPerSec ?? null, digits: 0, better: 'higher' });
    const dd = d.edgeDefaults;
    if (dd) {
      rows.push({
        scenario: TITLES.d,
        metric: `${label}, service defaults (log + pings on): p99 (ms)`,
        edge: dd.latency?.p99Ms ?? null,
        baseline: d.baseline?.latency?.p99Ms ?? null,
        digits: 2,
        better: 'lower',
        target: le(dd.latency?.p99Ms, 10, 'ms'),
      });
      rows.push({ scenario: TITLES.d, metric: `${label}, service defaults: max (ms)`, edge: dd.latency?.maxMs ?? null, baseline: d.baseline?.latency?.maxMs ?? null, digits: 2, better: 'lower' });
    }
  }
  const e = results.e as PerTarget<LoopOut> | undefined;
  if (e) {
    const label = `${P.churn.chargers.toLocaleString('en-US')} ch, Start+${P.churn.metersPerSession}×MV+Stop`;
    rows.push({ scenario: TITLES.e, metric: `${label}: sessions/s`, edge: e.edge?.sessionsPerSec ?? null, baseline: e.baseline?.sessionsPerSec ?? null, digits: 1, better: 'higher' });
    rows.push({ scenario: TITLES.e, metric: `${label}: p99 latency (ms)`, edge: e.edge?.latency?.p99Ms ?? null, baseline: e.baseline?.latency?.p99Ms ?? null, digits: 2, better: 'lower' });
  }
  const f = (results.f as PerTarget<UiOut> | undefined)?.edge;
  if (f) {
    const at = `@${f.chargers.toLocaleString('en-US')} chargers, ${P.ui.rate}/s`;
    const pct = (v: number, max: number) => ({ text: `≤ ${max} %`, ok: v <= max });
    rows.push({
      scenario: TITLES.f,
      metric: `dashboard first render ${at} (ms)`,
      edge: f.dashboardFirstRenderMs,
      baseline: null,
      digits: 0,
      better: 'lower',
      target: le(f.dashboardFirstRenderMs, 2000, 'ms'),
    });
    rows.push({
      scenario: TITLES.f,
      metric: `charger list first render ${at} (ms)`,
      edge: f.chargerListFirstRenderMs,
      baseline: null,
      digits: 0,
      better: 'lower',
      target: le(f.chargerListFirstRenderMs, 2000, 'ms'),
    });
    rows.push({
      scenario: TITLES.f,
      metric: 'dashboard: main thread in long tasks (%)',
      edge: f.dashboard.longTaskPct,
      baseline: null,
      digits: 1,
      better: 'lower',
      target: pct(f.dashboard.longTaskPct, 50),
    });
    rows.push({
      scenario: TITLES.f,
      metric: 'charger list: main thread in long tasks (%)',
      edge: f.chargerList.longTaskPct,
      baseline: null,
      digits: 1,
      better: 'lower',
      target: pct(f.chargerList.longTaskPct, 50),
    });
    // Keeping up: the events the list applied in its window, per second, against the status changes answered.
    const applied = Math.round(f.chargerList.events / (f.chargerList.windowMs / 1000));
    rows.push({
      scenario: TITLES.f,
      metric: 'charger list: live events applied/s',
      edge: applied,
      baseline: null,
      digits: 0,
      better: 'higher',
      target: { text: `≥ 90% of ${f.statusPerSec}/s answered`, ok: applied >= 0.9 * f.statusPerSec },
    });
    rows.push({
      scenario: TITLES.f,
      metric: 'charger list: cache updates/s (≤ 1 per frame)',
      edge: Math.round(f.chargerList.cacheUpdates / (f.chargerList.windowMs / 1000)),
      baseline: null,
      digits: 0,
      better: 'lower',
    });
  }
  return rows;
}

const fmt = (v: number | null, digits: number) => (v === null || !Number.isFinite(v) ? 'n/a' : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));

function table(rows: Row[]): string {
  const head = ['scenario', 'metric', 'edge', 'baseline', 'ratio', 'target'];
  const noisy = (title: string) => {
    const k = SCENARIOS.find((x) => TITLES[x] === title);
    return k !== undefined && (noise[k] ?? 0) > NOISY_OTHER_PCT;
  };
  const body = rows.map((r) => [
    noisy(r.scenario) ? `${r.scenario} *` : r.scenario,
    r.metric,
    fmt(r.edge, r.digits),
    fmt(r.baseline, r.digits),
    r.edge !== null && r.baseline ? `${fmt(r.edge / r.baseline, 2)}×` : 'n/a',
    r.target ? `${r.target.text} ${r.target.ok === null ? '?' : r.target.ok ? 'met' : 'MISSED'}` : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (i >= 2 && i <= 4 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(head), sep, ...body.map(line)].join('\n');
}

function usageLines(): string[] {
  const lines: string[] = [];
  const add = (name: string, u: Usage | undefined) => {
    if (!u) return;
    lines.push(
      `  ${name.padEnd(30)} server CPU ${String(u.serverCpuPct).padStart(5)}%  generators ${String(u.generatorCpuPct).padStart(5)}%  machine ${String(u.machineBusyPct).padStart(5)}%  other processes ${String(u.otherCpuPct).padStart(5)}%  ` +
        `GC ${u.gcPct ?? '?'}% (${u.gcCount ?? '?'} pauses, max ${u.gcMaxMs ?? '?'} ms)  event-loop delay p99 ${u.eldP99Ms ?? '?'} ms max ${u.eldMaxMs ?? '?'} ms  heap ${u.heapUsedMB ?? '?'} MB  RSS ${u.rssMB} MB`,
    );
  };
  const a = results.a as PerTarget<{ usage: Usage }> | undefined;
  for (const t of TARGETS) add(`(a) storm ${t}`, a?.[t]?.usage);
  const b = results.b as PerTarget<{ usage: Usage }> | undefined;
  for (const t of TARGETS) add(`(b) idle ${t}`, b?.[t]?.usage);
  const c = results.c as Record<string, PerTarget<LoopOut>> | undefined;
  for (const k of Object.keys(c ?? {})) for (const t of TARGETS) add(`(c) @${k} ${t}`, c?.[k]?.[t]?.usage);
  const d = results.d as FixedOut | undefined;
  for (const t of TARGETS) add(`(d) fixed rate ${t}`, d?.[t]?.usage);
  add('(d) edge, service defaults', d?.edgeDefaults?.usage);
  add('(f) UI under load edge', (results.f as PerTarget<UiOut> | undefined)?.edge?.usage);
  for (const t of TARGETS) {
    const lag = d?.[t]?.sendLag;
    if (lag)
      lines.push(`  ${`(d) ${t}: generator send lag`.padEnd(30)} p50 ${lag.p50Ms} ms  p99 ${lag.p99Ms} ms  max ${lag.maxMs} ms (how late the generator itself sent; included in the latencies above)`);
  }
  const e = results.e as PerTarget<LoopOut> | undefined;
  for (const t of TARGETS) add(`(e) churn ${t}`, e?.[t]?.usage);
  return lines;
}

/** fsync latency where the service keeps its data (the temp dir): bounds durable writes. */
function fsyncLatency(): { p50Ms: number; p99Ms: number } {
  const dir = makeTempDir('ocpp-edge-bench-fsync-');
  const f = join(dir, 'f');
  const fd = openSync(f, 'w');
  const h = new Histogram();
  const buf = Buffer.alloc(4096, 1);
  for (let i = 0; i < (opts.quick ? 50 : 300); i++) {
    writeSync(fd, buf);
    const t = performance.now();
    fsyncSync(fd);
    h.recordMs(performance.now() - t);
  }
  closeSync(fd);
  unlinkSync(f);
  removeTempDir(dir);
  return { p50Ms: h.percentileMs(50)!, p99Ms: h.percentileMs(99)! };
}

/** Which code was measured: the commit, and whether main/ had uncommitted changes. */
function codeVersion(): { commit: string | null; dirtyFilesInMain: number | null } {
  const git = (args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git(['rev-parse', '--short', 'HEAD']);
  const status = git(['status', '--porcelain', '--', 'main']);
  return { commit: head.status === 0 ? head.stdout.trim() : null, dirtyFilesInMain: status.status === 0 ? status.stdout.split('\n').filter(Boolean).length : null };
}

function machine() {
  const c = cpus();
  const fsync = fsyncLatency();
  return {
    ...codeVersion(),
    nproc: availableParallelism(),
    cpuModel: c[0]?.model.trim() ?? 'unknown',
    ramGB: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    kernel: release(),
    tmpdir: tmpdir(),
    fsyncP50Ms: round(fsync.p50Ms, 3),
    fsyncP99Ms: round(fsync.p99Ms, 3),
  };
}

// ---------------------------------------------------------------- main

const stamp = new Date().toISOString().replace(/[:.]/g, '-');

async function main(): Promise<void> {
  installCleanup();
  const t0 = Date.now();
  const m = machine();
  const c0 = machineCpu();
  await sleep(1000);
  const c1 = machineCpu();
  const busyBefore = round(((c1.busy - c0.busy) / Math.max(1, c1.total - c0.total)) * 100, 1);
  Object.assign(m, { busyBeforeStartPct: busyBefore });
  if (busyBefore > 15) log(`WARNING: the machine is already ${busyBefore}% busy before the bench starts; numbers will be noisy`);
  const got = spawnSync('bash', ['-c', `ulimit -n ${opts.nofile} 2>/dev/null || ulimit -n $(ulimit -Hn); ulimit -n`], { encoding: 'utf8' }).stdout.trim();
  Object.assign(m, { childOpenFileLimit: Number(got) || null });
  log(
    `${opts.quick ? 'quick' : 'full'} run: scenarios ${[...opts.only].join(',')}, ${opts.workers} load-generator processes, open-file limit asked ${opts.nofile}, got ${got}` +
      (Number(got) < opts.nofile ? ' (the hard limit; raising it needs CAP_SYS_RESOURCE)' : ''),
  );
  log(`machine: ${m.nproc} cores, ${m.cpuModel}, ${m.ramGB} GB RAM, Node ${m.node}, fsync p50 ${m.fsyncP50Ms} ms p99 ${m.fsyncP99Ms} ms`);
  for (const s of SCENARIOS) {
    if (!opts.only.has(s)) continue;
    // On a shared machine other processes can steal the CPU during a window: such a scenario
    // is run again (at most opts.retries times) and the least disturbed attempt is kept.
    let best: { result: PerTarget<unknown> | Record<string, unknown>; other: number } | null = null;
    for (let attempt = 0; attempt <= opts.retries; attempt++) {
      try {
        results[s] = (await runners[s]()) as Record<string, unknown>;
      } catch (err) {
        problems.push(`${TITLES[s]}: ${err instanceof Error ? err.message : String(err)}`);
        log(`${TITLES[s]} failed: ${err instanceof Error ? err.stack : String(err)}`);
        break;
      }
      // (b) measures memory, which other processes do not change; in (f) Chromium itself is the
      // "other process" (its CPU is shown in the usage lines): no retry for either.
      const other = s === 'b' || s === 'f' ? 0 : maxOtherCpu(results[s]);
      if (!best || other < best.other) best = { result: results[s]!, other };
      if (other <= NOISY_OTHER_PCT) break;
      log(`${TITLES[s]}: other processes used up to ${other}% of a core during a window${attempt < opts.retries ? '; running it again' : ''}`);
    }
    if (best) {
      results[s] = best.result;
      noise[s] = best.other;
    }
  }
  mkdirSync(opts.out, { recursive: true });
  const profiles: Partial<Record<Scenario, ProfileSummary>> = {};
  for (const sc of opts.profile) {
    try {
      const p = await profilePass(sc, opts.out);
      if (p) profiles[sc] = p;
    } catch (err) {
      problems.push(`profile ${sc}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const rows = rowsFrom();
  const text = table(rows);
  const file = join(opts.out, `${stamp}.json`);
  const seconds = Math.round((Date.now() - t0) / 1000);
  writeFileSync(
    file,
    JSON.stringify(
      {
        startedAt: new Date(t0).toISOString(),
        seconds,
        mode: opts.quick ? 'quick' : 'full',
        machine: m,
        options: { workers: opts.workers, nofile: opts.nofile, messageLogRows: opts.messageLogRows, serverNodeFlags: opts.serverNodeFlags, scenarios: [...opts.only], params: P },
        table: rows.map((r) => ({ ...r, ratio: r.edge !== null && r.baseline ? r.edge / r.baseline : null })),
        results,
        noiseOtherCpuPct: noise,
        profiles,
        problems,
      },
      null,
      2,
    ),
  );
  console.log('');
  const code = m.commit ? `code ${m.commit}${m.dirtyFilesInMain ? ` + ${m.dirtyFilesInMain} uncommitted file(s) in main/` : ''}` : 'code version unknown';
  console.log(`OCPP Edge bench (${opts.quick ? 'quick' : 'full'}), ${code}; ${m.nproc} cores ${m.cpuModel}, ${m.ramGB} GB, Node ${m.node}; ratio = edge / baseline (raw ws)`);
  console.log(text);
  const noisyList = SCENARIOS.filter((k) => (noise[k] ?? 0) > NOISY_OTHER_PCT);
  if (noisyList.length) console.log(`* measured while other processes on the machine used up to ${Math.max(...noisyList.map((k) => noise[k]!))}% of a core: less reliable`);
  console.log('');
  console.log('Where the machine went (measurement windows):');
  for (const l of usageLines()) console.log(l);
  for (const [sc, prof] of Object.entries(profiles)) {
    console.log('');
    console.log(`Where the service's main thread spent ${TITLES[sc as Scenario]}'s measurement window (V8 CPU profile, edge alone; ${prof.file}):`);
    for (const l of prof.lines) console.log(`  ${l}`);
  }
  await Promise.all(pool.map((g) => g.stop()));
  console.log('');
  console.log(`results: ${file}  (${seconds} s)`);
  if (problems.length) {
    console.log('');
    console.log('PROBLEMS:');
    for (const p of problems) console.log(`  - ${p}`);
  }
  killAll();
  process.exit(problems.length ? 1 : 0);
}

void main();
