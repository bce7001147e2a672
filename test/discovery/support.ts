/** Small web servers on 127.0.0.x addresses that imitate chargers' web UIs, for scan tests. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Closable {
  close(): Promise<void>;
}

const closeServer = (s: net.Server) =>
  new Promise<void>((resolve) => {
    s.close(() => resolve());
    (s as http.Server).closeAllConnections?.();
  });

const listen = (s: net.Server, host: string, port: number) =>
  new Promise<number>((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, host, () => resolve((s.address() as AddressInfo).port));
  });

/** An HTTP server answering `GET /` with `html` (and a Server header when given). */
export async function webServer(host: string, port: number, html: string, server?: string): Promise<Closable & { port: number }> {
  const s = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html', ...(server && { server }) });
    res.end(html);
  });
  const bound = await listen(s, host, port);
  return { port: bound, close: () => closeServer(s) };
}

/** An HTTPS server with a self-signed certificate whose subject is `subject` (openssl -subj). */
export async function tlsServer(host: string, port: number, subject: string): Promise<Closable> {
  const dir = mkdtempSync(join(tmpdir(), 'ocpp-edge-tls-'));
  try {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', subject], { stdio: 'ignore' });
    const s = https.createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (_req, res) => res.end('<html><head><title>Login</title></head></html>'));
    await listen(s, host, port);
    return { close: () => closeServer(s) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Accepts connections and never answers: a probe of it lasts until its timeout or a cancel. */
export async function silentServer(host: string, port: number): Promise<Closable & { port: number; open(): number }> {
  const sockets = new Set<net.Socket>();
  const s = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    // Reading (and dropping) the request lets it see the probe's FIN.
    sock.resume();
  });
  const bound = await listen(s, host, port);
  return {
    port: bound,
    open: () => sockets.size,
    close: async () => {
      for (const sock of sockets) sock.destroy();
      await closeServer(s);
    },
  };
}

/** Polls `cond` until it holds (never a fixed sleep). */
export async function waitFor<T>(cond: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A Siemens VersiCharge's login page, as its web UI shows it. */
export const SIEMENS_LOGIN = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>VersiCharge &ndash; Login</title></head>
<body><div class="brand">SIEMENS</div><form action="/login" method="post">
<input name="user"><input name="password" type="password"><button>Log in</button></form>
<footer>VersiCharge AC 8EM1310-3EJ04-0GA0</footer></body></html>`;
