import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { type LoginThrottle, MAX_QUEUE_MS } from '../auth/login-throttle.js';
import { verifyPassword } from '../auth/password.js';
import { SECURITY_HEADERS } from '../security-headers.js';
import { getChargerAuth, type RegistrationStatus } from '../store/queries/chargers.js';
import type { OcppServices } from './context.js';
import type { BreachLog } from './limits.js';
import { parseChargerUrl } from './url.js';
import { negotiate, OCPP_VERSIONS, type OcppVersion, SUBPROTOCOLS } from './versions.js';

const SPOKEN = OCPP_VERSIONS.map((v) => SUBPROTOCOLS[v]).join(', ');
/** A real scrypt hash of a random secret: unknown identities are verified against it. */
const DUMMY_HASH = 'scrypt$16384$8$1$7l7JkpYzJ2bQv5e7bqgq3w==$0e3bq8xTg4wPZxKQ0qgW9Y2mQy3Xv3n8aJ8m3cXc0Ys=';

/** Who passed the upgrade, and what the registry said about it: everything the accept step needs. */
export interface Handshake {
  chargePointId: string;
  remoteAddress: string;
  remotePort: number;
  /** How to register an identity seen for the first time; null when the registry knows it. */
  autoRegister: 'Accepted' | 'Pending' | null;
  lenient: boolean;
  registrationStatus?: RegistrationStatus;
  /** It got in without a password: anyone can connect with its identity. */
  passwordless: boolean;
  /** The version agreed on (negotiate); null when none of the offered subprotocols is spoken here. */
  version: OcppVersion | null;
}

/** An HTTP answer instead of the upgrade. */
interface Refusal {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

export interface UpgradeDeps {
  services: OcppServices;
  throttle: LoginThrottle;
  breaches: BreachLog;
  /** The live connections by identity (read only: a reconnect replaces its own slot). */
  registry: { readonly size: number; has(chargePointId: string): boolean };
  isClosing(): boolean;
  /** Called with the open socket of every charger that passed; the socket is its own from here. */
  onAccepted(handshake: Handshake & { version: OcppVersion }, ws: WebSocket): void;
}

function refuse(socket: Duplex, r: Refusal): void {
  const text = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' }[r.status] ?? 'Error';
  const extra = Object.entries({ ...SECURITY_HEADERS, ...r.headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${r.status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(r.message)}\r\n${extra}\r\n${r.message}`);
}

function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  if (!header?.startsWith('Basic ')) return null;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tooManyLogins = (retryAfterMs: number): Refusal => ({
  status: 429,
  message: 'too many failed logins',
  headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
});

const isRefusal = (r: Handshake | Refusal): r is Refusal => 'status' in r;

/**
 * The HTTP upgrade of a charger socket, in three steps (as ocpp-rpc's `auth(accept, reject,
 * handshake)`): authenticate (identity from the URL, subprotocol, lockouts, registry policy,
 * basic auth), admit (capacity, shutdown: checked last, right before the socket opens, so the
 * awaited password check cannot let more in than fit), accept (the WebSocket handshake).
 */
export class UpgradePipeline {
  private readonly wss: WebSocketServer;
  /** The subprotocol each accepted request agreed on, for the WebSocket handshake's answer. */
  private readonly agreed = new WeakMap<IncomingMessage, string>();

  constructor(private readonly d: UpgradeDeps) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: d.services.config.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      // The version authenticate() negotiated; with nothing agreed the handshake carries no protocol.
      handleProtocols: (_offered, req) => this.agreed.get(req) ?? false,
    });
  }

  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    void this.run(req, socket, head).catch((err) => {
      this.d.services.log.error({ err }, 'upgrade failed');
      refuse(socket, { status: 503, message: 'service error' });
    });
  }

  close(): void {
    this.wss.close();
  }

  private async run(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const handshake = await this.authenticate(req);
    if (isRefusal(handshake)) return refuse(socket, handshake);
    const refusal = this.admit(handshake);
    if (refusal) return refuse(socket, refusal);
    this.accept(req, socket, head, handshake);
  }

  private async authenticate(req: IncomingMessage): Promise<Handshake | Refusal> {
    const { config, db, writer, log, events } = this.d.services;
    const remoteAddress = req.socket.remoteAddress ?? '';
    const remotePort = req.socket.remotePort ?? 0;
    const parsed = parseChargerUrl(req.url ?? '/');
    if (!parsed.ok) {
      log.warn({ url: req.url?.slice(0, 200), remoteAddress, status: parsed.status }, `charger refused: ${parsed.message}`);
      return { status: parsed.status, message: parsed.message };
    }
    const id = parsed.chargePointId;
    const offered = req.headers['sec-websocket-protocol'];
    if (!offered && !config.allowMissingSubprotocol) {
      log.warn({ cp: id, remoteAddress }, 'charger refused: no WebSocket subprotocol offered');
      return { status: 400, message: `offer a subprotocol: ${SPOKEN}` };
    }
    // A charger allowed to offer none speaks the version its URL names, else 1.6.
    const version = offered
      ? negotiate(
          offered.split(',').map((p) => p.trim()),
          parsed.versionHint,
        )
      : (parsed.versionHint ?? '1.6');
    const lockout = this.d.throttle.locked(remoteAddress);
    if (lockout) {
      this.d.breaches.report('lockout', `address:${lockout.key}`, { cp: id, remoteAddress, until: lockout.until }, 'charger refused: address locked out after failed logins');
      return tooManyLogins(Date.parse(lockout.until) - Date.now());
    }
    const known = getChargerAuth(db, id);
    const policy = config.unknownChargerPolicy;
    const requirePassword = config.requireChargerPassword;
    // With passwords required, an unknown identity is answered exactly like a wrong password,
    // so nobody can probe which identities exist.
    if (!known && policy === 'reject' && !requirePassword) {
      log.warn({ cp: id, remoteAddress }, 'charger refused: not in registry (unknownChargerPolicy=reject)');
      return { status: 404, message: 'unknown charge point' };
    }
    const passwordHash = known?.passwordHash ?? null;
    if (passwordHash || requirePassword) {
      // An identity under attack is slowed down, never locked: its own charger gets straight in.
      const wait = this.d.throttle.slowDown(id, remoteAddress, known?.lastAddress ?? null);
      if (wait === null) {
        this.d.breaches.report('slowed-identity', id, { cp: id, remoteAddress }, 'charger refused: too many logins queued for this identity');
        return tooManyLogins(MAX_QUEUE_MS);
      }
      if (wait > 0) await sleep(wait);
      const creds = basicCredentials(req.headers.authorization);
      // An unknown identity still costs one KDF run: the answer time must not tell it apart.
      let matches = creds ? await verifyPassword(creds.password, passwordHash ?? DUMMY_HASH) : false;
      // A key we were rolling out when the answer got lost: logging in with it confirms it.
      const pending = known?.pendingPasswordHash;
      if (!matches && creds && pending && (await verifyPassword(creds.password, pending))) {
        matches = true;
        try {
          await writer.run('confirmPendingPassword', { chargePointId: id, pendingHash: pending });
          log.info({ cp: id }, 'charger logged in with its new AuthorizationKey: key confirmed');
        } catch (err) {
          // The store is down: the key stays pending (and valid), so the next login confirms it.
          log.warn({ err, cp: id }, 'charger logged in with its new AuthorizationKey; confirming it failed');
        }
      }
      const ok = matches && !!passwordHash && creds!.user === id && (known !== undefined || policy !== 'reject');
      if (!ok) {
        const { delayMs, newLockout } = this.d.throttle.failure(remoteAddress, id);
        log.warn({ cp: id, remoteAddress, hadCredentials: !!creds }, 'charger refused: wrong or missing basic auth password');
        if (newLockout) {
          log.warn({ lockout: newLockout }, 'charger logins locked out for this address');
          events.emit('security.lockout', newLockout);
        }
        await sleep(delayMs);
        return { status: 401, message: 'authentication required', headers: { 'WWW-Authenticate': 'Basic realm="OCPP", charset="UTF-8"' } };
      }
    }
    // Read again: the registry may have changed (e.g. to Rejected) while the password was checked.
    const current = known && (getChargerAuth(db, id) ?? known);
    return {
      chargePointId: id,
      remoteAddress,
      remotePort,
      autoRegister: current ? null : policy === 'pending' ? 'Pending' : 'Accepted',
      lenient: current?.lenient ?? false,
      passwordless: !passwordHash,
      version,
      ...(current && { registrationStatus: current.registrationStatus }),
    };
  }

  private admit(h: Handshake): Refusal | null {
    if (this.d.isClosing()) return { status: 503, message: 'shutting down' };
    const max = this.d.services.config.maxConnections;
    if (this.d.registry.size >= max && !this.d.registry.has(h.chargePointId)) {
      this.d.breaches.report('max-connections', '*', { remoteAddress: h.remoteAddress, maxConnections: max }, 'charger refused: maxConnections reached');
      return { status: 503, message: 'too many connections', headers: { 'Retry-After': '30' } };
    }
    return null;
  }

  private accept(req: IncomingMessage, socket: Duplex, head: Buffer, h: Handshake): void {
    if (h.version && req.headers['sec-websocket-protocol']) this.agreed.set(req, SUBPROTOCOLS[h.version]);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const version = h.version;
      if (!version) {
        this.d.services.log.warn({ cp: h.chargePointId, offered: req.headers['sec-websocket-protocol'] }, 'charger refused: none of its subprotocols is supported');
        ws.close(1002, `only ${SPOKEN} are supported`);
        return;
      }
      this.d.onAccepted({ ...h, version }, ws);
    });
  }
}
