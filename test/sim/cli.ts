/**
 * Charger simulator CLI:
 *   npm run sim -- --url ws://127.0.0.1:3001/ocpp --chargers 10 --sessions 2 [--ocpp 1.6,2.0.1]
 * Exit code 0 when every session completed without errors, 1 otherwise, 2 for bad arguments.
 */
import { parseArgs } from 'node:util';
import { Fleet, formatProgress, formatSummary, OCPP_VERSIONS, type OcppVersion, tagFor } from './fleet.js';
import { Vehicle } from './vehicle.js';

const USAGE = `Usage: npm run sim -- --url ws://HOST:PORT/ocpp [options]

Runs N simulated OCPP 1.6J and/or 2.0.1 chargers (<prefix>-0001 ...) against a central system;
each boots, reports status, heartbeats and runs M sessions (1.6: Authorize, StartTransaction,
MeterValues, StopTransaction; 2.0.1: Authorize, TransactionEvent Started / Updated / Ended with
seqNo, queued offline and resent on reconnect), reconnecting with backoff, and answers every
command of its version. Chargers honour charging profiles (composite schedule, stack levels);
each session's EV, part-charged, ramps up to what is offered and tapers near full, and the
meter values report what it draws.

Options:
  --url URL                 central system endpoint; the charger id is appended (/<id>),
                            or put {id} where it goes (ws://h:p/ocpp?chargePointId={id})
  --chargers N              number of chargers (default 1, at most 5000)
  --ocpp LIST               OCPP versions, comma-separated, assigned to the chargers in turn:
                            1.6 (default), 2.0.1, or 1.6,2.0.1 for a mixed fleet
  --sessions M              sessions per charger (default 1)
  --connectors N            connectors per charger (2.0.1: EVSEs of one connector; default 1)
  --meter-interval-ms X     MeterValues interval during a session (default 1000)
  --samples N               MeterValues per session before the EV unplugs (default 5)
  --id-tag TAG              idTag used by the chargers; {n} becomes the charger number
                            (default <prefix>-TAG-{n})
  --prefix SIM              charger id prefix (default SIM)
  --password P              HTTP basic auth password (security profile 1)
  --api-token T             API token (the one \`npm run serve\` printed; or OCPP_EDGE_API_TOKEN):
                            the id tags are registered first through POST /api/rfid (409 =
                            exists is fine), so the central system accepts them
  --api URL                 REST API base (default: the --url's host and port, http(s)://)
  --charge-unknown-tags     load-test mode: start and keep charging whatever the central system
                            answers for a tag (default: as real chargers, a refused tag is not
                            started, and a start refused by StartTransaction is stopped with
                            reason DeAuthorized, StopTransactionOnInvalidId=true)
  --deadline-sec S          give up after S seconds (default 300)
  --quiet                   only the final summary
  --help`;

class UsageError extends Error {}

function int(values: Record<string, string | boolean | undefined>, name: string, def: number, min: number, max: number): number {
  const raw = values[name];
  if (raw === undefined) return def;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got "${String(raw)}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** The command line's options; node's complaints about them become usage errors. */
function readOptions(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        chargers: { type: 'string' },
        ocpp: { type: 'string' },
        sessions: { type: 'string' },
        connectors: { type: 'string' },
        'meter-interval-ms': { type: 'string' },
        samples: { type: 'string' },
        'id-tag': { type: 'string' },
        prefix: { type: 'string' },
        password: { type: 'string' },
        api: { type: 'string' },
        'api-token': { type: 'string' },
        'charge-unknown-tags': { type: 'boolean' },
        'deadline-sec': { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function parse(argv: string[], env: NodeJS.ProcessEnv) {
  const v = readOptions(argv).values;
  if (v.help) return null;
  if (!v.url) throw new UsageError('--url is required (for example --url ws://127.0.0.1:3001/ocpp)');
  let url: URL;
  try {
    url = new URL(v.url.replaceAll('{id}', 'x'));
  } catch {
    throw new UsageError(`--url "${v.url}" is not a URL`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new UsageError(`--url must start with ws:// or wss://, got "${v.url}"`);
  const prefix = v.prefix ?? 'SIM';
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(prefix)) throw new UsageError('--prefix must be 1-40 letters, digits, ".", "_" or "-"');
  const chargers = int(v, 'chargers', 1, 1, 5000);
  const versions = (v.ocpp ?? '1.6').split(',').map((x) => x.trim());
  for (const x of versions) {
    // 2.1 is named by seed 003 but not simulated: say so rather than run something else.
    if (!(OCPP_VERSIONS as readonly string[]).includes(x)) throw new UsageError(`--ocpp: "${x}" is not a simulated version (${OCPP_VERSIONS.join(', ')})`);
  }
  const idTag = v['id-tag'] ?? `${prefix}-TAG-{n}`;
  for (const n of [1, chargers]) {
    const t = tagFor(idTag, n);
    if (!/^[\x21-\x7e]{1,20}$/.test(t)) throw new UsageError(`--id-tag gives "${t}": an idTag is 1-20 printable characters (use --id-tag or a shorter --prefix)`);
  }
  const apiToken = v['api-token'] ?? (env.OCPP_EDGE_API_TOKEN || undefined);
  if (v.api && !apiToken) throw new UsageError('--api needs --api-token (or OCPP_EDGE_API_TOKEN) to register the id tags');
  if (v.api && !/^https?:\/\//.test(v.api)) throw new UsageError(`--api must be an http:// or https:// URL, got "${v.api}"`);
  // The REST API listens beside the OCPP endpoint: same host and port.
  const api = apiToken ? (v.api ?? `${url.protocol === 'wss:' ? 'https' : 'http'}://${url.host}`) : undefined;
  if (v.password !== undefined && v.password.length === 0) throw new UsageError('--password must not be empty');
  return {
    url: v.url,
    chargers,
    versions: [...new Set(versions)] as OcppVersion[],
    sessions: int(v, 'sessions', 1, 0, 10_000),
    connectors: int(v, 'connectors', 1, 1, 16),
    meterIntervalMs: int(v, 'meter-interval-ms', 1000, 10, 3_600_000),
    samples: int(v, 'samples', 5, 1, 100_000),
    deadlineSec: int(v, 'deadline-sec', 300, 1, 86_400),
    idTag,
    prefix,
    password: v.password,
    api: api?.replace(/\/+$/, ''),
    apiToken,
    chargeUnknownTags: v['charge-unknown-tags'] ?? false,
    quiet: v.quiet ?? false,
  };
}

/** Creates the fleet's id tags through the REST API; 409 (exists) is fine. */
async function createTags(api: string, token: string, tags: string[]): Promise<void> {
  const unique = [...new Set(tags)];
  let next = 0;
  const worker = async () => {
    while (next < unique.length) {
      const tagId = unique[next++]!;
      const res = await fetch(`${api}/api/rfid`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tagId, description: 'simulator' }),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status !== 201 && res.status !== 200 && res.status !== 409) {
        throw new Error(`POST /api/rfid ${tagId}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
      }
      await res.body?.cancel();
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, unique.length) }, worker));
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`sim: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (!args) {
    console.log(USAGE);
    return 0;
  }
  const fleet = new Fleet({
    url: args.url,
    chargers: args.chargers,
    versions: args.versions,
    sessions: args.sessions,
    prefix: args.prefix,
    idTag: args.idTag,
    connectors: args.connectors,
    meterIntervalMs: args.meterIntervalMs,
    samplesPerSession: args.samples,
    // EVs arrive part-charged: some ramp to full current, some already taper.
    vehicle: () => new Vehicle({ soc: 0.1 + Math.random() * 0.85 }),
    deadlineMs: args.deadlineSec * 1000,
    chargeUnknownTags: args.chargeUnknownTags,
    ...(args.password && { password: args.password }),
    ...(!args.quiet && { onProgress: (p) => console.log(formatProgress(p)) }),
  });
  if (args.api && args.apiToken) {
    try {
      await createTags(args.api, args.apiToken, fleet.idTags);
      if (!args.quiet) console.log(`sim: ${new Set(fleet.idTags).size} id tag(s) registered through ${args.api}/api/rfid`);
    } catch (err) {
      console.error(`sim: could not register the id tags through ${args.api}/api/rfid: ${(err as Error).message}`);
      return 1;
    }
  } else if (!args.chargeUnknownTags) {
    console.log(
      `sim: no --api-token: the id tags (${fleet.idTags[0]} ...) are not registered. A central system answers unknown tags Invalid, ` +
        'and these chargers, like real ones, then start no session (and stop one refused at StartTransaction, StopTransactionOnInvalidId=true). ' +
        'Pass --api-token T (the token `npm run serve` printed) to register them first, register them yourself (POST /api/rfid), ' +
        'or use --charge-unknown-tags to charge whatever the answer.',
    );
  }
  if (!args.quiet) console.log(`sim: ${args.chargers} charger(s) (OCPP ${args.versions.join(', ')}) x ${args.sessions} session(s) against ${args.url}`);
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    fleet.stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const summary = await fleet.run();
  await fleet.close();
  for (const e of summary.errorList.slice(0, 20)) console.error(`sim error: ${e}`);
  if (summary.errorList.length > 20) console.error(`sim: ... and ${summary.errorList.length - 20} more errors`);
  console.log(formatSummary(summary) + (interrupted ? ' INTERRUPTED' : ''));
  if (summary.sessionsRefused || summary.sessionsDeauthorized) {
    console.log(`sim: ${summary.sessionsRefused} session(s) refused at Authorize, ${summary.sessionsDeauthorized} stopped as DeAuthorized: the central system does not accept the tags (see above)`);
  }
  return summary.ok && !interrupted ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error('sim failed:', err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
