/**
 * npm run soak [-- --chargers 500 --minutes 10 --kills 10 --seed N --connectors 2 --keep-data]
 *
 * 500 simulated chargers run sessions for 10 minutes while the service (a separate process)
 * is killed with SIGKILL at random moments and restarted; then the store is checked: every
 * acknowledged session and meter value present exactly once, stops applied, no orphans,
 * PRAGMA integrity_check ok. Prints its figures; exits 1 on any failure, 2 on bad options.
 */
import { formatReport, killAllServices, runSoak } from './soak.js';

const USAGE = `Usage: npm run soak -- [--chargers N] [--minutes M | --seconds S] [--kills K] [--connectors C]
                     [--meter-interval-ms MS] [--seed N] [--keep-data] [--no-check-each-kill]
Defaults: 500 chargers, 10 minutes, 10 kills, 2 connectors, 2000 ms meter interval.`;

function parse(argv: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [k, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (['keep-data', 'no-check-each-kill', 'help'].includes(k)) out[k] = true;
    else if (inline !== undefined) out[k] = inline;
    else if (i + 1 < argv.length) out[k] = argv[++i]!;
    else throw new Error(`--${k} needs a value`);
  }
  return out;
}

function num(args: Record<string, string | true>, key: string, fallback: number, min: number, max: number): number {
  const v = args[key];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n < min || n > max) throw new Error(`--${key} must be a number from ${min} to ${max}`);
  return n;
}

async function main(): Promise<number> {
  let args: Record<string, string | true>;
  let opts: Parameters<typeof runSoak>[0];
  try {
    args = parse(process.argv.slice(2));
    if (args.help) {
      console.log(USAGE);
      return 0;
    }
    const known = new Set(['chargers', 'minutes', 'seconds', 'kills', 'connectors', 'meter-interval-ms', 'seed', 'keep-data', 'no-check-each-kill']);
    for (const k of Object.keys(args)) if (!known.has(k)) throw new Error(`unknown option --${k}`);
    if (args.minutes !== undefined && args.seconds !== undefined) throw new Error('give --minutes or --seconds, not both');
    const durationMs = args.seconds !== undefined ? num(args, 'seconds', 0, 5, 86_400) * 1000 : num(args, 'minutes', 10, 0.1, 1440) * 60_000;
    opts = {
      chargers: Math.floor(num(args, 'chargers', 500, 1, 5000)),
      durationMs,
      kills: Math.floor(num(args, 'kills', 10, 0, 1000)),
      connectors: Math.floor(num(args, 'connectors', 2, 1, 10)),
      meterIntervalMs: Math.floor(num(args, 'meter-interval-ms', 2000, 50, 600_000)),
      ...(args.seed !== undefined && { seed: Math.floor(num(args, 'seed', 0, 0, 2 ** 32 - 1)) }),
      keepData: args['keep-data'] === true,
      checkEachKill: args['no-check-each-kill'] !== true,
      onProgress: (line) => console.log(line),
    };
  } catch (err) {
    console.error(`soak: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  console.log(`soak: ${opts.chargers} chargers x ${opts.connectors} connectors, ${(opts.durationMs / 1000).toFixed(0)} s, ${opts.kills} SIGKILLs`);
  const report = await runSoak(opts);
  console.log(formatReport(report));
  return report.ok ? 0 : 1;
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    killAllServices();
    console.error(`soak: ${sig}, service killed`);
    process.exit(130);
  });
}
process.on('uncaughtException', (err) => {
  killAllServices();
  console.error('soak: uncaught', err);
  process.exit(1);
});

main().then(
  (code) => {
    killAllServices();
    process.exit(code);
  },
  (err) => {
    killAllServices();
    console.error('soak failed:', err);
    process.exit(1);
  },
);
