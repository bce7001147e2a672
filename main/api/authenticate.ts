import type { IncomingMessage } from 'node:http';
import { queryOf } from './http-server.js';

/**
 * Whether a request may use the API. The one place that decides, for every /api route not
 * marked open (and /connections, /statistics) and for the /api/events upgrade.
 */
export type Authenticate = (req: IncomingMessage) => boolean;

/**
 * The bearer token, or the UI's session cookie (session-cookie.ts: a valid session, and for a
 * state change or an upgrade the page's own Origin, since cookies ride along on other sites'
 * requests too).
 */
export function tokenAuthenticator(checkToken: (token: string | undefined) => boolean, sessions?: { authorizes(req: IncomingMessage): boolean }): Authenticate {
  return (req) => checkToken(presentedToken(req)) || !!sessions?.authorizes(req);
}

/**
 * The bearer token of a request. RFC 7235: the scheme is case-insensitive. Browsers cannot set
 * headers on a WebSocket, so an upgrade may carry it as `?token=` or as the subprotocol
 * `bearer.<token>`; REST requests may not (a token in a URL ends up in logs and histories).
 */
function presentedToken(req: IncomingMessage): string | undefined {
  const header = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '')?.[1];
  if (header || !req.headers.upgrade) return header;
  const fromQuery = queryOf(req.url ?? '').get('token');
  const fromProtocol = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith('bearer.'));
  return fromQuery ?? fromProtocol?.slice('bearer.'.length);
}
