/**
 * Where the desktop window finds the embedded service's UI. The window talks to the service
 * over loopback whenever the service listens there (all interfaces or loopback); a service
 * bound to one LAN address is reached on that address.
 */
const WILDCARD_OR_LOOPBACK_V4 = new Set(['0.0.0.0', '127.0.0.1', 'localhost']);

export function uiOrigin(host: string, port: number): string {
  if (WILDCARD_OR_LOOPBACK_V4.has(host) || host === '::') return `http://127.0.0.1:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/** True for a URL on the embedded service's own origin: the only place the window may go. */
export function isAppUrl(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/**
 * True for a request the window may make: the service's pages and API, and its `/api/events`
 * WebSocket (same host and port, ws scheme). Everything else is cancelled before it leaves.
 */
export function isServiceRequest(url: string, origin: string): boolean {
  try {
    const u = new URL(url);
    const scheme = u.protocol === 'ws:' ? 'http:' : u.protocol === 'wss:' ? 'https:' : u.protocol;
    return `${scheme}//${u.host}` === origin;
  } catch {
    return false;
  }
}
