import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TSchema } from '@sinclair/typebox';

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
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (undefined when the request had none). */
  body: unknown;
}

export type RouteHandler = (ctx: RequestContext) => unknown | Promise<unknown>;

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  /** Routes that need no bearer token (documented as open). */
  open?: boolean;
  summary: string;
  /** JSON body schema: validated before the handler runs, and published in the OpenAPI document. */
  body?: TSchema;
  handler: RouteHandler;
}

interface Compiled extends Route {
  regex: RegExp;
  names: string[];
}

/** Path patterns like /api/stations/:cpId; parameters are URL-decoded. */
export class Router {
  private readonly routes: Compiled[] = [];

  add(route: Route): void {
    const names: string[] = [];
    const pattern = route.path.replace(/:([A-Za-z]+)/g, (_, n: string) => {
      names.push(n);
      return '([^/]+)';
    });
    this.routes.push({ ...route, regex: new RegExp(`^${pattern}/?$`), names });
  }

  list(): readonly Route[] {
    return this.routes;
  }

  /** The route for a request, or a 404/405 HttpError. */
  match(method: string, pathname: string): { route: Route; params: Record<string, string> } {
    const allowed: string[] = [];
    for (const r of this.routes) {
      const m = r.regex.exec(pathname);
      if (!m) continue;
      if (r.method !== method) {
        if (!allowed.includes(r.method)) allowed.push(r.method);
        continue;
      }
      const params: Record<string, string> = {};
      try {
        r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
      } catch {
        throw new HttpError(400, 'path parameter is not valid percent-encoding');
      }
      return { route: r, params };
    }
    throw allowed.length
      ? new HttpError(405, `${method} not allowed on ${pathname}`, undefined, undefined, { Allow: allowed.join(', ') })
      : new HttpError(404, `no route ${pathname}`);
  }
}
