/**
 * A network namespace joined to this one by a veth pair with link-local addresses
 * (169.254.x.y/30): a caller in it reaches a server here from a non-loopback address, and no
 * packet can leave the machine (the pair is the namespace's only link). Needs root and `ip`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Netns {
  name: string;
  /** This side of the pair: bind a server here to be reached from the namespace. */
  hostAddress: string;
  /** The namespace's side: what a server here sees as the caller's address. */
  nsAddress: string;
  /** Runs a command inside the namespace; resolves with its stdout (rejects on a non-zero exit). */
  exec(cmd: string, args: string[], timeoutMs?: number): Promise<string>;
}

/** Why a namespace cannot be made here, or null when it can. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to create a network namespace';
  if (!['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].some((p) => existsSync(p))) return 'needs the ip command (iproute2)';
  return null;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Creates the namespace and its veth pair, runs `fn`, and removes both whatever happens. */
export async function withNetns<T>(fn: (ns: Netns) => Promise<T>): Promise<T> {
  const tag = process.pid.toString(36);
  const name = `ocpp-edge-${tag}`;
  const hostIf = `oeh${tag}`.slice(0, 15);
  const nsIf = `oen${tag}`.slice(0, 15);
  // A /30 per test process, so parallel runs do not share a subnet.
  const third = ((process.pid >> 6) % 254) + 1;
  const fourth = (process.pid % 64) * 4;
  const hostAddress = `169.254.${third}.${fourth + 1}`;
  const nsAddress = `169.254.${third}.${fourth + 2}`;
  try {
    ip('netns', 'add', name);
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
    ip('link', 'set', nsIf, 'netns', name);
    ip('addr', 'add', `${hostAddress}/30`, 'dev', hostIf);
    ip('link', 'set', hostIf, 'up');
    ip('-n', name, 'addr', 'add', `${nsAddress}/30`, 'dev', nsIf);
    ip('-n', name, 'link', 'set', nsIf, 'up');
    ip('-n', name, 'link', 'set', 'lo', 'up');
    const exec = (cmd: string, args: string[], timeoutMs = 15_000) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn('ip', ['netns', 'exec', name, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
        let out = '';
        let err = '';
        child.stdout.on('data', (c) => (out += c));
        child.stderr.on('data', (c) => (err += c));
        child.once('error', reject);
        child.once('exit', (code, signal) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} in namespace ${name} exited ${code ?? signal}: ${err}`))));
      });
    return await fn({ name, hostAddress, nsAddress, exec });
  } finally {
    // Deleting the namespace removes its end of the pair, and with it this end.
    for (const args of [
      ['netns', 'del', name],
      ['link', 'del', hostIf],
    ]) {
      try {
        ip(...args);
      } catch {
        // Not created, or already gone with the namespace.
      }
    }
  }
}
