import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { Config } from '../config/schema.js';

/** Why a head-office request did not produce an answer we can use. */
export class HeadofficeError extends Error {
  override name = 'HeadofficeError';
  constructor(
    message: string,
    readonly kind: 'network' | 'timeout' | 'http' | 'protocol',
    readonly status: number | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
  /**
   * Head office refused the request for what it contains (400, 413, 422): retrying it unchanged
   * cannot help. Anything else (unreachable, timeout, auth, a wrong path, overload, a server
   * fault) says nothing about the records and is retried with backoff.
   */
  get aboutContent(): boolean {
    return this.kind === 'http' && (this.status === 400 || this.status === 413 || this.status === 422);
  }
}

export interface HeadofficeResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface HeadofficeClient {
  request(method: 'GET' | 'POST', path: string, body?: unknown, headers?: Record<string, string>): Promise<HeadofficeResponse>;
  /** Closes the kept-alive connections. */
  close(): void;
}

type Settings = Pick<Config, 'headofficeUrl' | 'headofficeToken' | 'headofficeHmacSecret' | 'headofficeTimeoutMs' | 'headofficeCaFile' | 'headofficeTlsVerify'>;

/**
 * Plain node:http(s): a custom CA and TLS verification are per-agent options, and the whole
 * exchange (connect, send, answer body) is bounded by one timer, so a head office that accepts
 * the connection and then hangs costs at most headofficeTimeoutMs.
 */
export function createHeadofficeClient(c: Settings & { headofficeUrl: string }): HeadofficeClient {
  const base = new URL(c.headofficeUrl.endsWith('/') ? c.headofficeUrl : `${c.headofficeUrl}/`);
  const secure = base.protocol === 'https:';
  const agent = secure
    ? new https.Agent({
        keepAlive: true,
        rejectUnauthorized: c.headofficeTlsVerify,
        ...(c.headofficeCaFile && { ca: [...rootCertificates, readFileSync(c.headofficeCaFile, 'utf8')] }),
      })
    : new http.Agent({ keepAlive: true });
  return {
    close: () => agent.destroy(),
    request(method, path, body, extraHeaders = {}) {
      const url = new URL(path.replace(/^\//, ''), base);
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${c.headofficeToken ?? ''}`, ...extraHeaders };
      if (payload) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(payload.length);
        if (c.headofficeHmacSecret) headers['x-signature'] = `sha256=${createHmac('sha256', c.headofficeHmacSecret).update(payload).digest('hex')}`;
      }
      return new Promise((resolve, reject) => {
        const req = (secure ? https : http).request(url, { method, headers, agent });
        const timer = setTimeout(() => req.destroy(new HeadofficeError(`${method} ${url.pathname}: no answer within ${c.headofficeTimeoutMs} ms`, 'timeout')), c.headofficeTimeoutMs);
        const fail = (err: Error) => {
          clearTimeout(timer);
          reject(err instanceof HeadofficeError ? err : new HeadofficeError(`${method} ${url.pathname}: ${err.message}`, 'network', null, { cause: err }));
        };
        req.once('error', fail);
        req.once('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.once('error', fail);
          res.once('aborted', () => fail(new Error('answer cut off')));
          res.once('end', () => {
            clearTimeout(timer);
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            if (text) {
              try {
                parsed = JSON.parse(text);
              } catch (err) {
                return reject(new HeadofficeError(`${method} ${url.pathname}: HTTP ${res.statusCode} answer is not JSON`, 'protocol', res.statusCode ?? null, { cause: err }));
              }
            }
            const status = res.statusCode ?? 0;
            if (status >= 400) {
              const reason = (parsed as { error?: unknown } | undefined)?.error;
              return reject(new HeadofficeError(`${method} ${url.pathname}: HTTP ${status}${reason ? ` ${String(reason)}` : ''}`, 'http', status));
            }
            resolve({ status, headers: res.headers, body: parsed });
          });
        });
        req.end(payload);
      });
    },
  };
}
