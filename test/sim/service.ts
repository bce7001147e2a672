/**
 * The real service as a child process (`npx tsx main/serve.ts ...`) for durability and scale
 * tests. It runs in its own process group, so SIGKILL reaches the node process that owns
 * the port and the database, not just the npx wrapper.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits for `p` at most `ms`, without leaving a timer behind that keeps the process alive. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** A loopback port nobody listens on right now. */
/**
 * A free loopback port for a service a test stops and starts again on the same port. Taken
 * below the kernel's ephemeral range, so another test binding port 0 meanwhile cannot get it.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await listens(port)) return port;
  }
  throw new Error('no free port between 20000 and 32000 on 127.0.0.1');
}

function listens(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

export class ServiceProcess {
  private out = '';
  readonly exited: Promise<number | null>;
  private alive = true;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    const keep = (d: Buffer) => {
      this.out = (this.out + d.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.alive = false;
        resolve(code ?? (signal ? -1 : null));
      }),
    );
  }

  /** Starts `npx tsx main/serve.ts` and resolves once /health answers (bounded). */
  static async start(o: { dataDir: string; port: number; token: string; extraArgs?: string[]; readyTimeoutMs?: number }): Promise<ServiceProcess> {
    const args = ['tsx', 'main/serve.ts', '--data-dir', o.dataDir, '--port', String(o.port), '--host', '127.0.0.1', '--api-token', o.token, '--log-level', 'warn', ...(o.extraArgs ?? [])];
    const child = spawn('npx', args, { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
    const svc = new ServiceProcess(child, o.port);
    const deadline = Date.now() + (o.readyTimeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      if (!svc.alive) throw new Error(`service exited before it was ready:\n${svc.output}`);
      if (await healthy(o.port)) return svc;
      await sleep(100);
    }
    svc.signal('SIGKILL');
    throw new Error(`service not ready within ${o.readyTimeoutMs ?? 30_000} ms:\n${svc.output}`);
  }

  get output(): string {
    return this.out;
  }

  /** Signals the whole process group (npx, tsx and the service). */
  signal(sig: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, sig);
    } catch {
      // Already gone.
    }
  }

  /** kill -9 of the service: no shutdown code runs. Resolves once the port is free. */
  async kill9(): Promise<void> {
    this.signal('SIGKILL');
    await within(this.exited, 5000);
    for (let i = 0; i < 50 && (await healthy(this.port)); i++) await sleep(100);
  }

  /** Graceful stop (SIGTERM), then SIGKILL for anything left of the group. */
  async stop(): Promise<void> {
    this.signal('SIGTERM');
    await within(this.exited, 10_000);
    for (let i = 0; i < 50 && (await healthy(this.port)); i++) await sleep(100);
    this.signal('SIGKILL');
  }
}

export interface SimCliRun {
  /** Exit code, or 'timeout' (the CLI and its children were then killed). */
  code: number | null | 'timeout';
  stdout: string;
  stderr: string;
  /** Its `sim summary:` line. */
  summary: string;
}

/** Runs the simulator CLI (`npx tsx test/sim/cli.ts ...`) as a child process to its end, bounded by `timeoutMs`. */
export async function runSimCli(args: string[], timeoutMs: number): Promise<SimCliRun> {
  const child = spawn('npx', ['tsx', 'test/sim/cli.ts', ...args], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const code = (await within(exited, timeoutMs)) ?? 'timeout';
  if (code === 'timeout' && child.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return { code, stdout, stderr, summary: stdout.split('\n').find((l) => l.startsWith('sim summary:')) ?? '' };
}
