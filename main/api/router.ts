import type { IncomingMessage } from 'node:http';
import type { TSchema } from '@sinclair/typebox';

/**
 * The route-module contract: main/api/routes/*.ts export `Route` objects, and http-server.ts
 * mounts them on Fastify (one adapter), which validates bodies and documents them in OpenAPI.
 */

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    /** Extra fields for the JSON error body (e.g. the OCPP CALLERROR code). */
    readonly details?: Record<string, unknown>,
    /** Extra response headers, e.g. Allow on a 405. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export interface RequestContext {
  req: IncomingMessage;
  /** Path parameters, URL-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body; `{}` when a route with a body schema got none, undefined on other routes. */
  body: unknown;
  /** A header on the answer (e.g. Set-Cookie). */
  setHeader(name: string, value: string): void;
}

export type RouteHandler = (ctx: RequestContext) => unknown | Promise<unknown>;

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path pattern like /api/stations/:cpId. */
  path: string;
  /** Routes that need no authentication (documented as open). */
  open?: boolean;
  summary: string;
  /** JSON body schema: validated before the handler runs, and published in the OpenAPI document. */
  body?: TSchema;
  /** Answers 201 (the handler returns `new Created(...)`), documented so. */
  created?: boolean;
  /**
   * The JSON answer (200, or 201 when created): Fastify serialises the handler's result with it
   * (fast-json-stringify: a property it does not name is left out) and the OpenAPI document
   * publishes it, so the UI's client types come from it (test/ui/api-responses.test.ts).
   */
  response?: TSchema;
  handler: RouteHandler;
}
