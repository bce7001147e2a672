import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { LoginThrottle } from '../auth/login-throttle.js';
import { INBOUND_ACTIONS, OUTBOUND_ACTIONS, type OutboundAction } from './actions.js';
import { CallTimeoutError, Connection, NotConnectedError } from './connection.js';
import type { DataTransferHandler, OcppServices } from './context.js';
import { createDispatcher, type Dispatch } from './dispatcher.js';
import { FrameLog } from './frame-log.js';
import { BreachLog } from './limits.js';
import { PresenceFlusher } from './presence.js';
import { createAdapters } from './protocols.js';
import { RpcError } from './rpc.js';
import type { ActionTypes } from './schema/ocpp16.js';
import { confSchemaId, requestSchemaId } from './schema/schemas.js';
import { SecurityAlerts } from './security-alerts.js';
import { OcppStats } from './stats.js';
import { type Handshake, UpgradePipeline } from './upgrade.js';
import * as v201 from './v201/actions.js';
import type { ActionTypes as V201ActionTypes } from './v201/ocpp201.js';
import type { OcppVersion } from './versions.js';

export { maskSecrets } from './frame-log.js';

const outbound = new Set<string>(OUTBOUND_ACTIONS);
const outbound201 = new Set<string>(v201.OUTBOUND_ACTIONS);

const inbound = new Set<string>([...INBOUND_ACTIONS, ...v201.INBOUND_ACTIONS]);
/** Statistics are kept per OCPP action (of any version); whatever else a charger sends is counted together. */
const statName = (action: string): string => (inbound.has(action) ? action : '(not a CP->CS action)');

/**
 * The chargers' side of the service. Keeps the registry of live connections (with pings,
 * statistics and the resync after a store outage) and sends our calls; composes the upgrade
 * pipeline, the background flushers (presence, message log) and the security alerts.
 */
export class OcppServer {
  private readonly connections = new Map<string, Connection>();
  private readonly adapters = createAdapters();
  private readonly dispatchers: Readonly<Record<OcppVersion, Dispatch>>;
  readonly stats = new OcppStats();
  /** Failed charger logins, lockouts (visible through the API and the event stream). */
  readonly throttle: LoginThrottle;
  private readonly breaches: BreachLog;
  /** Connections replaced from another address (a possible impersonation), for /api/alerts. */
  readonly securityAlerts: SecurityAlerts;
  private readonly upgrades: UpgradePipeline;
  private readonly frameLog: FrameLog;
  private readonly presence: PresenceFlusher;
  private readonly pings: NodeJS.Timeout | undefined;
  private readonly offRecovered: () => void;
  private closing = false;

  constructor(private readonly s: OcppServices) {
    this.throttle = new LoginThrottle(s.config.authMaxFailures, s.config.authLockoutSec * 1000);
    this.breaches = new BreachLog(s.log);
    this.securityAlerts = new SecurityAlerts(s);
    this.upgrades = new UpgradePipeline({
      services: s,
      throttle: this.throttle,
      breaches: this.breaches,
      registry: this.connections,
      isClosing: () => this.closing,
      onAccepted: (h, ws) => void this.accept(h, ws),
    });
    this.frameLog = new FrameLog(s);
    this.presence = new PresenceFlusher(s, this.connections);
    // Every inbound CALL is timed and counted for /statistics.
    const timed =
      (dispatch: Dispatch): Dispatch =>
      async (conn, id, action, payload) => {
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
    const dispatcherOf = (v: OcppVersion) => timed(createDispatcher(s, this.adapters[v].validator, this.adapters[v].inbound));
    this.dispatchers = { '1.6': dispatcherOf('1.6'), '2.0.1': dispatcherOf('2.0.1') };
    if (s.config.pingIntervalSec > 0) this.pings = setInterval(() => this.pingAll(), s.config.pingIntervalSec * 1000).unref();
    // Connect/disconnect writes that failed during a store outage are repaired from the live sockets.
    this.offRecovered = s.events.on('alert', (a) => {
      if (a.kind !== 'store-recovered' || this.closing) return;
      const live = [...this.connections.values()].map((c) => ({ chargePointId: c.chargePointId, remoteAddress: c.remoteAddress, remotePort: c.remotePort }));
      const autoRegister = s.config.unknownChargerPolicy === 'pending' ? 'Pending' : 'Accepted';
      void s.writer.runLazy('resyncConnections', { live, autoRegister, at: new Date().toISOString() }).catch((err) => s.log.error({ err }, 'could not resync connection states'));
    });
  }

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

  /** HTTP upgrade of a charger socket: see UpgradePipeline. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.upgrades.handle(req, socket, head);
  }

  private async accept(h: Handshake & { version: OcppVersion }, ws: WebSocket): Promise<void> {
    const { chargePointId: id, remoteAddress, remotePort, autoRegister, version } = h;
    const conn = new Connection(
      id,
      ws,
      remoteAddress,
      remotePort,
      h.lenient,
      this.adapters[version],
      {
        onCall: (c, callId, action, payload) => this.dispatchers[c.version](c, callId, action, payload),
        onFrame: (c, dir, text) => this.frameLog.record(c.chargePointId, dir, text),
        onClose: (c, code, reason) => this.onClose(c, code, reason),
        onBreach: (c, kind, detail) => this.breaches.report(kind, c.chargePointId, { cp: c.chargePointId, remoteAddress: c.remoteAddress }, `charger limit: ${detail}`),
      },
      this.s.log,
      this.s.config,
    );
    // A charger the registry rejects may only send BootNotification, even before (or without)
    // booting on this socket: otherwise it could record transactions by skipping the boot.
    if (h.registrationStatus === 'Rejected') conn.bootState = 'Rejected';
    const previous = this.connections.get(id);
    this.connections.set(id, conn);
    if (previous) {
      this.s.log.warn({ cp: id, remoteAddress }, 'second connection for the same charger replaces the first');
      previous.close(1000, 'replaced by a newer connection');
      if (previous.remoteAddress !== remoteAddress) this.securityAlerts.connectionReplaced({ chargePointId: id, previousAddress: previous.remoteAddress, remoteAddress, passwordless: h.passwordless });
    }
    const at = new Date().toISOString();
    this.s.log.info({ cp: id, remoteAddress, remotePort, autoRegistered: !!autoRegister, ocppVersion: version }, 'charger connected');
    try {
      await this.s.writer.runLazy('connect', { chargePointId: id, autoRegister, remoteAddress, remotePort, ocppVersion: version, at });
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
    void this.s.writer.runLazy('disconnect', { chargePointId: conn.chargePointId, at }).catch((err) => this.s.log.error({ cp: conn.chargePointId, err }, 'could not record disconnection'));
    this.s.events.emit('charger.disconnected', { chargePointId: conn.chargePointId, code, reason, at });
  }

  private pingAll(): void {
    for (const conn of this.connections.values()) {
      if (!conn.checkAlive()) {
        this.s.log.warn({ cp: conn.chargePointId }, 'no pong: dropping dead connection');
        conn.ws.terminate();
      }
    }
  }

  /** The version a connected charger speaks; undefined when it is not connected. */
  versionOf(chargePointId: string): OcppVersion | undefined {
    return this.connections.get(chargePointId)?.version;
  }

  /**
   * Sends an OCPP 1.6 CS->CP call, validated against the official schema before it leaves and
   * its answer after it returns. Throws NotConnectedError, CallTimeoutError, RpcError (the
   * charger's CALLERROR) or WrongVersionError (the charger speaks another version).
   */
  async call<A extends OutboundAction>(chargePointId: string, action: A, payload: ActionTypes[A]['request'], timeoutMs?: number): Promise<ActionTypes[A]['response']> {
    if (!outbound.has(action)) throw new RpcError('NotSupported', `${action} is not a central-system command`);
    return (await this.send('1.6', chargePointId, action, payload, timeoutMs)) as ActionTypes[A]['response'];
  }

  /** The same for an OCPP 2.0.1 station (CSMS -> station messages of v201/actions.ts). */
  async callV201<A extends v201.OutboundAction>(chargePointId: string, action: A, payload: V201ActionTypes[A]['request'], timeoutMs?: number): Promise<V201ActionTypes[A]['response']> {
    if (!outbound201.has(action)) throw new RpcError('NotSupported', `${action} is not a CSMS command`);
    return (await this.send('2.0.1', chargePointId, action, payload, timeoutMs)) as V201ActionTypes[A]['response'];
  }

  private async send(version: OcppVersion, chargePointId: string, action: string, payload: unknown, timeoutMs: number | undefined): Promise<unknown> {
    const conn = this.connections.get(chargePointId);
    if (!conn) throw new NotConnectedError(`${chargePointId} is not connected`);
    if (conn.version !== version) throw new WrongVersionError(`${chargePointId} speaks OCPP ${conn.version}, not ${version}: ${action} cannot be sent`);
    const validator = this.adapters[version].validator;
    validator.check(requestSchemaId(action), payload);
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
      const { deviations, original } = validator.checkLenient(confSchemaId(action), result);
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
      validator.check(confSchemaId(action), result);
    }
    return result;
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
    clearInterval(this.pings);
    this.presence.stop();
    this.frameLog.stop();
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
    this.upgrades.close();
  }
}

/** A command of one protocol version for a charger that negotiated another. */
export class WrongVersionError extends Error {
  override name = 'WrongVersionError';
}

export { NotConnectedError };
