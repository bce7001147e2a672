/**
 * Reference head office as a program:
 *   npm run headoffice -- --port N --host H --data-dir D --token T [--hmac-secret S] [--tls-cert PEM --tls-key PEM]
 * Point a depot at it with OCPP_EDGE_HEADOFFICE_URL=http://H:N and OCPP_EDGE_HEADOFFICE_TOKEN=T.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startHeadoffice } from './server.js';

function fail(message: string): never {
  console.error(`headoffice: ${message}\nusage: npm run headoffice -- --port N --host H --data-dir D --token T [--hmac-secret S] [--tls-cert PEM --tls-key PEM]`);
  process.exit(2);
}

/** The command line's options; node's complaints about them end the program with the usage. */
function readOptions() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: '8090' },
        host: { type: 'string', default: '127.0.0.1' },
        'data-dir': { type: 'string' },
        token: { type: 'string' },
        'hmac-secret': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
      },
    }).values;
  } catch (err) {
    return fail((err as Error).message);
  }
}
const values = readOptions();
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port "${values.port}" is not a port number`);
if (!values['data-dir']) fail('--data-dir is required');
if (!values.token || values.token.length < 8) fail('--token of at least 8 characters is required');
if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) fail('--tls-cert and --tls-key go together');
const tls = values['tls-cert'] && values['tls-key'] ? { cert: readFileSync(values['tls-cert'], 'utf8'), key: readFileSync(values['tls-key'], 'utf8') } : undefined;
const ho = await startHeadoffice({
  port,
  host: values.host,
  dataDir: values['data-dir'],
  token: values.token,
  ...(values['hmac-secret'] && { hmacSecret: values['hmac-secret'] }),
  ...(tls && { tls }),
});
console.log(`reference head office listening on ${ho.url} (data in ${values['data-dir']})`);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void ho.close().then(() => process.exit(0)));
