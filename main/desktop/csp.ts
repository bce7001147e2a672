/**
 * Content-Security-Policy for the desktop window, added by the Electron entry to every
 * response from the embedded service (and enforced alongside any policy the service sends).
 * Scripts only from the service itself, never inline or eval; the only remote endpoints are
 * the service's HTTP API and its `/api/events` WebSocket.
 */
export function contentSecurityPolicy(origin: string): string {
  const { host, protocol } = new URL(origin);
  const ws = `${protocol === 'https:' ? 'wss' : 'ws'}://${host}`;
  return [
    "default-src 'none'",
    "script-src 'self'",
    // Mantine and uPlot set style attributes and inject their CSS variables at run time; inline
    // styles cannot run code, inline scripts stay forbidden.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${ws}`,
    "manifest-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
