/**
 * Headless entry: the same core as the desktop app, as a service.
 *   npm run serve -- --data-dir DIR --port N [--host H] [--api-token-file FILE] [--config FILE]
 */

import { parseArgs } from './cli-args.js';
import { ConfigError, envName, loadConfig } from './config/load.js';
import { ConfigSchema } from './config/schema.js';

function usage(): string {
  const lines = Object.entries(ConfigSchema.properties as Record<string, { description?: string; default?: unknown }>).map(
    ([k, p]) =>
      `  --${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).padEnd(28)} ${p.description ?? ''}${p.default !== undefined ? ` (default ${JSON.stringify(p.default)})` : ''}  [${envName(k)}]`,
  );
  return [
    'Usage: npm run serve -- [options]',
    '',
    'Options (each also settable by the environment variable in brackets):',
    ...lines,
    '  --config FILE                  JSON config file (default <data-dir>/config.json)',
    '  --rotate-token                 issue a new API token and print it',
    '  --help                         show this help',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values, flags, errors } = parseArgs(process.argv.slice(2));
  if (flags.has('help')) {
    console.log(usage());
    return;
  }
  if (errors.length) {
    console.error(`${errors.join('\n')}\n\n${usage()}`);
    process.exit(2);
  }
  const { config: configFile, ...cli } = values;
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({ cli, ...(configFile && { configFile }) });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`ocpp-edge: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  // The core is loaded only once the config is valid: --help and config errors answer at once.
  const [{ createServiceLogger }, { createApp }, { rotateApiToken }] = await Promise.all([import('./log/logger.js'), import('./app.js'), import('./api/token.js')]);
  const log = await createServiceLogger({ level: config.logLevel, dataDir: config.dataDir, logFile: config.logFile, logMaxSize: config.logMaxSize, logKeepFiles: config.logKeepFiles, stdout: true });
  const app = createApp(config, log);
  const token = flags.has('rotateToken') ? await rotateApiToken(app.writer) : app.newApiToken;
  // A signal during start-up is remembered and honoured as soon as the app is up.
  let earlySignal: string | null = null;
  const remember = (sig: string) => () => {
    earlySignal ??= sig;
  };
  const early = { SIGINT: remember('SIGINT'), SIGTERM: remember('SIGTERM') };
  process.on('SIGINT', early.SIGINT);
  process.on('SIGTERM', early.SIGTERM);
  await app.start();
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  // The token is known when this start made it or was given it: then the link signs in at once.
  const uiToken = token ?? config.apiToken;
  const banner = [
    `OCPP Edge is running (data: ${config.dataDir})`,
    `  open the UI: http://${shown}:${app.port}/${uiToken ? `?token=${encodeURIComponent(uiToken)}` : '   (sign in with the API token)'}`,
    `  chargers:  ws://${shown}:${app.port}/ocpp/<chargePointId>   (use this PC's LAN address on the charger)`,
    ...(app.tlsPort ? [`  chargers:  wss://${shown}:${app.tlsPort}/ocpp/<chargePointId>`] : []),
    `  REST API:  http://${shown}:${app.port}/api   health: http://${shown}:${app.port}/health`,
    token
      ? `  API token: ${token}   (shown once; only its hash is stored. Send as "Authorization: Bearer <token>")`
      : '  API token: configured (set it with OCPP_EDGE_API_TOKEN or --api-token-file FILE, or --rotate-token for a new one)',
  ];
  process.stderr.write(`${banner.join('\n')}\n`);
  log.info({ port: app.port, tlsPort: app.tlsPort, host: config.host }, 'service started');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    let code = 0;
    try {
      await app.stop();
    } catch (err) {
      // A failed shutdown is not a clean one: a service manager should see it.
      code = 1;
      log.error({ err }, 'shutdown failed');
      console.error('ocpp-edge: shutdown failed:', err instanceof Error ? err.message : err);
    } finally {
      log.flush();
      process.exit(code);
    }
  };
  process.off('SIGINT', early.SIGINT);
  process.off('SIGTERM', early.SIGTERM);
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  if (earlySignal) await stop(earlySignal);
}

main().catch((err) => {
  console.error('ocpp-edge failed to start:', err instanceof Error ? err.message : err);
  if (err instanceof Error && err.cause) console.error('  cause:', (err.cause as Error).message ?? err.cause);
  process.exit(1);
});
