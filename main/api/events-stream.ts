import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { EventBus } from '../events.js';
import type { Logger } from '../log/logger.js';
import type { Authenticate } from './authenticate.js';
import { rawErrorResponse } from './http-server.js';

export const EVENTS_PATH = '/api/events';

/**
 * Live events for the UI and integrators over a WebSocket at /api/events: one JSON text frame
 * per event, `{"event": name, "data": payload}`. Who may connect is decided by `authenticate`
 * (see authenticate.ts for the token forms a browser can send).
 */
export class EventStream {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024, handleProtocols: (p) => [...p][0] ?? false });
  private readonly off: () => void;

  constructor(
    events: EventBus,
    private readonly authenticate: Authenticate,
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
    if (!this.authenticate(req)) {
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

  /** Drops the sockets whose close handshake has not finished (ws would wait 30 s): a stopped service leaves none open. */
  terminate(): void {
    for (const ws of this.wss.clients) ws.terminate();
  }
}
