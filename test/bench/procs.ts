/**
 * Child processes of the bench and what /proc says about them. Every child is started through
 * `bash -c 'ulimit -n N; exec ...'` so it gets a raised open-file limit and keeps its pid (exec),
 * is registered, and is killed when the bench exits for any reason.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ProbeSnapshot } from './probe.js';
import type { ErrorCounters, GenCommand, GenReply } from './protocol.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROBE = pathToFileURL(join(ROOT, 'test/bench/probe.ts')).href;

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

export function killAll(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null && c.pid) {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  children.clear();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

let hooked = false;
/** Kills every child and removes temporary dirs on exit, Ctrl-C, SIGTERM or a crash. */
export function installCleanup(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      console.error(`\nbench: ${sig}, stopping children`);
      killAll();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (err) => {
    console.error('bench: uncaught', err);
    killAll();
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    console.error('bench: unhandled rejection', err);
    killAll();
    process.exit(1);
  });
}

export function makeTempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}

export function removeTempDir(d: string): void {
  rmSync(d, { recursive: true, force: true });
  tempDirs.delete(d);
}

/** spawn through bash so `ulimit -n` applies; exec keeps the pid. */
function spawnWithLimit(nofile: number, argv: string[], opts: { env?: NodeJS.ProcessEnv; ipc?: boolean }): ChildProcess {
  const script = `ulimit -n ${nofile} 2>/dev/null || ulimit -n $(ulimit -Hn); exec "$@"`;
  const child = spawn('bash', ['-c', script, 'bench-child', ...argv], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: opts.ipc ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    ...(opts.ipc && { serialization: 'advanced' as const }),
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export async function stopChild(child: ChildProcess, graceMs = 10000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

// ---- the server under test ----

export type Target = 'edge' | 'baseline';

export interface ServerHandle {
  target: Target;
  child: ChildProcess;
  pid: number;
  port: number;
  /** ws://127.0.0.1:PORT/ocpp/ (edge) or ws://127.0.0.1:PORT/ (baseline); the charger id is appended. */
  wsBase: string;
  httpBase: string;
  token: string;
  dataDir: string | null;
  probeFile: string;
  stderrTail: string[];
  warnings: number;
  stop(): Promise<void>;
}

export const API_TOKEN = 'bench-token-0123456789abcdef';

export interface ServerOptions {
  nofile: number;
  messageLogMaxRows: number;
  /** WebSocket ping interval (default 0: off; the service's own default is 60). */
  pingIntervalSec?: number;
  nodeFlags?: string[];
  /** CPU-profile the measurement window into this file (see probe.ts). */
  profileFile?: string;
}

export async function startServer(target: Target, o: ServerOptions): Promise<ServerHandle> {
  const probeDir = makeTempDir('ocpp-edge-bench-probe-');
  const probeFile = join(probeDir, 'probe.json');
  const dataDir = target === 'edge' ? makeTempDir('ocpp-edge-bench-data-') : null;
  const node = [process.execPath, ...(o.nodeFlags ?? []), '--import', 'tsx', '--import', PROBE];
  const argv =
    target === 'edge'
      ? [
          ...node,
          'main/serve.ts',
          '--data-dir',
          dataDir!,
          '--port',
          '0',
          '--host',
          '127.0.0.1',
          '--api-token',
          API_TOKEN,
          '--log-level',
          'warn',
          '--message-log-max-rows',
          String(o.messageLogMaxRows),
          '--ping-interval-sec',
          String(o.pingIntervalSec ?? 0),
        ]
      : [...node, 'test/bench/baseline-server.ts', '--port', '0', '--host', '127.0.0.1'];
  const env = { BENCH_PROBE_FILE: probeFile, BENCH_TEMP_DIRS: [probeDir, dataDir ?? ''].join('\n'), ...(o.profileFile && { BENCH_PROBE_PROFILE: o.profileFile }) };
  const child = spawnWithLimit(o.nofile, argv, { env });
  const stderrTail: string[] = [];
  let warnings = 0;
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      if (/"level":\s*(40|50|60)|warn|error/i.test(line)) warnings++;
      stderrTail.push(line.slice(0, 400));
      if (stderrTail.length > 40) stderrTail.shift();
    }
  };
  child.stdout!.on('data', keep);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${target} server did not start in 60 s:\n${stderrTail.join('\n')}`)), 60000);
    const onData = (chunk: Buffer) => {
      keep(chunk);
      const m = /ws:\/\/127\.0\.0\.1:(\d+)\//.exec(stderrTail.join('\n'));
      if (m) {
        clearTimeout(timer);
        child.stderr!.off('data', onData);
        child.stderr!.on('data', keep);
        resolve(Number(m[1]));
      }
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`${target} server exited (${code ?? sig}) before listening:\n${stderrTail.join('\n')}`));
    });
  });
  const h: ServerHandle = {
    target,
    child,
    pid: child.pid!,
    port,
    wsBase: target === 'edge' ? `ws://127.0.0.1:${port}/ocpp/` : `ws://127.0.0.1:${port}/`,
    httpBase: `http://127.0.0.1:${port}`,
    token: API_TOKEN,
    dataDir,
    probeFile,
    stderrTail,
    get warnings() {
      return warnings;
    },
    async stop() {
      await stopChild(child, 15000);
      if (dataDir) removeTempDir(dataDir);
      removeTempDir(probeDir);
    },
  };
  return h;
}

const probeSeq = new Map<number, number>();
/** Asks the server's probe for a snapshot (GC totals, event-loop delay since the last one). */
export async function probe(h: ServerHandle): Promise<ProbeSnapshot | null> {
  const want = (probeSeq.get(h.pid) ?? 0) + 1;
  probeSeq.set(h.pid, want);
  try {
    process.kill(h.pid, 'SIGUSR2');
  } catch {
    return null;
  }
  const until = Date.now() + 3000;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 10));
    if (!existsSync(h.probeFile)) continue;
    try {
      const s = JSON.parse(readFileSync(h.probeFile, 'utf8')) as ProbeSnapshot;
      if (s.seq >= want) return s;
    } catch {
      /* being replaced */
    }
  }
  return null;
}

// ---- load generators ----

export interface Generator {
  pid: number;
  child: ChildProcess;
  call<T>(cmd: GenCommand, timeoutMs?: number): Promise<{ result: T; counters: ErrorCounters }>;
  stop(): Promise<void>;
}

export async function startGenerator(nofile: number): Promise<Generator> {
  const child = spawnWithLimit(nofile, [process.execPath, '--import', 'tsx', join(ROOT, 'test/bench/loadgen.ts')], { ipc: true });
  let reqId = 0;
  const waiting = new Map<number, { resolve: (r: GenReply) => void; reject: (e: Error) => void }>();
  let exitError: Error | null = null;
  child.on('message', (m: GenReply | { ready: true }) => {
    if ('reqId' in m) {
      const w = waiting.get(m.reqId);
      waiting.delete(m.reqId);
      w?.resolve(m);
    }
  });
  child.once('exit', (code, sig) => {
    exitError = new Error(`load generator exited (${code ?? sig})`);
    for (const w of waiting.values()) w.reject(exitError);
    waiting.clear();
  });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('load generator did not start in 60 s')), 60000);
    child.once('message', () => (clearTimeout(t), resolve()));
    child.once('exit', () => (clearTimeout(t), reject(exitError)));
  });
  return {
    pid: child.pid!,
    child,
    call<T>(cmd: GenCommand, timeoutMs = 600000): Promise<{ result: T; counters: ErrorCounters }> {
      if (exitError) return Promise.reject(exitError);
      const id = ++reqId;
      return new Promise<{ result: T; counters: ErrorCounters }>((resolve, reject) => {
        const t = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`load generator: ${cmd.op} got no answer in ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, {
          resolve: (r) => {
            clearTimeout(t);
            if (r.ok) resolve({ result: r.result as T, counters: r.counters });
            else reject(new Error(`load generator: ${cmd.op} failed: ${r.error}`));
          },
          reject: (e) => (clearTimeout(t), reject(e)),
        });
        child.send({ reqId: id, cmd });
      });
    },
    async stop() {
      if (child.connected) child.disconnect();
      await stopChild(child, 5000);
    },
  };
}

// ---- /proc ----

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time (user+system) of a process in ms. */
export function cpuMs(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/**
 * Whole machine, in jiffies over all cores: busy, total, and `task` = user + nice + system,
 * the time charged to processes. Interrupt and softirq time (where the kernel moves loopback
 * TCP traffic) is busy but not `task`, so it is not mistaken for other processes' work.
 */
export function machineCpu(): { busy: number; total: number; task: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total, task: (v[0] ?? 0) + (v[1] ?? 0) + (v[2] ?? 0) };
}

export function rssKB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

export function openFiles(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

export function openFileLimit(pid: number): number {
  const m = /Max open files\s+(\d+)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** TcpExt ListenOverflows + ListenDrops: connections the kernel dropped for a full accept queue. */
export function listenDrops(): number {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    for (let i = 0; i + 1 < lines.length; i += 2) {
      if (!lines[i]!.startsWith('TcpExt:')) continue;
      const names = lines[i]!.split(/\s+/);
      const vals = lines[i + 1]!.split(/\s+/);
      const get = (n: string) => Number(vals[names.indexOf(n)] ?? 0);
      return get('ListenOverflows') + get('ListenDrops');
    }
  } catch {
    /* not Linux */
  }
  return 0;
}

/**
 * Confines a process and all its threads (the service's writer thread too) to the given CPUs
 * (`taskset -a -p -c`). Threads started later inherit it from their creator.
 */
export function pinToCpus(pid: number, cpus: string): void {
  const r = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`taskset -a -p -c ${cpus} ${pid} failed: ${r.stderr || r.error?.message}`);
}
