import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { EventBus } from '../events.js';
import type { Logger } from '../log/logger.js';
import { rawErrorResponse } from './http-server.js';

export const EVENTS_PATH = '/api/events';

/**
 * Live events for the UI and integrators over a WebSocket at /api/events: one JSON text frame
 * per event, `{"event": name, "data": payload}`. Browsers cannot set headers on a WebSocket,
 * so the token may also come as `?token=` or as the subprotocol `bearer.<token>`.
 */
export class EventStream {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024, handleProtocols: (p) => [...p][0] ?? false });
  private readonly off: () => void;

  constructor(
    events: EventBus,
    private readonly checkToken: (t: string | undefined, req: IncomingMessage) => boolean,
    private readonly log: Logger,
  ) {
    this.off = events.onAny((event, data) => {
      if (!this.wss.clients.size) return;
      const text = JSON.stringify({ event, data });
      for (const ws of this.wss.clients) {
        // A client that stopped reading is dropped rather than buffering without bound.
        if (ws.bufferedAmount > 4 * 1024 * 1024) ws.terminate();
        else ws.send(text);
      }
    });
  }

  handles(req: IncomingMessage): boolean {
    return (req.url ?? '').split('?')[0] === EVENTS_PATH;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const auth = req.headers.authorization;
    const fromProtocol = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .find((p) => p.startsWith('bearer.'));
    const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : (url.searchParams.get('token') ?? fromProtocol?.slice(7));
    if (!this.checkToken(token, req)) {
      this.log.warn({ remoteAddress: req.socket.remoteAddress }, 'event stream refused: missing or wrong token');
      // JSON and the security headers, as on every other answer (was a bare 401).
      socket.end(rawErrorResponse(401, 'Unauthorized', 'missing or wrong bearer token', { 'WWW-Authenticate': 'Bearer' }));
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => ws.terminate());
      ws.send(JSON.stringify({ event: 'hello', data: { at: new Date().toISOString() } }));
    });
  }

  close(): void {
    this.off();
    for (const ws of this.wss.clients) ws.close(1001, 'shutting down');
    this.wss.close();
  }
}
