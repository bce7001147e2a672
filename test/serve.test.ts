/**
 * The headless entry as a real process: `node --import tsx main/serve.ts` (what `npm run serve`
 * runs via tsx, without npm/npx in between so signals and exit codes reach the service itself).
 */

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { envName } from '../main/config/load.js';
import { ConfigSchema } from '../main/config/schema.js';
import { boot, TestCharger } from './helpers/ocpp-client.js';
import { cleanupServes, type Service, spawnServe, startServe } from './helpers/serve-process.js';
import { waitFor } from './helpers/wait.js';

const root = mkdtempSync(join(tmpdir(), 'ocpp-edge-serve-'));
after(() => {
  cleanupServes();
  rmSync(root, { recursive: true, force: true });
});

const get = (s: Service, path: string, token?: string) => fetch(s.base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });

const dataDir = join(root, 'data');
let firstToken = '';

test('serve: first run binds the asked port (0 = free port, shown in the banner), /health is open and the printed API token works', async () => {
  const s = await startServe(dataDir);
  try {
    const health = await get(s, '/health');
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    assert.ok(s.token, `first run prints a token: ${s.stderr()}`);
    assert.ok(s.token!.length >= 32);
    assert.match(s.stderr(), /shown once/);
    firstToken = s.token!;
    assert.equal((await get(s, '/api/stations', firstToken)).status, 200);
    assert.equal((await get(s, '/api/stations')).status, 401);
    assert.equal((await get(s, '/api/stations', 'not-the-token-0123456789')).status, 401);
  } finally {
    assert.deepEqual(await s.stop(), { code: 0, signal: null });
  }
});

test('serve: a second run with the same data dir prints no token, and the first token still works', async () => {
  assert.ok(firstToken, 'needs the first run');
  const s = await startServe(dataDir);
  try {
    assert.equal(s.token, null, `no token printed: ${s.stderr()}`);
    assert.ok(!s.stderr().includes(firstToken), 'the old token is never printed again');
    assert.match(s.stderr(), /API token: configured/);
    assert.equal((await get(s, '/api/stations', firstToken)).status, 200);
  } finally {
    assert.deepEqual(await s.stop('SIGINT'), { code: 0, signal: null }, 'SIGINT shuts down cleanly too');
  }
});

test('serve: SIGTERM shuts down cleanly (exit 0), closes charger sockets and marks chargers disconnected in the db', async () => {
  const s = await startServe(dataDir);
  const cp = await TestCharger.connect(`ws://127.0.0.1:${s.port}/ocpp/CP_SIGTERM`);
  await boot(cp);
  await waitFor(async () => ((await (await get(s, '/api/stations/connected/list', firstToken)).json()) as Array<{ chargePointId: string }>).some((c) => c.chargePointId === 'CP_SIGTERM'), {
    timeoutMs: 5000,
    what: 'the charger to show as connected',
  });
  const closed = cp.closed();
  const t0 = Date.now();
  const exit = await s.stop('SIGTERM');
  assert.deepEqual(exit, { code: 0, signal: null }, `clean exit; stderr: ${s.stderr()}`);
  assert.ok(Date.now() - t0 < 5000, 'shutdown does not hang');
  const { code } = await closed;
  assert.equal(code, 1001, 'the charger is told the central system is going away');

  const db = new Database(join(dataDir, 'ocpp-edge.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT charge_point_id AS id, is_connected AS c FROM chargers').all() as Array<{ id: string; c: number }>;
    assert.ok(
      rows.some((r) => r.id === 'CP_SIGTERM'),
      'the charger was recorded',
    );
    assert.deepEqual(
      rows.filter((r) => r.c !== 0),
      [],
      'no charger is left marked connected',
    );
    // Shut down cleanly: the WAL was checkpointed or is consistent; the file is a valid database.
    assert.equal(db.pragma('integrity_check', { simple: true }) as string, 'ok');
  } finally {
    db.close();
  }
});

test('serve: --api-token sets the API token (replacing a generated one)', async () => {
  const token = 'cli-token-0123456789abcdef';
  const s = await startServe(dataDir, ['--api-token', token]);
  try {
    assert.equal(s.token, null, 'a configured token is not printed');
    assert.ok(!s.stderr().includes(token));
    assert.equal((await get(s, '/api/stations', token)).status, 200);
    assert.equal((await get(s, '/api/stations', firstToken)).status, 401, 'the generated token no longer works');
  } finally {
    assert.equal((await s.stop()).code, 0);
  }
});

test('serve: OCPP_EDGE_API_TOKEN sets the API token', async () => {
  const token = 'env-token-0123456789abcdef';
  const s = await startServe(join(root, 'env-token'), [], { OCPP_EDGE_API_TOKEN: token });
  try {
    assert.equal(s.token, null);
    assert.equal((await get(s, '/api/stations', token)).status, 200);
    assert.equal((await get(s, '/api/stations', 'env-token-0123456789abcdeX')).status, 401);
  } finally {
    assert.equal((await s.stop()).code, 0);
  }
});

test('issue 8 serve: --api-token-file sets the API token without putting it on the command line (not visible in ps)', async () => {
  const token = 'file-token-0123456789abcdef';
  const file = join(root, 'api-token');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  const s = await startServe(join(root, 'file-token'), ['--api-token-file', file]);
  try {
    assert.equal(s.token, null);
    assert.ok(!readFileSync(`/proc/${s.proc.pid}/cmdline`, 'utf8').includes(token), 'the token is not in the process arguments');
    assert.equal((await get(s, '/api/stations', token)).status, 200);
    assert.equal((await get(s, '/api/stations', 'file-token-0123456789abcdeX')).status, 401);
  } finally {
    assert.equal((await s.stop()).code, 0);
  }
});

test('serve: bad config exits with code 2 and a clear message naming the key and its source', async () => {
  const badJsonDir = join(root, 'bad-json');
  const unknownKeyDir = join(root, 'unknown-key');
  for (const [dir, text] of [
    [badJsonDir, '{ "port": 3000, }'],
    [unknownKeyDir, '{ "prot": 3000 }'],
  ] as const) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), text);
  }
  const cases: Array<{ args: string[]; env?: Record<string, string>; expect: RegExp[] }> = [
    { args: ['--data-dir', join(root, 'bad1'), '--port', 'abc'], expect: [/--port/, /not a number/] },
    { args: ['--data-dir', join(root, 'bad2')], env: { OCPP_EDGE_PORT: '70000' }, expect: [/OCPP_EDGE_PORT/, /65535/] },
    { args: ['--data-dir', badJsonDir], expect: [/config\.json/, /not valid JSON/] },
    { args: ['--data-dir', unknownKeyDir], expect: [/config\.json/, /"prot"/, /unknown/] },
    { args: ['--bogus', '1'], expect: [/unknown option --bogus/, /Usage:/] },
    { args: ['stray'], expect: [/unexpected argument "stray"/, /Usage:/] },
    { args: ['--data-dir', join(root, 'bad3'), '--port'], expect: [/--port needs a value/, /Usage:/] },
    { args: ['--data-dir', join(root, 'bad4'), '--api-token-file', join(root, 'no-such-token')], expect: [/option --api-token-file: apiTokenFile .*no-such-token cannot be read/] },
  ];
  const runs = cases.map((c) => ({ c, run: spawnServe(c.args, c.env ?? {}) }));
  for (const { c, run } of runs) {
    const { code } = await run.exited;
    const err = run.stderr();
    assert.equal(code, 2, `${c.args.join(' ')}: exit 2, got ${code}: ${err}`);
    for (const re of c.expect) assert.match(err, re, `${c.args.join(' ')}: ${err}`);
    assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
  }
});

test('serve: a port already in use fails to start with exit 1 and a message naming the address', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  try {
    const run = spawnServe(['--data-dir', join(root, 'in-use'), '--port', String(port), '--host', '127.0.0.1', '--log-level', 'silent']);
    const { code } = await run.exited;
    assert.equal(code, 1);
    assert.match(run.stderr(), /EADDRINUSE/);
    assert.match(run.stderr(), new RegExp(`127\\.0\\.0\\.1:${port}`));
  } finally {
    blocker.close();
  }
});

test('serve: --help (through npx tsx, as documented) lists every option with its env var and exits 0', async () => {
  const run = spawnServe(['--help'], {}, ['npx', '--no-install', 'tsx']);
  const { code } = await run.exited;
  assert.equal(code, 0, run.stderr());
  const out = run.stdout();
  assert.match(out, /^Usage:/m);
  for (const key of Object.keys(ConfigSchema.properties)) {
    const opt = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    assert.match(out, new RegExp(`^\\s+${opt}\\s`, 'm'), `${opt} listed`);
    assert.ok(out.includes(envName(key)), `${envName(key)} listed`);
  }
  for (const opt of ['--config', '--rotate-token', '--help']) assert.match(out, new RegExp(`^\\s+${opt}\\b`, 'm'), `${opt} listed`);
});
