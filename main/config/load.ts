import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import cron from 'node-cron';
import { compileSchema } from '../validation.js';
import { type Config, ConfigSchema } from './schema.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `heartbeatIntervalSec` -> `OCPP_EDGE_HEARTBEAT_INTERVAL_SEC` */
export function envName(key: string): string {
  return `OCPP_EDGE_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/** Per-user data folder, as an installed desktop app would use. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'ocpp-edge');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'ocpp-edge');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'ocpp-edge');
}

const properties = ConfigSchema.properties as Record<string, TSchema>;
const validateConfig = compileSchema<Config>(ConfigSchema);
/** One validator per key, so a bad value is reported with the source it came from. */
const validateKey = new Map(Object.entries(properties).map(([key, prop]) => [key, compileSchema<unknown>(prop, key)]));

/** `heartbeatIntervalSec` -> `--heartbeat-interval-sec` */
export const optionName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Turns a text value (env or CLI) into the type the schema wants, or reports why it can't. */
function parseText(key: string, raw: string, source: string): unknown {
  const prop = properties[key];
  if (!prop) throw new ConfigError(`${source}: unknown setting "${key}"`);
  if (prop.type === 'integer' || prop.type === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`${source}: ${key} "${raw}" is not a number`);
    return n;
  }
  if (prop.type === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new ConfigError(`${source}: ${key} "${raw}" is not true/false`);
  }
  return raw;
}

/** Checks one source's values key by key: unknown keys and bad values name the source. */
function checkSource(values: Record<string, unknown>, sourceOf: (key: string) => string): void {
  for (const [key, value] of Object.entries(values)) {
    const validate = validateKey.get(key);
    if (!validate) throw new ConfigError(`${sourceOf(key)}: unknown setting "${key}"`);
    const r = validate(value);
    if (!r.ok) throw new ConfigError(`${sourceOf(key)}: ${r.error}`);
  }
}

/** The token from `apiTokenFile` (its first line), checked like apiToken itself. */
function readApiTokenFile(c: Config, sourceOf: (key: string) => string): string {
  const file = c.apiTokenFile!;
  if (c.apiToken !== undefined) throw new ConfigError(`${sourceOf('apiToken')} and ${sourceOf('apiTokenFile')}: set apiToken or apiTokenFile, not both`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${sourceOf('apiTokenFile')}: apiTokenFile ${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  const token = text.split(/\r?\n/, 1)[0]!.trim();
  const r = validateKey.get('apiToken')!(token);
  if (!r.ok) throw new ConfigError(`${sourceOf('apiTokenFile')}: the token in ${file} is not valid: ${r.error}`);
  return token;
}

export interface LoadOptions {
  /** Values from the command line, still as text. */
  cli?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  /** Explicit config file; otherwise `<dataDir>/config.json` if it exists. */
  configFile?: string;
}

/**
 * Builds the effective config: defaults < config file < environment < command line.
 * Throws ConfigError naming the offending key and source.
 */
export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const fromEnv: Record<string, unknown> = {};
  for (const key of Object.keys(properties)) {
    const value = env[envName(key)];
    if (value !== undefined) fromEnv[key] = parseText(key, value, `environment ${envName(key)}`);
  }
  checkSource(fromEnv, (key) => `environment ${envName(key)}`);
  const fromCli: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(opts.cli ?? {})) fromCli[key] = parseText(key, value, `option ${optionName(key)}`);
  checkSource(fromCli, (key) => `option ${optionName(key)}`);

  const file = opts.configFile ?? join(String(fromCli.dataDir ?? fromEnv.dataDir ?? defaultDataDir(env)), 'config.json');
  let fromFile: Record<string, unknown> = {};
  if (opts.configFile && !existsSync(file)) throw new ConfigError(`config file ${file} does not exist`);
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
      throw new ConfigError(`config file ${file} must hold a JSON object`);
    }
    checkSource(fromFile, () => `config file ${file}`);
  }
  // An explicit config file may name the data dir; the command line and environment still win.
  const dataDir = String(fromCli.dataDir ?? fromEnv.dataDir ?? (opts.configFile && fromFile.dataDir) ?? defaultDataDir(env));

  const defaults: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(properties)) if (prop.default !== undefined) defaults[key] = prop.default;
  const merged: Record<string, unknown> = { ...defaults, ...fromFile, ...fromEnv, ...fromCli, dataDir };
  const result = validateConfig(merged);
  if (!result.ok) throw new ConfigError(`invalid configuration: ${result.error}`);
  const c = result.value;
  if (Boolean(c.tlsCertFile) !== Boolean(c.tlsKeyFile)) {
    throw new ConfigError('invalid configuration: tlsCertFile and tlsKeyFile must be set together');
  }
  const sourceOf = (key: string) => (key in fromCli ? `option ${optionName(key)}` : key in fromEnv ? `environment ${envName(key)}` : key in fromFile ? `config file ${file}` : 'defaults');
  for (const key of ['tlsCertFile', 'tlsKeyFile', 'headofficeCaFile'] as const) {
    const path = c[key];
    if (path && !existsSync(path)) throw new ConfigError(`${sourceOf(key)}: ${key} ${path} does not exist`);
  }
  if (c.apiTokenFile) c.apiToken = readApiTokenFile(c, sourceOf);
  for (const key of ['backupCron', 'syncCron'] as const) {
    if (c[key] !== 'off' && !cron.validate(c[key])) throw new ConfigError(`${sourceOf(key)}: ${key} "${c[key]}" is not a cron expression (e.g. "30 2 * * *") or "off"`);
  }
  checkHeadoffice(c, sourceOf);
  return c;
}

/** The head-office settings make sense together (issue 10); a bad one is refused at start, named. */
function checkHeadoffice(c: Config, sourceOf: (key: string) => string): void {
  if (!c.headofficeUrl) return;
  let url: URL;
  try {
    url = new URL(c.headofficeUrl);
  } catch (err) {
    throw new ConfigError(`${sourceOf('headofficeUrl')}: headofficeUrl "${c.headofficeUrl}" is not a URL`, { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${sourceOf('headofficeUrl')}: headofficeUrl must be http:// or https://, not ${url.protocol}`);
  if (url.username || url.password) throw new ConfigError(`${sourceOf('headofficeUrl')}: headofficeUrl must not carry credentials; set headofficeToken`);
  if (!c.headofficeToken) throw new ConfigError(`${sourceOf('headofficeToken')}: headofficeToken is required when headofficeUrl is set`);
  if (url.protocol === 'http:' && (c.headofficeCaFile || !c.headofficeTlsVerify)) {
    throw new ConfigError(`${sourceOf(c.headofficeCaFile ? 'headofficeCaFile' : 'headofficeTlsVerify')}: TLS settings need an https:// headofficeUrl`);
  }
}
