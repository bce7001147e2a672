import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { TSchema } from '@sinclair/typebox';
import { parseArgs } from '../../main/cli-args.js';
import { ConfigError, defaultDataDir, envName, loadConfig } from '../../main/config/load.js';
import { ConfigSchema } from '../../main/config/schema.js';

const properties = ConfigSchema.properties as Record<string, TSchema>;

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ocpp-edge-config-'));
  dirs.push(dir);
  return { dir };
}

/** loadConfig expected to fail: returns the message for assertions. */
function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

const STRING_SAMPLES: Record<string, string> = {
  host: '127.0.0.9',
  dbFile: 'other.db',
  apiToken: 'env-token-0123456789abcdef',
  backupCron: '0 3 * * *',
  logMaxSize: '5m',
  discoveryMdnsTypes: '_evse._tcp',
  discoveryMdnsInterface: '192.168.10.5',
  discoveryPorts: '80,8443',
  headofficeUrl: 'https://headoffice.example.test/edge',
  syncCron: '15 3 * * *',
};

/** A valid value for a setting that differs from its default, as text (env/CLI) and typed. */
function sampleValue(key: string, prop: TSchema): { text: string; value: unknown } {
  if (prop.type === 'integer' || prop.type === 'number') {
    const lo = (prop.minimum as number | undefined) ?? 0;
    const hi = (prop.maximum as number | undefined) ?? lo + 1000;
    let n = Math.min(hi, lo + 7);
    if (n === prop.default) n = n === hi ? n - 1 : n + 1;
    return { text: String(n), value: n };
  }
  if (prop.type === 'boolean') {
    const b = !(prop.default as boolean | undefined);
    return { text: String(b), value: b };
  }
  if (Array.isArray(prop.anyOf)) {
    const options = (prop.anyOf as TSchema[]).map((s) => s.const as string);
    const pick = options.find((o) => o !== prop.default)!;
    return { text: pick, value: pick };
  }
  if (prop.type === 'string') {
    // Strings with a format of their own need a sample here; other strings take any text.
    const s = STRING_SAMPLES[key] ?? `/tmp/ocpp-edge-sample-${key}`;
    return { text: s, value: s };
  }
  throw new Error(`no sample value for ${key}: add a case to this test`);
}

test('config: defaults come from the schema when nothing else is set', () => {
  const t = tempDir();
  const c = loadConfig({ env: {}, cli: { dataDir: t.dir } });
  for (const [key, prop] of Object.entries(properties)) {
    if (prop.default !== undefined) assert.deepEqual(c[key as keyof typeof c], prop.default, `default of ${key}`);
  }
  assert.equal(c.port, 3001);
  assert.equal(c.host, '0.0.0.0');
  assert.equal(c.unknownChargerPolicy, 'accept');
  assert.equal(c.apiToken, undefined);
  assert.equal(c.tlsCertFile, undefined);
});

test('config: without --data-dir the data dir is a per-user folder (XDG_DATA_HOME on Linux)', () => {
  const c = loadConfig({ env: { XDG_DATA_HOME: '/nonexistent-xdg' } });
  assert.equal(c.dataDir, defaultDataDir({ XDG_DATA_HOME: '/nonexistent-xdg' }));
  if (process.platform === 'linux') assert.equal(c.dataDir, '/nonexistent-xdg/ocpp-edge');
});

test('config: precedence is defaults < config file < environment < command line', () => {
  const t = tempDir();
  writeFileSync(join(t.dir, 'config.json'), JSON.stringify({ port: 4000, heartbeatIntervalSec: 120, logLevel: 'warn', host: '127.0.0.2' }));
  const env = { OCPP_EDGE_PORT: '5000', OCPP_EDGE_HEARTBEAT_INTERVAL_SEC: '90' };
  const c = loadConfig({ env, cli: { dataDir: t.dir, port: '6000' } });
  assert.equal(c.port, 6000, 'CLI beats env and file');
  assert.equal(c.heartbeatIntervalSec, 90, 'env beats file');
  assert.equal(c.logLevel, 'warn', 'file beats default');
  assert.equal(c.host, '127.0.0.2', 'file beats default');
  assert.equal(c.bootRetryIntervalSec, 30, 'default when nobody sets it');

  const noCli = loadConfig({ env, cli: { dataDir: t.dir } });
  assert.equal(noCli.port, 5000, 'env beats file');
  const fileOnly = loadConfig({ env: {}, cli: { dataDir: t.dir } });
  assert.equal(fileOnly.port, 4000, 'file beats default');
});

test('config: the config file is <dataDir>/config.json, where dataDir may come from the environment', () => {
  const t = tempDir();
  writeFileSync(join(t.dir, 'config.json'), JSON.stringify({ port: 4321 }));
  const c = loadConfig({ env: { OCPP_EDGE_DATA_DIR: t.dir } });
  assert.equal(c.dataDir, t.dir);
  assert.equal(c.port, 4321);
});

test('config: an explicit --config file is read, and may set dataDir (CLI/env still win)', () => {
  const t = tempDir();
  const file = join(t.dir, 'edge.json');
  const dataDir = join(t.dir, 'data');
  writeFileSync(file, JSON.stringify({ dataDir, port: 4111 }));
  const c = loadConfig({ env: {}, configFile: file });
  assert.equal(c.port, 4111);
  assert.equal(c.dataDir, dataDir);
  assert.equal(loadConfig({ env: { OCPP_EDGE_DATA_DIR: '/from-env' }, configFile: file }).dataDir, '/from-env');
  assert.equal(loadConfig({ env: {}, configFile: file, cli: { dataDir: '/from-cli' } }).dataDir, '/from-cli');
});

test('config: a missing explicit --config file is an error naming the file', () => {
  const msg = configError(() => loadConfig({ env: {}, configFile: '/nonexistent/edge.json' }));
  assert.match(msg, /\/nonexistent\/edge\.json/);
  assert.match(msg, /does not exist/);
});

test('config: every key is settable by OCPP_EDGE_<KEY>', () => {
  const t = tempDir();
  // TLS files must exist and are only valid as a pair.
  const cert = join(t.dir, 'cert.pem');
  const key = join(t.dir, 'key.pem');
  writeFileSync(cert, 'c');
  writeFileSync(key, 'k');
  const tokenFile = join(t.dir, 'token');
  writeFileSync(tokenFile, 'file-token-0123456789abcdef\n');
  const special: Record<string, string> = { dataDir: t.dir, tlsCertFile: cert, tlsKeyFile: key, apiTokenFile: tokenFile, headofficeCaFile: cert };
  const keys = Object.keys(properties);
  assert.ok(keys.length >= 20, 'the schema lists the settings');
  for (const k of keys) {
    const sample = special[k] ? { text: special[k], value: special[k] } : sampleValue(k, properties[k]!);
    const env: Record<string, string> = { [envName(k)]: sample.text };
    if (k === 'tlsCertFile') env[envName('tlsKeyFile')] = key;
    if (k === 'tlsKeyFile') env[envName('tlsCertFile')] = cert;
    // Head-office settings are only valid with an https URL and a token beside them.
    if (k.startsWith('headoffice')) {
      env[envName('headofficeUrl')] ??= STRING_SAMPLES.headofficeUrl!;
      env[envName('headofficeToken')] ??= 'sample-token';
    }
    const c = loadConfig({ env, cli: k === 'dataDir' ? {} : { dataDir: t.dir } });
    assert.deepEqual(c[k as keyof typeof c], sample.value, `${envName(k)}=${sample.text} sets ${k}`);
  }
});

test('config: env names are OCPP_EDGE_ plus the key in upper snake case', () => {
  assert.equal(envName('port'), 'OCPP_EDGE_PORT');
  assert.equal(envName('apiToken'), 'OCPP_EDGE_API_TOKEN');
  assert.equal(envName('heartbeatIntervalSec'), 'OCPP_EDGE_HEARTBEAT_INTERVAL_SEC');
  assert.equal(envName('tlsCertFile'), 'OCPP_EDGE_TLS_CERT_FILE');
  assert.equal(envName('dataDir'), 'OCPP_EDGE_DATA_DIR');
});

test('config: booleans accept true/false, 1/0, yes/no, on/off from text', () => {
  const t = tempDir();
  for (const [text, value] of [
    ['true', true],
    ['1', true],
    ['YES', true],
    ['on', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['Off', false],
  ] as const) {
    assert.equal(loadConfig({ env: { OCPP_EDGE_REQUIRE_CHARGER_PASSWORD: text }, cli: { dataDir: t.dir } }).requireChargerPassword, value, text);
  }
  const msg = configError(() => loadConfig({ env: { OCPP_EDGE_REQUIRE_CHARGER_PASSWORD: 'maybe' }, cli: { dataDir: t.dir } }));
  assert.match(msg, /OCPP_EDGE_REQUIRE_CHARGER_PASSWORD/);
  assert.match(msg, /maybe/);
});

test('config: a non-number port names the key and the source (env, CLI, file)', () => {
  const t = tempDir();
  let msg = configError(() => loadConfig({ env: { OCPP_EDGE_PORT: 'abc' }, cli: { dataDir: t.dir } }));
  assert.match(msg, /OCPP_EDGE_PORT/);
  assert.match(msg, /not a number/);

  msg = configError(() => loadConfig({ env: {}, cli: { dataDir: t.dir, port: 'abc' } }));
  assert.match(msg, /--port/);
  assert.match(msg, /not a number/);

  msg = configError(() => loadConfig({ env: {}, cli: { dataDir: t.dir, port: '' } }));
  assert.match(msg, /--port/);

  writeFileSync(join(t.dir, 'config.json'), JSON.stringify({ port: 'abc' }));
  msg = configError(() => loadConfig({ env: {}, cli: { dataDir: t.dir } }));
  assert.match(msg, /config file/);
  assert.match(msg, /config\.json/);
  assert.match(msg, /\bport\b/);
  assert.match(msg, /integer/);
});

test('config: an out-of-range value names the key, the source and the bound', () => {
  const t = tempDir();
  let msg = configError(() => loadConfig({ env: { OCPP_EDGE_PORT: '70000' }, cli: { dataDir: t.dir } }));
  assert.match(msg, /OCPP_EDGE_PORT/);
  assert.match(msg, /\bport\b/);
  assert.match(msg, /65535/);

  msg = configError(() => loadConfig({ env: {}, cli: { dataDir: t.dir, heartbeatIntervalSec: '0' } }));
  assert.match(msg, /--heartbeat-interval-sec/);
  assert.match(msg, /heartbeatIntervalSec/);
  assert.match(msg, />= 1/);

  msg = configError(() => loadConfig({ env: {}, cli: { dataDir: t.dir, port: '80.5' } }));
  assert.match(msg, /--port/);
  assert.match(msg, /integer/);

  writeFileSync(join(t.dir, 'config.json'), JSON.stringify({ callTimeoutMs: 5 }));
  msg = configError(() => loadConfig({ env: {}, cli: { dataDir: t.dir } }));
  assert.match(msg, /config file/);
  assert.match(msg, /callTimeoutMs/);
  assert.match(msg, />= 100/);
});

test('config: a value outside an enum lists the allowed values', () => {
  const t = tempDir();
  const msg = configError(() => loadConfig({ env: { OCPP_EDGE_UNKNOWN_CHARGER_POLICY: 'maybe' }, cli: { dataDir: t.dir } }));
  assert.match(msg, /OCPP_EDGE_UNKNOWN_CHARGER_POLICY/);
  assert.match(msg, /unknownChargerPolicy/);
  assert.match(msg, /accept, pending, reject/);
});

test('config: an API token shorter than 16 characters is refused', () => {
  const t = tempDir();
  const msg = configError(() => loadConfig({ env: { OCPP_EDGE_API_TOKEN: 'short' }, cli: { dataDir: t.dir } }));
  assert.match(msg, /OCPP_EDGE_API_TOKEN/);
  assert.match(msg, /apiToken/);
});

test('issue 8 config: the API token can come from a file (--api-token-file / OCPP_EDGE_API_TOKEN_FILE), so it is not in ps', () => {
  const t = tempDir();
  const file = join(t.dir, 'token');
  writeFileSync(file, 'file-token-0123456789abcdef\nsecond line ignored\n');
  const { values, errors } = parseArgs(['--data-dir', t.dir, '--api-token-file', file]);
  assert.deepEqual(errors, []);
  assert.equal(loadConfig({ env: {}, cli: values }).apiToken, 'file-token-0123456789abcdef');
  assert.equal(loadConfig({ env: { OCPP_EDGE_API_TOKEN_FILE: file }, cli: { dataDir: t.dir } }).apiToken, 'file-token-0123456789abcdef');

  const missing = configError(() => loadConfig({ env: {}, cli: { dataDir: t.dir, apiTokenFile: join(t.dir, 'nope') } }));
  assert.match(missing, /option --api-token-file: apiTokenFile .*nope cannot be read/);
  const both = configError(() => loadConfig({ env: { OCPP_EDGE_API_TOKEN: 'env-token-0123456789abcdef' }, cli: { dataDir: t.dir, apiTokenFile: file } }));
  assert.match(both, /environment OCPP_EDGE_API_TOKEN and option --api-token-file: set apiToken or apiTokenFile, not both/);
  writeFileSync(file, 'shortsecret\n');
  const short = configError(() => loadConfig({ env: {}, cli: { dataDir: t.dir, apiTokenFile: file } }));
  assert.match(short, /option --api-token-file: the token in .*token is not valid: .*16/);
  assert.doesNotMatch(short, /shortsecret/, 'the error does not print the secret');
});

test('config: an unknown key in the config file is refused, naming it and the file', () => {
  const t = tempDir();
  writeFileSync(join(t.dir, 'config.json'), JSON.stringify({ port: 4000, heartbeatInterval: 30 }));
  const msg = configError(() => loadConfig({ env: {}, cli: { dataDir: t.dir } }));
  assert.match(msg, /heartbeatInterval\b/);
  assert.match(msg, /config\.json/);
  assert.match(msg, /unknown|not a known/);
});

test('config: an invalid JSON config file is refused with the file name and parse error', () => {
  const t = tempDir();
  writeFileSync(join(t.dir, 'config.json'), '{ "port": 4000, }');
  const msg = configError(() => loadConfig({ env: {}, cli: { dataDir: t.dir } }));
  assert.match(msg, /config\.json/);
  assert.match(msg, /not valid JSON/);
});

test('config: a config file holding something other than an object is refused', () => {
  const t = tempDir();
  for (const text of ['[1,2]', '42', 'null', '"port"']) {
    writeFileSync(join(t.dir, 'config.json'), text);
    const msg = configError(() => loadConfig({ env: {}, cli: { dataDir: t.dir } }));
    assert.match(msg, /must hold a JSON object/, text);
  }
});

test('config: tlsCertFile without tlsKeyFile (and the reverse) is refused', () => {
  const t = tempDir();
  const cert = join(t.dir, 'cert.pem');
  writeFileSync(cert, 'not checked here');
  let msg = configError(() => loadConfig({ env: {}, cli: { dataDir: t.dir, tlsCertFile: cert } }));
  assert.match(msg, /tlsCertFile/);
  assert.match(msg, /tlsKeyFile/);
  msg = configError(() => loadConfig({ env: { OCPP_EDGE_TLS_KEY_FILE: cert }, cli: { dataDir: t.dir } }));
  assert.match(msg, /tlsCertFile/);
  assert.match(msg, /tlsKeyFile/);
});

test('config: a TLS certificate or key file that does not exist is refused at load, naming it', () => {
  const t = tempDir();
  const key = join(t.dir, 'key.pem');
  writeFileSync(key, 'x');
  const msg = configError(() => loadConfig({ env: {}, cli: { dataDir: t.dir, tlsCertFile: '/nonexistent/cert.pem', tlsKeyFile: key } }));
  assert.match(msg, /tlsCertFile/);
  assert.match(msg, /\/nonexistent\/cert\.pem/);
  const ok = loadConfig({ env: {}, cli: { dataDir: t.dir, tlsCertFile: key, tlsKeyFile: key } });
  assert.equal(ok.tlsCertFile, key);
});

test('config: an unknown CLI key passed to loadConfig is refused', () => {
  const t = tempDir();
  const msg = configError(() => loadConfig({ env: {}, cli: { dataDir: t.dir, prot: '3000' } }));
  assert.match(msg, /prot/);
  assert.match(msg, /unknown/);
});

test('cli: --data-dir X and --port=N are parsed into config keys', () => {
  const r = parseArgs(['--data-dir', '/tmp/x', '--port=3100', '--host', '127.0.0.1']);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.values, { dataDir: '/tmp/x', port: '3100', host: '127.0.0.1' });
});

test('cli: every config key has a --kebab-case option', () => {
  for (const key of Object.keys(properties)) {
    const opt = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const r = parseArgs([`${opt}=v`]);
    assert.deepEqual(r.errors, [], opt);
    assert.equal(r.values[key], 'v', opt);
  }
});

test('cli: an unknown option is an error naming it', () => {
  const r = parseArgs(['--prot', '3000']);
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0]!, /unknown option --prot/);
});

test('cli: a positional argument is an error', () => {
  const r = parseArgs(['serve']);
  assert.match(r.errors[0]!, /unexpected argument "serve"/);
});

test('cli: an option without its value is an error', () => {
  assert.match(parseArgs(['--port']).errors[0]!, /--port needs a value/);
  assert.match(parseArgs(['--port', '--host', 'h']).errors[0]!, /--port needs a value/);
  assert.match(parseArgs(['--config']).errors[0]!, /--config needs a file path/);
});

test('cli: a boolean option alone means true, or takes an explicit value', () => {
  assert.deepEqual(parseArgs(['--require-charger-password']).values, { requireChargerPassword: 'true' });
  assert.deepEqual(parseArgs(['--require-charger-password', '--port', '1']).values, { requireChargerPassword: 'true', port: '1' });
  assert.deepEqual(parseArgs(['--allow-missing-subprotocol=false']).values, { allowMissingSubprotocol: 'false' });
  assert.deepEqual(parseArgs(['--allow-missing-subprotocol', 'false']).values, { allowMissingSubprotocol: 'false' });
});

test('cli: --help, --rotate-token and --config are recognised', () => {
  const r = parseArgs(['--help', '--rotate-token', '--config', '/etc/edge.json']);
  assert.deepEqual(r.errors, []);
  assert.ok(r.flags.has('help'));
  assert.ok(r.flags.has('rotateToken'));
  assert.equal(r.values.config, '/etc/edge.json');
  assert.equal(parseArgs(['--config=/a.json']).values.config, '/a.json');
});

test('cli: values containing "=" survive --key=value', () => {
  assert.equal(parseArgs(['--api-token=abc=def=0123456789']).values.apiToken, 'abc=def=0123456789');
});
