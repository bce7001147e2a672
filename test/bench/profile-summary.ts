/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per area
 * (GC, idle, native bindings, node core, each package, each folder of main/).
 *   npx tsx test/bench/profile-summary.ts FILE.cpuprofile
 * Native work (SQLite inside better-sqlite3, including the fsync of a COMMIT, which blocks
 * the thread) is attributed to the native function V8 saw being called, which has no URL.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; parent?: number; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  top: Array<{ fn: string; where: string; selfMs: number; pct: number }>;
  areas: Array<{ area: string; selfMs: number; pct: number }>;
  lines: string[];
  file?: string;
}

function shortUrl(url: string, root: string): string {
  let u = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (u.startsWith(root)) u = u.slice(root.length).replace(/^\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) u = u.slice(nm);
  return u;
}

/** better-sqlite3's C++ methods (Statement#run/get/all/iterate, Database#exec/prepare...). */
const SQLITE_NATIVE = new Set(['run', 'get', 'all', 'iterate', 'exec', 'prepare', 'pragma', 'raw', 'pluck', 'expand', 'bind', 'columns']);
const SOCKET_NATIVE = new Set(['writev', 'writeUtf8String', 'writeBuffer', 'writeLatin1String', 'writeAsciiString', 'shutdown', 'close', 'readStop', 'readStart']);

function areaOf(fn: string, url: string, parentUrl: string): string {
  if (!url) {
    if (fn.startsWith('(')) return fn;
    if (/^validate\d*$/.test(fn)) return 'ajv compiled validators';
    if (SQLITE_NATIVE.has(fn)) {
      // better-sqlite3's transaction wrapper runs BEGIN, SAVEPOINT, RELEASE and COMMIT (whose fsync blocks the thread).
      return parentUrl.includes('better-sqlite3/lib/methods/transaction.js') ? 'SQLite BEGIN/SAVEPOINT/RELEASE/COMMIT (incl. the fsync of COMMIT)' : 'SQLite statements (main/store queries)';
    }
    if (SOCKET_NATIVE.has(fn)) return 'socket writes (libuv, C++)';
    return 'other native (V8 builtins, C++ bindings)';
  }
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) {
    const parts = url.slice(5).split('/');
    return `node:${parts[0] === 'internal' ? parts.slice(0, 2).join('/') : parts[0]}`;
  }
  const m = /^(main|test)\/([^/]+)/.exec(url);
  if (m) return m[2]!.endsWith('.ts') ? `${m[1]}/${m[2]}` : `${m[1]}/${m[2]}/`;
  return url;
}

export function summariseProfile(file: string, root: string, topN = 25): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const fns = new Map<string, { fn: string; where: string; us: number }>();
  const areas = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const url = shortUrl(n.callFrame.url, root);
    const fn = n.callFrame.functionName || '(anonymous)';
    // tsx-compiled files report generated positions, so a line there means nothing.
    const where = !url ? '' : url.endsWith('.ts') ? url : `${url}:${n.callFrame.lineNumber + 1}`;
    const key = `${fn} ${where}`;
    const e = fns.get(key) ?? { fn, where, us: 0 };
    e.us += us;
    fns.set(key, e);
    const parent = byId.get(parentOf.get(id) ?? -1);
    const area = areaOf(fn, url, parent?.callFrame.url ?? '');
    areas.set(area, (areas.get(area) ?? 0) + us);
    total += us;
  }
  const pct = (us: number) => Math.round((us / total) * 1000) / 10;
  const ms = (us: number) => Math.round(us / 100) / 10;
  const top = [...fns.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, topN)
    .map((e) => ({ fn: e.fn, where: e.where, selfMs: ms(e.us), pct: pct(e.us) }));
  const areaList = [...areas.entries()].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, selfMs: ms(us), pct: pct(us) }));
  const lines = [
    `total sampled ${ms(total)} ms`,
    'self time by area:',
    ...areaList.slice(0, 16).map((a) => `  ${String(a.pct).padStart(5)}%  ${a.area}`),
    `top ${topN} functions by self time:`,
    ...top.map((t) => `  ${String(t.pct).padStart(5)}%  ${t.fn}  ${t.where}`),
  ];
  return { totalMs: ms(total), top, areas: areaList, lines };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const f = process.argv[2];
  if (!f) {
    console.error('usage: tsx test/bench/profile-summary.ts FILE.cpuprofile');
    process.exit(2);
  }
  const root = fileURLToPath(new URL('../..', import.meta.url));
  for (const l of summariseProfile(f, root).lines) console.log(l);
}
