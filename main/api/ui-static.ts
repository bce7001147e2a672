import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { SECURITY_HEADERS } from '../security-headers.js';

/** Where `npm run build:ui` (vite) writes the React UI. */
export const UI_DIST_DIR = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page's policy: scripts and styles only from this service (Mantine writes its CSS variables
 * into a <style> element and components set style attributes, hence 'unsafe-inline' for styles
 * only); data and the event stream only to this origin; never framed.
 */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const MISSING = 'the UI is not built: run `npm run build:ui` (npm run serve builds it when it is missing or stale)';

/** An answer of the UI server, for the HTTP layer to send (a file is streamed). */
export interface UiAnswer {
  status: number;
  headers: Record<string, string | number>;
  /** null for HEAD. */
  body: string | Readable | null;
}

/**
 * The UI build for GET/HEAD of any non-API path: files as they are (hashed /assets/ cached for a
 * year), every other path answers index.html so client routes survive a reload. Undefined for
 * what it does not serve (the caller answers 404/405 as for any unknown path).
 */
export function createUiStatic(dir: string = UI_DIST_DIR): (req: IncomingMessage, pathname: string) => UiAnswer | undefined {
  const root = normalize(dir.endsWith(sep) ? dir : dir + sep);
  const file = (req: IncomingMessage, path: string, cache: string): UiAnswer => ({
    status: 200,
    headers: {
      ...SECURITY_HEADERS,
      'Content-Security-Policy': UI_CSP,
      'Cache-Control': cache,
      'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
      'Content-Length': statSync(path).size,
    },
    body: req.method === 'HEAD' ? null : createReadStream(path),
  });
  return (req, pathname) => {
    // `//host/...` is an absolute-form target a client sent, never a page address of ours.
    if ((req.method !== 'GET' && req.method !== 'HEAD') || /^\/api(\/|$)/.test(pathname) || pathname.startsWith('//')) return undefined;
    const index = join(root, 'index.html');
    // Without a build only page addresses (no file extension) get the explanation.
    if (!existsSync(index) && !extname(pathname)) {
      const html = /text\/html/.test(req.headers.accept ?? '');
      const body = html ? `<!doctype html><meta charset="utf-8"><title>OCPP Edge</title><p>OCPP Edge: ${MISSING.replace(/`([^`]+)`/g, '<code>$1</code>')}.</p>` : JSON.stringify({ error: MISSING });
      const headers = { ...SECURITY_HEADERS, 'Content-Type': html ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) };
      return { status: 500, headers, body: req.method === 'HEAD' ? null : body };
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return undefined;
    }
    const path = normalize(join(root, decoded));
    // A path that climbs out of the build folder is never a file of ours.
    if (path.startsWith(root) && !decoded.includes('\0') && existsSync(path) && statSync(path).isFile()) {
      return file(req, path, path.startsWith(join(root, 'assets') + sep) ? 'public, max-age=31536000, immutable' : 'no-cache');
    }
    // A missing file (has an extension) is a 404, a client route gets the page.
    if (extname(decoded)) return undefined;
    return file(req, index, 'no-cache');
  };
}
