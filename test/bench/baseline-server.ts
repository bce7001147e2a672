/**
 * The baseline: a minimal raw `ws` server that parses each CALL and answers [3,id,{}], with the
 * same ws options the edge's OCPP server uses (no compression, no client tracking, ocpp1.6 or
 * ocpp2.0.1 subprotocol, 64 KiB frames, default accept backlog). Whatever the edge costs beyond this is
 * OCPP validation, handlers and durable storage.
 *   node --import tsx test/bench/baseline-server.ts --port 0 --host 127.0.0.1
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}

const server = createServer((_req, res) => {
  res.writeHead(404).end();
});
const wss = new WebSocketServer({
  noServer: true,
  maxPayload: 65536,
  perMessageDeflate: false,
  clientTracking: false,
  handleProtocols: (offered) => (offered.has('ocpp1.6') ? 'ocpp1.6' : offered.has('ocpp2.0.1') ? 'ocpp2.0.1' : false),
});
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('message', (data) => {
      let msg: unknown;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (Array.isArray(msg) && msg[0] === 2) ws.send(`[3,${JSON.stringify(msg[1])},{}]`);
    });
    ws.on('error', () => {});
  });
});
server.listen(Number(arg('port', '0')), arg('host', '127.0.0.1'), () => {
  const { address, port } = server.address() as AddressInfo;
  process.stderr.write(`baseline listening on ws://${address}:${port}/\n`);
});
const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
