import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TSchema } from '@sinclair/typebox';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
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
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.regex.exec(pathname);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method) continue;
      const params: Record<string, string> = {};
      try {
        r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
      } catch {
        throw new HttpError(400, 'path parameter is not valid percent-encoding');
      }
      return { route: r, params };
    }
    throw pathMatched ? new HttpError(405, `${method} not allowed on ${pathname}`) : new HttpError(404, `no route ${pathname}`);
  }
}
