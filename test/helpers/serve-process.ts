/**
 * The headless entry as a real process: `node --import tsx main/serve.ts` (what `npm run serve`
 * runs via tsx, without npm/npx in between so signals and exit codes reach the service itself).
 * Call `cleanupServes()` in an `after` hook: it kills what is left and removes the temp folder.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
/** Home of the default data dir, so a run without --data-dir never touches the user's. */
const xdgRoot = mkdtempSync(join(tmpdir(), 'ocpp-edge-serve-xdg-'));
const procs = new Set<ChildProcess>();

export function cleanupServes(): void {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  rmSync(xdgRoot, { recursive: true, force: true });
}

/** The parent's environment without any OCPP_EDGE_* setting, plus `env`. */
export function cleanEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OCPP_EDGE_')) out[k] = v;
  return { ...out, XDG_DATA_HOME: xdgRoot, ...env };
}

export interface Run {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `cmd` runs main/serve.ts (or `script`) with `args`. */
export function spawnServe(args: string[], env: Record<string, string> = {}, cmd: string[] = [process.execPath, '--import', 'tsx'], script = 'main/serve.ts'): Run {
  const proc = spawn(cmd[0]!, [...cmd.slice(1), script, ...args], { cwd: repo, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  procs.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (c) => (out += c));
  proc.stderr!.on('data', (c) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  return { proc, stdout: () => out, stderr: () => err, exited };
}

export interface Service extends Run {
  port: number;
  base: string;
  /** The token from the banner, or null when it says "configured". */
  token: string | null;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the service on a free loopback port and parses the banner on stderr. */
export async function startServe(dataDir: string, extraArgs: string[] = [], env: Record<string, string> = {}, cmd?: string[]): Promise<Service> {
  const run = spawnServe(['--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1', '--log-level', 'warn', ...extraArgs], env, cmd);
  await waitFor(
    () => {
      if (run.proc.exitCode !== null) throw new Error(`serve exited with ${run.proc.exitCode}: ${run.stderr()}`);
      return /API token: .*\n/.test(run.stderr());
    },
    { timeoutMs: 30_000, stepMs: 25, what: 'the service banner' },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${run.stderr()}`, { cause: err });
  });
  const banner = run.stderr();
  const port = Number(/REST API:\s+http:\/\/127\.0\.0\.1:(\d+)\/api/.exec(banner)?.[1]);
  assert.ok(port > 0, `bound port in banner: ${banner}`);
  assert.match(banner, new RegExp(`ws://127\\.0\\.0\\.1:${port}/ocpp/`), 'OCPP URL on the same port');
  const tokenLine = /API token: (.*)/.exec(banner)![1]!;
  const token = /^configured\b/.test(tokenLine) ? null : tokenLine.split(/\s+/)[0]!;
  return {
    ...run,
    port,
    base: `http://127.0.0.1:${port}`,
    token,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      run.proc.kill(signal);
      return run.exited;
    },
  };
}
