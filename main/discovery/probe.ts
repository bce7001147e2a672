/**
 * One HTTP(S) look at one port of one address: is the port open, and what does `GET /`
 * answer (status, Server header, page title; the certificate subject over TLS). Bounded by a
 * timeout and an abort signal; reads at most 64 KiB of the page.
 */
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { HttpFacts } from './fingerprint.js';
import { decodeHtmlEntities } from './html-entities.js';

export interface PortFacts extends HttpFacts {
  port: number;
  /** The TCP connection was accepted. */
  open: boolean;
  tls: boolean;
  status: number | null;
}

const MAX_BODY = 64 * 1024;
/** Ports whose web server speaks TLS. */
export const TLS_PORTS: ReadonlySet<number> = new Set([443, 8443]);

export function pageTitle(html: string): string | null {
  const m = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html);
  const t = m && decodeHtmlEntities(m[1]!).replace(/\s+/g, ' ').trim();
  return t ? t.slice(0, 200) : null;
}

function subjectText(socket: TLSSocket): string | null {
  const subject = socket.getPeerCertificate?.()?.subject as Record<string, string | string[]> | undefined;
  if (!subject || !Object.keys(subject).length) return null;
  return Object.entries(subject)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

export function probePort(ip: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<PortFacts> {
  const tls = TLS_PORTS.has(port);
  const facts: PortFacts = { port, open: false, tls, status: null, server: null, title: null, certSubject: null, body: null };
  return new Promise((resolve) => {
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(facts);
    };
    const timer = setTimeout(done, timeoutMs);
    const options = {
      host: ip,
      port,
      path: '/',
      method: 'GET',
      signal,
      agent: false as const,
      headers: { 'user-agent': 'ocpp-edge-discovery', accept: 'text/html,*/*' },
    };
    // Charger web UIs use self-signed certificates: the subject is read, not trusted.
    const req = tls ? https.request({ ...options, rejectUnauthorized: false }) : http.request(options);
    req.on('socket', (socket) => {
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        facts.open = true;
        if (tls) facts.certSubject = subjectText(socket as TLSSocket);
      });
      // A TLS handshake that fails still proves the port is open.
      if (tls) socket.once('connect', () => (facts.open = true));
    });
    req.on('response', (res) => {
      facts.status = res.statusCode ?? null;
      const server = res.headers.server;
      facts.server = server ? String(server).slice(0, 200) : null;
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        facts.body = Buffer.concat(chunks).toString('utf8');
        facts.title = pageTitle(facts.body);
        done();
      };
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        if (size >= MAX_BODY) finish();
      });
      res.on('end', finish);
      res.on('error', finish);
    });
    req.on('error', done);
    req.end();
  });
}
