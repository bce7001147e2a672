import type { IncomingMessage } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import type { TSchema } from '@sinclair/typebox';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import type { Logger } from '../log/logger.js';
import { SECURITY_HEADERS } from '../security-headers.js';
import { StoreWriteError } from '../store/writer.js';
import { compileSchema } from '../validation.js';
import type { Authenticate } from './authenticate.js';
import { openApiRoute, registerOpenApi, routeSchema } from './openapi.js';
import { HttpError, type Route } from './router.js';
import type { UiAnswer } from './ui-static.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without authentication (Route.open); unset: open outside /api only (see gate). */
    open?: boolean;
  }
}

const MAX_BODY_BYTES = 1024 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';
const METHODS: ReadonlyArray<Route['method']> = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export interface HttpOptions {
  routes: readonly Route[];
  /** Version in the OpenAPI document. */
  version: string;
  log: Logger;
  authenticate: Authenticate;
  /** The UI build for GETs outside /api no route matched (main/api/ui-static.ts); undefined when not its. */
  serveUi?: (req: IncomingMessage, pathname: string) => UiAnswer | undefined;
  /** WebSocket upgrades: OCPP chargers and the live event stream. */
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  tls?: { cert: Buffer; key: Buffer };
  /** Serve REST/UI only to this PC; OCPP upgrades are still accepted from anywhere. */
  loopbackOnly?: boolean;
}

export const isLoopback = (address: string | undefined): boolean => !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));

/**
 * A complete HTTP/1.1 error response for a raw socket (refused upgrades, requests node cannot
 * parse): a JSON {error} body and the security headers, like every other answer.
 */
export function rawErrorResponse(status: number, reason: string, error: string, headers: Record<string, string> = {}): string {
  const text = JSON.stringify({ error });
  const all = { ...SECURITY_HEADERS, ...headers, 'Content-Type': JSON_TYPE, 'Content-Length': String(Buffer.byteLength(text)), Connection: 'close' };
  return `HTTP/1.1 ${status} ${reason}\r\n${Object.entries(all)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n${text}`;
}

/** A 201 answer for POSTs that create something. */
export class Created {
  constructor(readonly body: unknown) {}
}

/** Raw (non-JSON) answers such as CSV exports; a stream is sent as the client reads it. */
export class RawResponse {
  constructor(
    readonly contentType: string,
    readonly body: string | Readable,
    readonly headers: Record<string, string> = {},
  ) {}
}

const sendJson = (reply: FastifyReply, status: number, body: unknown, headers: Record<string, string> = {}): FastifyReply =>
  reply
    .code(status)
    .headers({ ...SECURITY_HEADERS, ...headers })
    .type(JSON_TYPE)
    .send(JSON.stringify(body));

const sendError = (reply: FastifyReply, e: HttpError): FastifyReply => sendJson(reply, e.status, { error: e.message, ...(e.field && { field: e.field }), ...e.details }, e.headers);

/** Fastify's own refusals, worded for an API user. */
function asHttpError(err: FastifyError): HttpError | undefined {
  if (err instanceof HttpError) return err;
  // A write the store could not commit (disk full, read-only): nothing of it was written.
  if (err instanceof StoreWriteError) return new HttpError(503, err.unavailable);
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      // Connection: close, so the rest of an oversize upload never reaches another request.
      return new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`, undefined, undefined, { Connection: 'close' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError(415, 'body must be application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpError(400, 'body length differs from Content-Length');
    case 'FST_ERR_BAD_URL':
      return new HttpError(400, 'path parameter is not valid percent-encoding');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new HttpError(400, 'path parameter is too long');
  }
  return err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? new HttpError(err.statusCode, err.message) : undefined;
}

/** JSON is UTF-8 (RFC 8259). An empty body is no body: routes with a body schema get {}. */
function parseJson(req: IncomingMessage, text: string): unknown {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
  if (charset && !/^utf-?8$/i.test(charset)) throw new HttpError(415, `body must be UTF-8 JSON, not ${charset.slice(0, 40)}`);
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

/** Requests node cannot parse (bad request line or headers, headers too large): JSON and the security headers, not node's bare 400. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) return void socket.destroy();
  const [status, reason] = err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout'] : [400, 'Bad Request'];
  socket.end(rawErrorResponse(status as number, reason as string, `malformed HTTP request: ${(reason as string).toLowerCase()}`));
}

/** The path of a request target: origin-form, or absolute-form (http://host/path) as Fastify routes it. */
const pathOf = (target: string): string => (target.startsWith('/') ? target.split('?')[0]! : new URL(target, 'http://localhost').pathname);

/** The query string of a request target (URLSearchParams takes bad percent-encoding as it is). */
export const queryOf = (target: string): URLSearchParams => new URLSearchParams(target.includes('?') ? target.slice(target.indexOf('?') + 1) : '');

/**
 * Who may ask, before anything else runs: this PC only (apiLoopbackOnly), a target that parses,
 * and authentication for routes not marked open. Routes that do not say (a plugin's, such as the
 * web UI's files) and unknown paths need it under /api only: without it, nothing under /api tells
 * which routes exist.
 */
function gate(o: HttpOptions): (req: IncomingMessage, open: boolean | undefined) => HttpError | undefined {
  return (req, open) => {
    if (o.loopbackOnly && !isLoopback(req.socket.remoteAddress)) return new HttpError(403, 'the API is only served to this computer (apiLoopbackOnly)');
    // Found by test/fuzz/rest-sweep: `GET http://[::1/...` was a 500 (`GET //other.host/api/x` is the path //other.host/api/x).
    const target = req.url ?? '/';
    if (!target.startsWith('/') && !URL.canParse(target, 'http://localhost')) return new HttpError(400, 'request target is not a valid URL');
    const needsAuth = open === undefined ? /^\/api(\/|$)/.test(pathOf(target)) : !open;
    if (needsAuth && !o.authenticate(req)) return new HttpError(401, 'missing or wrong bearer token', undefined, undefined, { 'WWW-Authenticate': 'Bearer' });
    return undefined;
  };
}

/**
 * One server for REST, the UI and WebSocket upgrades (seed 001: one port for both), on Fastify:
 * routing, body parsing and limits, schema validation, and the OpenAPI document generated from
 * the routes' TypeBox schemas. Every answer, errors included, is JSON with the security headers.
 */
export async function createHttpServer(o: HttpOptions): Promise<FastifyInstance> {
  const refuse = gate(o);
  const options: FastifyServerOptions = {
    // Fastify logs its own problems (a stream failing mid-answer); per-request lines are left out (info).
    loggerInstance: o.log.child({ module: 'http' }, { level: 'warn' }),
    bodyLimit: MAX_BODY_BYTES,
    // HEAD was never served: a HEAD on the CSV export would build the whole export.
    exposeHeadRoutes: false,
    // Idle keep-alive sockets must not hold shutdown.
    keepAliveTimeout: 5000,
    // Node's default, which Fastify would otherwise turn off: a slow upload cannot hold a socket forever.
    requestTimeout: 300_000,
    routerOptions: { ignoreTrailingSlash: true },
    clientErrorHandler: answerClientError,
    // Bad percent-encoding and overlong path parameters are refused before hooks run: same gate here.
    frameworkErrors: (err, request, reply) => void sendError(reply, refuse(request.raw, undefined) ?? asHttpError(err) ?? new HttpError(400, err.message)),
  };
  const api = Fastify((o.tls ? { ...options, https: o.tls } : options) as FastifyServerOptions);

  api.addHook('onRequest', async (request, reply) => {
    reply.headers(SECURITY_HEADERS);
    const refused = refuse(request.raw, request.is404 ? undefined : request.routeOptions.config.open);
    if (refused) throw refused;
  });
  api.removeAllContentTypeParsers();
  api.addContentTypeParser('application/json', { parseAs: 'string' }, (req, text, done) => {
    try {
      done(null, parseJson(req.raw, text as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  api.setValidatorCompiler(({ schema, httpPart }) => {
    const check = compileSchema<unknown>(schema as TSchema, httpPart ?? '');
    return (value: unknown) => {
      const checked = check(value);
      return checked.ok || { error: new HttpError(400, checked.error, checked.field) };
    };
  });
  api.setErrorHandler((err: FastifyError, request, reply) => {
    const known = asHttpError(err);
    if (known) return sendError(reply, known);
    o.log.error({ err, url: request.raw.url }, 'request failed');
    return sendError(reply, new HttpError(500, 'internal error'));
  });
  // Wrong methods (405); then GETs outside /api are the web UI's files and client-side routes
  // (index.html); anything else is an unknown path (404).
  api.setNotFoundHandler((request, reply) => {
    const path = pathOf(request.raw.url ?? '/');
    const allowed = METHODS.filter((method) => api.findRoute({ method, url: path }));
    const page = !allowed.length && request.raw.url?.startsWith('/') ? o.serveUi?.(request.raw, path) : undefined;
    if (page) return reply.code(page.status).headers(page.headers).send(page.body);
    return sendError(
      reply,
      allowed.length ? new HttpError(405, `${request.method} not allowed on ${path}`, undefined, undefined, { Allow: allowed.join(', ') }) : new HttpError(404, `no route ${path}`),
    );
  });

  await registerOpenApi(api, o.routes, o.version);
  for (const route of [...o.routes, openApiRoute(api)]) mount(api, route);
  api.server.on('upgrade', o.onUpgrade);
  return api;
}

/** The adapter from the route-module contract (router.ts) to a Fastify route. */
function mount(api: FastifyInstance, r: Route): void {
  api.route({
    method: r.method,
    url: r.path,
    config: { open: r.open === true },
    schema: routeSchema(r),
    // No body at all counts as {} (a PATCH changing nothing); a JSON null is still refused.
    ...(r.body && {
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
    }),
    handler: async (request, reply) => {
      const result = await r.handler({
        req: request.raw,
        params: request.params as Record<string, string>,
        query: queryOf(request.raw.url ?? ''),
        body: request.body,
        setHeader: (name, value) => void reply.header(name, value),
      });
      if (result instanceof RawResponse) return reply.code(200).headers(result.headers).type(result.contentType).send(result.body);
      // An object, so Fastify serialises it with the route's response schema (JSON.stringify without one).
      return result instanceof Created ? reply.code(201).send(result.body) : reply.code(200).send(result ?? { ok: true });
    },
  });
}
