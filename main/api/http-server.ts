import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log/logger.js';
import { compileSchema } from '../validation.js';
import { HttpError, type Router } from './router.js';

import { SECURITY_HEADERS } from '../security-headers.js';

const MAX_BODY_BYTES = 1024 * 1024;


export interface HttpOptions {
  router: Router;
  log: Logger;
  /** Bearer token check for every /api route not marked open. */
  checkToken: (token: string | undefined) => boolean;
  /** Another way in for /api routes: the UI's session cookie (main/api/session-cookie.ts). */
  checkSession?: (req: IncomingMessage) => boolean;
  /** The UI build for non-API GETs no route matched (main/api/ui-static.ts); true when it answered. */
  serveUi?: (req: IncomingMessage, res: ServerResponse, pathname: string) => boolean;
  /** WebSocket upgrades: OCPP chargers (and later the live event stream). */
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  tls?: { cert: Buffer; key: Buffer };
  /** Serve REST/UI only to this PC; OCPP upgrades are still accepted from anywhere. */
  loopbackOnly?: boolean;
}

export const isLoopback = (address: string | undefined): boolean => !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * A complete HTTP/1.1 error response for a raw socket (refused upgrades, requests node cannot
 * parse): a JSON {error} body and the security headers, like every other answer.
 */
export function rawErrorResponse(status: number, reason: string, error: string, headers: Record<string, string> = {}): string {
  const text = JSON.stringify({ error });
  const all = { ...SECURITY_HEADERS, ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), Connection: 'close' };
  return `HTTP/1.1 ${status} ${reason}\r\n${Object.entries(all)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n${text}`;
}

/** A 201 answer for POSTs that create something. */
export class Created {
  constructor(readonly body: unknown) {}
}

/** Raw (non-JSON) answers such as CSV exports. */
export class RawResponse {
  constructor(
    readonly contentType: string,
    readonly body: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** An upload past the limit is still read (and dropped) up to this much, so the client sees the 413. */
const MAX_DISCARD_BYTES = 64 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    // Connection: close, so the rest of an oversize upload never reaches another request.
    const tooLarge = () => new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`, undefined, undefined, { Connection: 'close' });
    const declared = Number(req.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    let rejected = declared > MAX_BODY_BYTES;
    if (rejected) reject(tooLarge());
    // Destroying the socket here would reset the connection before the client reads the 413.
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (rejected) {
        if (size > MAX_BODY_BYTES + MAX_DISCARD_BYTES) req.socket.destroy();
        return;
      }
      if (size > MAX_BODY_BYTES) {
        rejected = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (rejected) return;
      if (!size) return resolve(undefined);
      const type = req.headers['content-type'] ?? '';
      if (!/^application\/json\b/i.test(type)) return reject(new HttpError(415, 'body must be application/json'));
      // JSON is UTF-8 (RFC 8259): a body declared utf-16 (or latin1) was read as UTF-8 anyway.
      const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1];
      if (charset && !/^utf-?8$/i.test(charset)) return reject(new HttpError(415, `body must be UTF-8 JSON, not ${charset.slice(0, 40)}`));
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'body is not valid JSON'));
      }
    });
  });
}

/** One server for REST, the UI and OCPP WebSocket upgrades (seed 001: one port for both). */
export function createHttpServer(o: HttpOptions): Server {
  const validators = new Map(o.router.list().filter((r) => r.body).map((r) => [r, compileSchema<unknown>(r.body!, 'body')]));
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (o.loopbackOnly && !isLoopback(req.socket.remoteAddress)) throw new HttpError(403, 'the API is only served to this computer (apiLoopbackOnly)');
    // Found by test/fuzz/rest-sweep: `GET http://[::1/...` made new URL() throw (a 500), and
    // `GET //other.host/api/x` was served as /api/x. An origin-form target is taken as a path.
    const target = req.url ?? '/';
    let url: URL;
    try {
      url = new URL(target.startsWith('/') ? `http://localhost${target}` : target, 'http://localhost');
    } catch {
      throw new HttpError(400, 'request target is not a valid URL');
    }
    // RFC 7235: the auth scheme is case-insensitive.
    const authorized = () => o.checkToken(/^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '')?.[1]) || !!o.checkSession?.(req);
    const unauthorized = () => new HttpError(401, 'missing or wrong bearer token', undefined, undefined, { 'WWW-Authenticate': 'Bearer' });
    let matched: ReturnType<Router['match']>;
    try {
      matched = o.router.match(req.method ?? 'GET', url.pathname);
    } catch (err) {
      if (err instanceof HttpError && err.status === 404 && o.serveUi?.(req, res, url.pathname)) return;
      // Without the token, nothing under /api tells which routes exist.
      if (err instanceof HttpError && /^\/api(\/|$)/.test(url.pathname) && !authorized()) throw unauthorized();
      throw err;
    }
    const { route, params } = matched;
    if (!route.open && !authorized()) throw unauthorized();
    let body = await readBody(req);
    const validate = validators.get(route as never);
    if (validate) {
      // No body at all counts as {} (a PATCH changing nothing), for the check and the handler
      // alike: handlers got `undefined` (and a JSON null passed the check as {}), a 500.
      if (body === undefined) body = {};
      const checked = validate(body);
      if (!checked.ok) throw new HttpError(400, checked.error, checked.field);
    }
    const result = await route.handler({ req, res, params, query: url.searchParams, body });
    if (res.headersSent) return;
    if (result instanceof RawResponse) {
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': result.contentType, ...result.headers });
      res.end(result.body);
      return;
    }
    if (result instanceof Created) return sendJson(res, 201, result.body);
    sendJson(res, 200, result ?? { ok: true });
  };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpError) {
        sendJson(res, err.status, { error: err.message, ...(err.field && { field: err.field }), ...err.details }, err.headers);
        return;
      }
      o.log.error({ err, url: req.url }, 'request failed');
      sendJson(res, 500, { error: 'internal error' });
    });
  };
  const server = o.tls ? createHttps({ cert: o.tls.cert, key: o.tls.key }, listener) : createHttp(listener);
  server.on('upgrade', o.onUpgrade);
  // Requests node cannot parse (bad request line or headers, headers too large) were answered
  // by node's bare "400 Bad Request": no JSON error, no security headers.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) return void socket.destroy();
    const [status, reason] = err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout'] : [400, 'Bad Request'];
    socket.end(rawErrorResponse(status as number, reason as string, `malformed HTTP request: ${(reason as string).toLowerCase()}`));
  });
  // Idle keep-alive sockets must not hold shutdown.
  server.keepAliveTimeout = 5000;
  return server;
}
