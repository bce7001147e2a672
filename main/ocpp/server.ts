import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { verifyPassword } from '../auth/password.js';
import { SECURITY_HEADERS } from '../security-headers.js';
import { getChargerAuth, promotePendingPassword } from '../store/queries/chargers.js';
import type { LoggedFrame } from '../store/queries/message-log.js';
import { isInboundAction, OUTBOUND_ACTIONS, type OutboundAction } from './actions.js';
import { CallTimeoutError, Connection, NotConnectedError } from './connection.js';
import { OcppStats } from './stats.js';
import { BreachLog } from './limits.js';
import { LoginThrottle } from '../auth/login-throttle.js';
import type { DataTransferHandler, OcppServices } from './context.js';
import { createDispatcher } from './dispatcher.js';
import { RpcError } from './rpc.js';
import type { ActionTypes } from './schema/ocpp16.js';
import { confSchemaId, requestSchemaId } from './schema/schemas.js';
import { parseChargerUrl } from './url.js';
import { OcppValidator } from './validator.js';

const SUBPROTOCOL = 'ocpp1.6';
const PRESENCE_RESOLUTION_MS = 60_000;
const PRESENCE_SLICE = 250;
/** A real scrypt hash of a random secret: unknown identities are verified against it. */
const DUMMY_HASH = 'scrypt$16384$8$1$7l7JkpYzJ2bQv5e7bqgq3w==$0e3bq8xTg4wPZxKQ0qgW9Y2mQy3Xv3n8aJ8m3cXc0Ys=';
const outbound = new Set<string>(OUTBOUND_ACTIONS);

/** Statistics are kept per OCPP action; whatever else a charger sends is counted together. */
const statName = (action: string): string => (isInboundAction(action) ? action : '(not a CP->CS action)');

function refuse(socket: Duplex, status: number, message: string, headers: Record<string, string> = {}): void {
  const text = http1Reason(status);
  const extra = Object.entries({ ...SECURITY_HEADERS, ...headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n${extra}\r\n${message}`);
}

function http1Reason(status: number): string {
  return { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' }[status] ?? 'Error';
}

/** Replaces the value of an AuthorizationKey configuration entry in a frame's text. */
export function maskSecrets(frame: string): string {
  return frame.replace(/("key"\s*:\s*"AuthorizationKey"[^{}]*?"value"\s*:\s*)"(?:[^"\\]|\\.)*"/g, '$1"********"').replace(
    /("value"\s*:\s*)"(?:[^"\\]|\\.)*"([^{}]*?"key"\s*:\s*"AuthorizationKey")/g,
    '$1"********"$2',
  );
}

function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  if (!header?.startsWith('Basic ')) return null;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The chargers' side of the service: accepts OCPP 1.6J sockets on the shared HTTP server,
 * keeps the registry of live connections and their state in the store, and sends our calls.
 */
export class OcppServer {
  private readonly wss: WebSocketServer;
  private readonly connections = new Map<string, Connection>();
  private readonly validator = new OcppValidator();
  private readonly dispatch: ReturnType<typeof createDispatcher>;
  readonly stats = new OcppStats();
  /** Failed charger logins, lockouts (visible through the API and the event stream). */
  readonly throttle: LoginThrottle;
  private readonly breaches: BreachLog;
  private frames: LoggedFrame[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private closing = false;

  constructor(private readonly s: OcppServices) {
    this.throttle = new LoginThrottle(s.config.authMaxFailures, s.config.authLockoutSec * 1000);
    this.breaches = new BreachLog(s.log);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: s.config.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      // Only ever agree to ocpp1.6; with nothing agreed the handshake carries no protocol.
      handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    const dispatch = createDispatcher(s, this.validator);
    // Every inbound CALL is timed and counted for /statistics.
    this.dispatch = async (conn, id, action, payload) => {
      const t0 = performance.now();
      try {
        const result = await dispatch(conn, id, action, payload);
        this.stats.inboundHandled(statName(action), performance.now() - t0, true);
        return result;
      } catch (err) {
        this.stats.inboundHandled(statName(action), performance.now() - t0, false);
        throw err;
      }
    };
    this.timers.push(setInterval(() => this.flushPresence(), 5000));
    if (s.config.messageLogMaxRows > 0) this.timers.push(setInterval(() => this.flushFrames(), 250));
    if (s.config.pingIntervalSec > 0) this.timers.push(setInterval(() => this.pingAll(), s.config.pingIntervalSec * 1000));
    for (const t of this.timers) t.unref();
    // Connect/disconnect writes that failed during a store outage are repaired from the live sockets.
    this.offRecovered = s.events.on('alert', (a) => {
      if (a.kind !== 'store-recovered' || this.closing) return;
      const live = [...this.connections.values()].map((c) => ({ chargePointId: c.chargePointId, remoteAddress: c.remoteAddress, remotePort: c.remotePort }));
      const autoRegister = s.config.unknownChargerPolicy === 'pending' ? 'Pending' : 'Accepted';
      void s.writer.runLazy('resyncConnections', { live, autoRegister, at: new Date().toISOString() }).catch((err) => s.log.error({ err }, 'could not resync connection states'));
    });
  }

  private readonly offRecovered: () => void;

  get connectedIds(): string[] {
    return [...this.connections.keys()];
  }

  connection(chargePointId: string): Connection | undefined {
    return this.connections.get(chargePointId);
  }

  /**
   * Registers the DataTransfer handler for a vendorId (the same map the app composed the
   * server with, so callers need not keep a reference to it). Returns an unregister function.
   * A vendorId with no handler is answered UnknownVendorId.
   */
  registerDataTransferHandler(vendorId: string, handler: DataTransferHandler): () => void {
    this.s.dataTransferHandlers.set(vendorId, handler);
    return () => {
      if (this.s.dataTransferHandlers.get(vendorId) === handler) this.s.dataTransferHandlers.delete(vendorId);
    };
  }

  /** HTTP upgrade: identity from the URL, subprotocol, registry policy, basic auth, then the socket. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    void this.upgrade(req, socket, head).catch((err) => {
      this.s.log.error({ err }, 'upgrade failed');
      refuse(socket, 503, 'service error');
    });
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const log = this.s.log;
    const remoteAddress = req.socket.remoteAddress ?? '';
    const remotePort = req.socket.remotePort ?? 0;
    if (this.closing) return refuse(socket, 503, 'shutting down');
    const parsed = parseChargerUrl(req.url ?? '/');
    if (!parsed.ok) {
      log.warn({ url: req.url?.slice(0, 200), remoteAddress, status: parsed.status }, `charger refused: ${parsed.message}`);
      return refuse(socket, parsed.status, parsed.message);
    }
    const id = parsed.chargePointId;
    const offered = req.headers['sec-websocket-protocol'];
    if (!offered && !this.s.config.allowMissingSubprotocol) {
      log.warn({ cp: id, remoteAddress }, 'charger refused: no WebSocket subprotocol offered');
      return refuse(socket, 400, `offer the ${SUBPROTOCOL} subprotocol`);
    }
    if (this.connections.size >= this.s.config.maxConnections && !this.connections.has(id)) {
      this.breaches.report('max-connections', '*', { remoteAddress, maxConnections: this.s.config.maxConnections }, 'charger refused: maxConnections reached');
      return refuse(socket, 503, 'too many connections', { 'Retry-After': '30' });
    }
    const lockout = this.throttle.locked(remoteAddress, id);
    if (lockout) {
      this.breaches.report('lockout', `${lockout.kind}:${lockout.key}`, { cp: id, remoteAddress, until: lockout.until }, 'charger refused: locked out after failed logins');
      return refuse(socket, 429, 'too many failed logins', { 'Retry-After': String(Math.max(1, Math.ceil((Date.parse(lockout.until) - Date.now()) / 1000))) });
    }
    const known = getChargerAuth(this.s.db, id);
    const policy = this.s.config.unknownChargerPolicy;
    const requirePassword = this.s.config.requireChargerPassword;
    // With passwords required, an unknown identity is answered exactly like a wrong password,
    // so nobody can probe which identities exist.
    if (!known && policy === 'reject' && !requirePassword) {
      log.warn({ cp: id, remoteAddress }, 'charger refused: not in registry (unknownChargerPolicy=reject)');
      return refuse(socket, 404, 'unknown charge point');
    }
    const passwordHash = known?.passwordHash ?? null;
    if (passwordHash || requirePassword) {
      const creds = basicCredentials(req.headers.authorization);
      // An unknown identity still costs one KDF run: the answer time must not tell it apart.
      let matches = creds ? await verifyPassword(creds.password, passwordHash ?? DUMMY_HASH) : false;
      // A key we were rolling out when the answer got lost: logging in with it confirms it.
      const pending = known?.pendingPasswordHash;
      if (!matches && creds && pending && (await verifyPassword(creds.password, pending))) {
        matches = true;
        promotePendingPassword(this.s.db, id, pending);
        log.info({ cp: id }, 'charger logged in with its new AuthorizationKey: key confirmed');
      }
      const ok = matches && !!passwordHash && creds!.user === id && (known !== undefined || policy !== 'reject');
      if (!ok) {
        const { delayMs, newLockouts } = this.throttle.failure(remoteAddress, id);
        log.warn({ cp: id, remoteAddress, hadCredentials: !!creds }, 'charger refused: wrong or missing basic auth password');
        for (const l of newLockouts) {
          log.warn({ lockout: l }, `charger logins locked out for this ${l.kind}`);
          this.s.events.emit('security.lockout', l);
        }
        await new Promise((r) => setTimeout(r, delayMs));
        return refuse(socket, 401, 'authentication required', { 'WWW-Authenticate': 'Basic realm="OCPP", charset="UTF-8"' });
      }
      this.throttle.success(id);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (offered && ws.protocol !== SUBPROTOCOL) {
        log.warn({ cp: id, offered }, 'charger refused: none of its subprotocols is supported');
        ws.close(1002, `only ${SUBPROTOCOL} is supported`);
        return;
      }
      // Read again: the registry may have changed (e.g. Rejected) while the password was checked.
      const current = known && (getChargerAuth(this.s.db, id) ?? known);
      void this.accept(id, ws, remoteAddress, remotePort, current ? null : policy === 'pending' ? 'Pending' : 'Accepted', current?.lenient ?? false, current?.registrationStatus);
    });
  }

  private async accept(
    id: string,
    ws: WebSocket,
    remoteAddress: string,
    remotePort: number,
    autoRegister: 'Accepted' | 'Pending' | null,
    lenient: boolean,
    registrationStatus?: 'Accepted' | 'Pending' | 'Rejected',
  ): Promise<void> {
    const conn = new Connection(
      id,
      ws,
      remoteAddress,
      remotePort,
      lenient,
      {
        onCall: this.dispatch,
        onFrame: (c, dir, text) => this.onFrame(c, dir, text),
        onClose: (c, code, reason) => this.onClose(c, code, reason),
        onBreach: (c, kind, detail) => this.breaches.report(kind, c.chargePointId, { cp: c.chargePointId, remoteAddress: c.remoteAddress }, `charger limit: ${detail}`),
      },
      this.s.log,
      this.s.config,
    );
    // A charger the registry rejects may only send BootNotification, even before (or without)
    // booting on this socket: otherwise it could record transactions by skipping the boot.
    if (registrationStatus === 'Rejected') conn.bootState = 'Rejected';
    const previous = this.connections.get(id);
    this.connections.set(id, conn);
    if (previous) {
      this.s.log.warn({ cp: id, remoteAddress }, 'second connection for the same charger replaces the first');
      previous.close(1000, 'replaced by a newer connection');
    }
    const at = new Date().toISOString();
    this.s.log.info({ cp: id, remoteAddress, remotePort, autoRegistered: !!autoRegister }, 'charger connected');
    try {
      await this.s.writer.runLazy('connect', { chargePointId: id, autoRegister, remoteAddress, remotePort, at });
    } catch (err) {
      this.s.log.error({ cp: id, err }, 'could not record connection');
    }
    this.s.events.emit('charger.connected', { chargePointId: id, remoteAddress, remotePort, at });
  }

  private onClose(conn: Connection, code: number, reason: string): void {
    const at = new Date().toISOString();
    this.s.log.info({ cp: conn.chargePointId, code, reason }, 'charger disconnected');
    // A replaced connection closing must not mark its successor offline.
    if (this.connections.get(conn.chargePointId) !== conn) return;
    this.connections.delete(conn.chargePointId);
    if (this.closing) return;
    void this.s.writer
      .runLazy('disconnect', { chargePointId: conn.chargePointId, at })
      .catch((err) => this.s.log.error({ cp: conn.chargePointId, err }, 'could not record disconnection'));
    this.s.events.emit('charger.disconnected', { chargePointId: conn.chargePointId, code, reason, at });
  }

  private onFrame(conn: Connection, direction: 'in' | 'out', raw: string): void {
    // The AuthorizationKey is the charger's password: never in logs or the message log.
    const text = raw.includes('AuthorizationKey') ? maskSecrets(raw) : raw;
    if (this.s.log.isLevelEnabled('debug')) this.s.log.debug({ cp: conn.chargePointId, dir: direction, frame: text }, 'ocpp frame');
    if (this.s.config.messageLogMaxRows > 0 && this.frames.length < 50000) {
      this.frames.push({ chargePointId: conn.chargePointId, direction, frame: text.length > 8192 ? text.slice(0, 8192) : text, at: new Date().toISOString() });
    }
  }

  private flushFrames(): void {
    if (!this.frames.length) return;
    const frames = this.frames;
    this.frames = [];
    void this.s.writer.runLazy('logFrames', { frames, keep: this.s.config.messageLogMaxRows }).catch((err) => this.s.log.error({ err }, 'message log write failed'));
  }

  private lastFlushed = new Map<string, number>();

  /** last_seen goes to disk every few seconds in one batch, not once per heartbeat. */
  private flushPresence(): void {
    const now = Date.now();
    const batch: Array<{ chargePointId: string; at: string; heartbeat: boolean }> = [];
    for (const [id, conn] of this.connections) {
      // While connected the live value is authoritative; the stored one only needs to be
      // close (it is exact at disconnect), so each charger is written at most once a minute.
      const stored = this.lastFlushed.get(id) ?? 0;
      if (conn.lastSeenMs === stored || (stored && conn.lastSeenMs - stored < PRESENCE_RESOLUTION_MS && now - stored < PRESENCE_RESOLUTION_MS)) continue;
      this.lastFlushed.set(id, conn.lastSeenMs);
      batch.push({ chargePointId: id, at: new Date(conn.lastSeenMs).toISOString(), heartbeat: true });
    }
    for (const id of this.lastFlushed.keys()) if (!this.connections.has(id)) this.lastFlushed.delete(id);
    // Small slices spread over time: one big UPDATE batch would stall every charger's answer.
    for (let i = 0; i < batch.length; i += PRESENCE_SLICE) {
      const slice = batch.slice(i, i + PRESENCE_SLICE);
      const write = () => void this.s.writer.runLazy('presence', slice).catch((err) => this.s.log.error({ err }, 'presence write failed'));
      if (i === 0) write();
      else setTimeout(write, (i / PRESENCE_SLICE) * 20).unref();
    }
  }

  private pingAll(): void {
    for (const conn of this.connections.values()) {
      if (!conn.checkAlive()) {
        this.s.log.warn({ cp: conn.chargePointId }, 'no pong: dropping dead connection');
        conn.ws.terminate();
      }
    }
  }

  /**
   * Sends a CS->CP call, validated against the official schema before it leaves and its answer
   * after it returns. Throws NotConnectedError, CallTimeoutError or RpcError (the charger's CALLERROR).
   */
  async call<A extends OutboundAction>(chargePointId: string, action: A, payload: ActionTypes[A]['request'], timeoutMs?: number): Promise<ActionTypes[A]['response']> {
    if (!outbound.has(action)) throw new RpcError('NotSupported', `${action} is not a central-system command`);
    const conn = this.connections.get(chargePointId);
    if (!conn) throw new NotConnectedError(`${chargePointId} is not connected`);
    this.validator.check(requestSchemaId(action), payload);
    const t0 = performance.now();
    let result: unknown;
    try {
      result = await conn.call(action, payload, timeoutMs ?? this.s.config.callTimeoutMs);
      this.stats.outboundDone(action, performance.now() - t0, 'ok');
    } catch (err) {
      this.stats.outboundDone(action, performance.now() - t0, err instanceof CallTimeoutError ? 'timeout' : 'error');
      throw err;
    }
    if (conn.lenient) {
      // A lenient charger's answers are repaired like its calls, and each deviation recorded
      // too (direction 'answer': the CALLRESULT to our call), not only logged.
      const { deviations, original } = this.validator.checkLenient(confSchemaId(action), result);
      const at = new Date().toISOString();
      for (const deviation of deviations) {
        const error = `${deviation.code}: ${deviation.message}`;
        this.s.log.info({ cp: chargePointId, action, deviation: deviation.message }, 'lenient: answer deviation accepted');
        this.s.events.emit('charger.deviation', { chargePointId, action, error });
        void this.s.writer
          .runLazy('deviation', { chargePointId, action, direction: 'answer', error, payload: JSON.stringify(original), at })
          .catch((err) => this.s.log.error({ err }, 'could not record deviation'));
      }
    } else {
      this.validator.check(confSchemaId(action), result);
    }
    return result as ActionTypes[A]['response'];
  }

  /** Closes one charger's socket (it reconnects by itself); false when it was not connected. */
  disconnect(chargePointId: string): boolean {
    const conn = this.connections.get(chargePointId);
    if (!conn) return false;
    conn.close(1000, 'disconnected by operator');
    return true;
  }

  /** Closes every charger socket (1001 going away) and writes what is buffered. */
  async close(): Promise<void> {
    this.closing = true;
    this.offRecovered();
    for (const t of this.timers) clearInterval(t);
    this.flushPresence();
    this.flushFrames();
    const closed = [...this.connections.values()].map(
      (c) =>
        new Promise<void>((resolve) => {
          c.ws.once('close', () => resolve());
          c.close(1001, 'central system shutting down');
        }),
    );
    // The 3 s cap must not outlive the race: left pending it kept the process alive for 3 s
    // after every shutdown (each `serve` stop, each test file), even when all closed at once.
    let cap: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closed), new Promise((r) => (cap = setTimeout(r, 3000)))]);
    clearTimeout(cap);
    this.connections.clear();
    this.wss.close();
  }
}

export { NotConnectedError };
