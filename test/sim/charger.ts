/**
 * SimCharger: a realistic OCPP 1.6J charge point over a real WebSocket.
 *
 * - Boots (retrying after `interval` when Pending/Rejected), reports the status of connector
 *   0 and every connector, heartbeats at the interval it was given.
 * - Runs sessions: Authorize, StartTransaction, periodic MeterValues (energy register, power,
 *   current L1, voltage), StopTransaction with reason and transactionData, with the status
 *   transitions Preparing / Charging / Finishing / Available.
 * - Transaction messages (StartTransaction, StopTransaction, MeterValues of a transaction) go
 *   into a FIFO queue that survives disconnects and reboots, and are resent in order until a
 *   CALLRESULT arrives. A message of a transaction whose StartTransaction is not acknowledged
 *   yet waits behind it and gets the transactionId when it is sent.
 * - At most one CALL of its own is outstanding; CS->CP calls are answered meanwhile.
 * - Reconnects with capped exponential backoff and jitter when the socket drops.
 * - Answers every CS->CP command of OCPP 1.6 with stateful behaviour (see `handlers`).
 * - Keeps a ledger of what the central system acknowledged, for durability tests.
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { INBOUND_ACTIONS, type InboundAction, OUTBOUND_ACTIONS, type OutboundAction } from '../../main/ocpp/actions.js';
import type { ActionTypes, MeterValuesRequest, StatusNotificationRequest, StopTransactionRequest } from '../../main/ocpp/schema/ocpp16.js';
import { OcppValidator } from '../../main/ocpp/validator.js';
import { acceptsValue, type ConfigEntry, defaultConfiguration, SUPPORTED_MEASURANDS } from './config.js';
import { type ChargingProfile, compositeLimitAt, compositeSchedule, type InstalledProfile } from './smart-charging.js';
import type { Vehicle } from './vehicle.js';

type Req<A extends keyof ActionTypes> = ActionTypes[A]['request'];
type Res<A extends keyof ActionTypes> = ActionTypes[A]['response'];
/** What the charger sends (CP->CS) and what it answers (CS->CP). */
export type CpAction = InboundAction;
export type CsAction = OutboundAction;

export type ConnectorStatus = StatusNotificationRequest['status'];
export type ErrorCode = StatusNotificationRequest['errorCode'];
export type StopReason = NonNullable<StopTransactionRequest['reason']>;
export type IdTagInfo = Res<'Authorize'>['idTagInfo'];
export type AuthStatus = IdTagInfo['status'];
type SampledValue = MeterValuesRequest['meterValue'][number]['sampledValue'][number];
type FirmwareStatus = Req<'FirmwareStatusNotification'>['status'];
type DiagnosticsStatus = Req<'DiagnosticsStatusNotification'>['status'];

export interface SimChargerOptions {
  /** Charge point identity (last URL path segment, basic auth user). */
  id: string;
  /**
   * Central system URL. `{id}` is replaced by the identity; otherwise `/<id>` is appended:
   * `ws://127.0.0.1:3001/ocpp` -> `ws://127.0.0.1:3001/ocpp/<id>`.
   */
  url: string;
  /** Security profile 1: HTTP basic auth password (AuthorizationKey). */
  password?: string;
  /**
   * GetConfiguration shows the AuthorizationKey's value (some firmware does, against the
   * security whitepaper's write-only rule); default false: write-only, no value.
   */
  revealAuthorizationKey?: boolean;
  connectors?: number;
  vendor?: string;
  model?: string;
  serialNumber?: string;
  firmwareVersion?: string;
  /** Sample interval of MeterValues during a session; default MeterValueSampleInterval seconds. */
  meterIntervalMs?: number;
  /** Simulated seconds per real second for the energy register (fast tests, realistic kWh). */
  timeScale?: number;
  /** Nominal charging power in W (single phase, 230 V): default 7360 (32 A). */
  powerW?: number;
  /** How long one of its own CALLs waits for the answer. */
  callTimeoutMs?: number;
  /** Wait before resending a transaction message that failed (default TransactionMessageRetryInterval). */
  txRetryIntervalMs?: number;
  /** Reconnect backoff: first wait and cap, in ms; each wait is jittered to 50-100 %. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Overrides the boot's heartbeat interval (ms). */
  heartbeatIntervalMs?: number;
  /** Scales the Pending/Rejected boot retry `interval` (seconds -> ms factor, default 1000). */
  bootRetryMsPerSec?: number;
  /** Initial configuration values (keys of the standard set). */
  config?: Record<string, string>;
  /**
   * 'strict': a session whose Authorize is not Accepted does not start (what a real charger does).
   * 'advisory': it starts anyway; the central system still records it (load tests with unknown
   * tags). Either way a StartTransaction answered other than Accepted stops the session with
   * reason DeAuthorized while StopTransactionOnInvalidId is true (the default, as on real
   * chargers): load tests that must keep charging set it to 'false'.
   */
  authorizeMode?: 'strict' | 'advisory';
  /** Delay between firmware / diagnostics progress notifications. */
  progressStepMs?: number;
  /** Time a reboot (Reset, firmware) keeps the charger offline. */
  rebootDelayMs?: number;
  /** Upper bound of any session's length (EV full / unplugged), default 10 minutes. */
  maxSessionMs?: number;
  /**
   * Validate every payload it sends and every answer it gets against the official schemas
   * (default true). CS->CP calls are always validated: an invalid one gets the matching CALLERROR.
   */
  validate?: boolean;
  /** Reconnect when the socket drops (default true). */
  autoReconnect?: boolean;
  /** Log lines (default: none). */
  log?: (line: string) => void;
  /** Entries kept in the `received` / `sent` logs (default 5000 each). */
  logLimit?: number;
}

export interface ReceivedCall {
  action: string;
  payload: unknown;
  at: string;
  /** Our CALLRESULT payload, or the CALLERROR code we answered with. */
  response?: unknown;
  error?: string;
}

export interface SentCall {
  action: CpAction;
  payload: unknown;
  at: string;
  result?: unknown;
  error?: string;
}

export interface LedgerStart {
  transactionId: number;
  chargePointId: string;
  connectorId: number;
  idTag: string;
  timestamp: string;
  meterStart: number;
  reservationId?: number;
  idTagStatus: AuthStatus;
}

export interface LedgerMeterValues {
  transactionId: number | null;
  connectorId: number;
  timestamp: string;
  samples: number;
}

export interface LedgerStop {
  transactionId: number;
  meterStop: number;
  timestamp: string;
  reason: StopReason;
  transactionDataSamples: number;
}

/** What the central system acknowledged with a CALLRESULT, in order. */
export interface Ledger {
  starts: LedgerStart[];
  meterValues: LedgerMeterValues[];
  stops: LedgerStop[];
}

export interface SimTransaction {
  localId: number;
  connectorId: number;
  idTag: string;
  meterStart: number;
  startTime: string;
  startMs: number;
  reservationId?: number;
  remote: boolean;
  /** Set when the StartTransaction is acknowledged. */
  transactionId: number | null;
  startStatus: AuthStatus | null;
  samples: number;
  maxSamples: number;
  stopped: boolean;
  stopReason?: StopReason;
  meterStop?: number;
  stopTime?: string;
  stopAcked: boolean;
  /** Resolves when the session ended locally (its StopTransaction is queued). */
  ended: Promise<SimTransaction>;
  /** The EV plugged in; without one the session draws all the charger offers. */
  vehicle?: Vehicle;
}

export interface SessionOptions {
  idTag: string;
  /** Connector; default the first free one. */
  connectorId?: number;
  /** Meter samples before the EV stops the session (default: until stopped or maxSessionMs). */
  samples?: number;
  /** Reason used when the session ends by itself (default EVDisconnected). */
  stopReason?: StopReason;
  remote?: boolean;
  /** TxProfile that comes with a RemoteStartTransaction. */
  chargingProfile?: ChargingProfile;
  vehicle?: Vehicle;
}

export type SessionResult = { started: true; tx: SimTransaction } | { started: false; reason: string };

export interface Reservation {
  reservationId: number;
  connectorId: number;
  idTag: string;
  parentIdTag?: string;
  expiryDate: string;
}

interface Connector {
  id: number;
  status: ConnectorStatus;
  errorCode: ErrorCode;
  availability: 'Operative' | 'Inoperative';
  /** ChangeAvailability answered Scheduled: applied when the transaction ends. */
  scheduledAvailability?: 'Operative' | 'Inoperative';
  /** Claimed by a session being authorized or running. */
  busy: boolean;
  tx: SimTransaction | null;
  meterWh: number;
  lastMeterMs: number;
}

interface QueueItem {
  action: CpAction;
  /** Builds the payload when it is sent; null drops the item (its transaction never started). */
  build: () => unknown;
  /** Transaction messages: kept across disconnects and resent until acknowledged. */
  persistent: boolean;
  /** May go out before the boot is Accepted (the boot itself, triggered messages in Pending). */
  preBoot: boolean;
  attempts: number;
  onAck?: (result: any, payload: any) => void;
  onFail?: (err: Error) => void;
}

class DisconnectedError extends Error {
  override name = 'DisconnectedError';
}
class CallTimeoutError extends Error {
  override name = 'CallTimeoutError';
}
/** The central system answered a CALL with a CALLERROR. */
export class CallError extends Error {
  override name = 'CallError';
  constructor(
    readonly code: string,
    description: string,
  ) {
    super(`${code}: ${description}`);
  }
}
/** A CS->CP call the charger refuses with a CALLERROR. */
class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const CS_ACTIONS = new Set<string>(OUTBOUND_ACTIONS);
const CP_ACTIONS = new Set<string>(INBOUND_ACTIONS);
const VOLTAGE = 230;
const MAX_TIMER_MS = 2 ** 31 - 1;

let sharedValidator: OcppValidator | null = null;
/** One validator for every simulated charger in the process: compiling the schemas is slow. */
function validator(): OcppValidator {
  sharedValidator ??= new OcppValidator();
  return sharedValidator;
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const isTrue = (v: string | undefined) => v === 'true';

export class SimCharger extends EventEmitter {
  readonly id: string;
  readonly url: string;
  readonly connectorCount: number;
  /** CS->CP calls received, with our answers. */
  readonly received: ReceivedCall[] = [];
  /** Our own calls and their outcome. */
  readonly sent: SentCall[] = [];
  readonly ledger: Ledger = { starts: [], meterValues: [], stops: [] };
  /** Protocol problems: CALLERRORs we got, invalid payloads, transaction messages given up. */
  readonly errors: string[] = [];
  /** CALLRESULTs received, by action. */
  readonly acks: Partial<Record<CpAction, number>> = {};
  /** Every session this charger ran, in order. */
  readonly transactions: SimTransaction[] = [];

  bootState: 'Unknown' | 'Accepted' | 'Pending' | 'Rejected' = 'Unknown';
  /** Sockets opened / boots Accepted / transaction messages resent after a failure. */
  connects = 0;
  boots = 0;
  resends = 0;
  lastConnectError: string | null = null;
  firmwareVersion: string;
  firmwareStatus: FirmwareStatus = 'Idle';
  diagnosticsStatus: DiagnosticsStatus = 'Idle';

  private readonly opts: SimChargerOptions;
  private readonly config: Map<string, ConfigEntry>;
  private readonly connectors: Connector[];
  private readonly localListMap = new Map<string, IdTagInfo>();
  private localListVer = 0;
  private readonly cache = new Map<string, IdTagInfo>();
  private readonly reservationMap = new Map<number, Reservation & { timer: NodeJS.Timeout }>();
  private readonly profiles: InstalledProfile[] = [];
  private readonly endResolvers = new Map<SimTransaction, (tx: SimTransaction) => void>();
  private ws: WebSocket | null = null;
  private password: string | undefined;
  private queue: QueueItem[] = [];
  private inflight: { id: string; action: CpAction; resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  private pumping = false;
  private retryAt = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private reconnectAttempt = 0;
  private running = false;
  private rebooting = false;
  private msgSeq = 0;
  private txSeq = 0;
  private lastTsMs = 0;
  private readonly validate: boolean;
  private readonly logLimit: number;

  constructor(opts: SimChargerOptions) {
    super();
    this.opts = opts;
    this.id = opts.id;
    this.url = opts.url.includes('{id}') ? opts.url.replaceAll('{id}', encodeURIComponent(opts.id)) : `${opts.url.replace(/\/+$/, '')}/${encodeURIComponent(opts.id)}`;
    this.connectorCount = opts.connectors ?? 1;
    this.password = opts.password;
    this.firmwareVersion = opts.firmwareVersion ?? '1.0.0';
    this.validate = opts.validate ?? true;
    this.logLimit = opts.logLimit ?? 5000;
    this.config = defaultConfiguration(this.connectorCount);
    if (opts.password) this.config.get('AuthorizationKey')!.value = opts.password;
    for (const [k, v] of Object.entries(opts.config ?? {})) {
      const entry = this.config.get(k);
      if (!entry) throw new Error(`SimCharger ${opts.id}: unknown configuration key ${k}`);
      entry.value = v;
    }
    const now = Date.now();
    this.connectors = Array.from({ length: this.connectorCount + 1 }, (_, id) => ({
      id,
      status: 'Available' as ConnectorStatus,
      errorCode: 'NoError' as ErrorCode,
      availability: 'Operative' as const,
      busy: false,
      tx: null,
      // A meter that has seen some use: sessions don't start at 0 Wh.
      meterWh: 1_000_000 + id * 10_000 + Math.floor(Math.random() * 1000),
      lastMeterMs: now,
    }));
  }

  // ---------------------------------------------------------------------------------------
  // Lifecycle

  /** Connects (and keeps reconnecting) until close(). */
  start(): this {
    if (this.running) return this;
    this.running = true;
    this.connect();
    return this;
  }

  /** Stops everything: timers, socket, sessions (not stopped via OCPP: the power goes off). */
  async close(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.stopHeartbeat();
    for (const r of this.reservationMap.values()) clearTimeout(r.timer);
    const ws = this.ws;
    this.ws = null;
    this.failInflight(new DisconnectedError('charger closed'));
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => (ws.terminate(), resolve()), 2000);
        ws.once('close', () => (clearTimeout(t), resolve()));
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close(1000, 'charger shutting down');
      });
    }
  }

  /** Simulates a network drop: the socket dies without a close handshake; the charger reconnects. */
  dropConnection(): void {
    this.ws?.terminate();
  }

  get isOnline(): boolean {
    return this.ws?.readyState === WebSocket.OPEN && this.bootState === 'Accepted';
  }

  /** Our CALL waiting for its answer, if any (`transactional`: a queued transaction message). */
  get inFlight(): { action: CpAction; transactional: boolean } | null {
    return this.inflight ? { action: this.inflight.action, transactional: this.inflightPersistent } : null;
  }

  /** Transaction messages not yet acknowledged (queued or in flight). */
  get pendingTransactionMessages(): number {
    return this.queue.filter((i) => i.persistent).length + (this.inflight && this.inflightPersistent ? 1 : 0);
  }
  private inflightPersistent = false;

  // ---------------------------------------------------------------------------------------
  // State for tests

  get localList(): Record<string, IdTagInfo> {
    return Object.fromEntries(this.localListMap);
  }
  get localListVersion(): number {
    return isTrue(this.config.get('LocalAuthListEnabled')?.value) ? this.localListVer : -1;
  }
  /** The configuration as GetConfiguration would show it (AuthorizationKey hidden). */
  get configuration(): Record<string, { value?: string; readonly: boolean }> {
    return Object.fromEntries([...this.config].map(([k, e]) => [k, { readonly: e.readonly, ...(e.kind !== 'secret' && { value: e.value }) }]));
  }
  configValue(key: string): string | undefined {
    return this.config.get(key)?.value;
  }
  get reservations(): Reservation[] {
    return [...this.reservationMap.values()].map(({ timer: _t, ...r }) => r);
  }
  get chargingProfiles(): InstalledProfile[] {
    return this.profiles.map((p) => ({ ...p }));
  }
  get authCache(): Record<string, IdTagInfo> {
    return Object.fromEntries(this.cache);
  }
  connectorStatus(connectorId: number): { status: ConnectorStatus; availability: 'Operative' | 'Inoperative'; meterWh: number } | undefined {
    const c = this.connectors[connectorId];
    return c && { status: c.status, availability: c.availability, meterWh: Math.round(c.meterWh) };
  }
  /** Sessions currently running, with their acknowledged transactionId (null until then). */
  get activeTransactions(): SimTransaction[] {
    return this.connectors.flatMap((c) => (c.tx && !c.tx.stopped ? [c.tx] : []));
  }

  /** Resolves once `pred` holds (checked on every state change and every 20 ms); rejects after `timeoutMs`. */
  waitFor(pred: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pred()) return;
        cleanup();
        resolve();
      };
      const poll = setInterval(check, 20);
      const timeout = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.id}: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearInterval(poll);
        clearTimeout(timeout);
        this.off('change', check);
      };
      this.on('change', check);
    });
  }

  /** Resolves when every transaction message has been acknowledged. */
  drain(timeoutMs: number): Promise<void> {
    return this.waitFor(() => this.pendingTransactionMessages === 0, timeoutMs, 'transaction queue to drain');
  }

  private changed(): void {
    this.emit('change');
  }

  private log(line: string): void {
    this.opts.log?.(`${this.id}: ${line}`);
  }

  private error(message: string): void {
    this.errors.push(message);
    this.log(`error: ${message}`);
    this.emit('sim-error', message);
  }

  private later(fn: () => void, ms: number): NodeJS.Timeout {
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        if (this.running) fn();
      },
      Math.max(0, Math.min(ms, MAX_TIMER_MS)),
    );
    this.timers.add(t);
    return t;
  }

  private cancel(t: NodeJS.Timeout | null | undefined): void {
    if (!t) return;
    clearTimeout(t);
    this.timers.delete(t);
  }

  /** ISO timestamps strictly increasing per charger, so no two readings share one. */
  private timestamp(): string {
    this.lastTsMs = Math.max(Date.now(), this.lastTsMs + 1);
    return new Date(this.lastTsMs).toISOString();
  }

  private intConfig(key: string, fallback: number): number {
    const n = Number(this.config.get(key)?.value);
    return Number.isFinite(n) ? n : fallback;
  }

  // ---------------------------------------------------------------------------------------
  // Connection

  private connect(): void {
    if (!this.running) return;
    const headers: Record<string, string> = {};
    if (this.password) headers.authorization = `Basic ${Buffer.from(`${this.id}:${this.password}`).toString('base64')}`;
    const ws = new WebSocket(this.url, ['ocpp1.6'], { headers, handshakeTimeout: 10_000, perMessageDeflate: false });
    this.ws = ws;
    ws.on('open', () => {
      if (this.ws !== ws) return;
      this.connects++;
      this.lastConnectError = null;
      if (ws.protocol !== 'ocpp1.6') this.error(`central system agreed subprotocol "${ws.protocol}" instead of ocpp1.6`);
      this.log('connected');
      this.emit('connected');
      this.enqueueBoot(false);
      this.changed();
    });
    ws.on('message', (data, isBinary) => {
      if (this.ws === ws && !isBinary) this.onMessage(data.toString());
    });
    ws.on('error', (err) => {
      this.lastConnectError = err.message;
    });
    ws.on('close', (code, reason) => {
      if (this.ws !== ws && this.ws !== null) return;
      this.onClose(code, reason.toString());
    });
  }

  private onClose(code: number, reason: string): void {
    this.ws = null;
    this.bootState = 'Unknown';
    this.stopHeartbeat();
    this.failInflight(new DisconnectedError('socket closed'));
    // Only transaction messages survive; the rest is re-sent fresh after the next boot.
    const dropped = this.queue.filter((i) => !i.persistent);
    this.queue = this.queue.filter((i) => i.persistent);
    for (const i of dropped) i.onFail?.(new DisconnectedError('socket closed'));
    this.log(`disconnected (${code}${reason ? ` ${reason}` : ''}${this.lastConnectError ? `; ${this.lastConnectError}` : ''})`);
    this.emit('disconnected', { code, reason });
    this.changed();
    if (!this.running) return;
    if (this.rebooting) {
      this.rebooting = false;
      this.later(() => this.connect(), this.opts.rebootDelayMs ?? 200);
      return;
    }
    if (this.opts.autoReconnect === false) return;
    const initial = this.opts.backoffInitialMs ?? 500;
    const cap = this.opts.backoffMaxMs ?? 30_000;
    const base = Math.min(cap, initial * 2 ** Math.min(this.reconnectAttempt, 30));
    this.reconnectAttempt++;
    this.later(() => this.connect(), base / 2 + (Math.random() * base) / 2);
  }

  private failInflight(err: Error): void {
    const f = this.inflight;
    if (!f) return;
    this.inflight = null;
    clearTimeout(f.timer);
    f.reject(err);
  }

  private send(frame: unknown[]): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private onMessage(text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      this.error(`central system sent a frame that is not JSON: ${text.slice(0, 100)}`);
      return;
    }
    if (!Array.isArray(frame) || typeof frame[1] !== 'string') {
      this.error(`central system sent a malformed frame: ${text.slice(0, 100)}`);
      return;
    }
    const [type, id] = frame as [number, string];
    // A CALL right behind the answer to our own call (one TCP read) waits a turn: the answer's
    // effect (e.g. a BootNotification's interval) runs in the awaiting code's microtasks first,
    // as a charger applies an answer before it reads the next message.
    if (type === 2) setImmediate(() => this.onCall(id, String(frame[2]), frame[3]));
    else if (type === 3 || type === 4) {
      const f = this.inflight;
      if (!f || f.id !== id) {
        this.log(`late or unknown answer ${id} ignored`);
        return;
      }
      this.inflight = null;
      clearTimeout(f.timer);
      if (type === 3) f.resolve(frame[2]);
      else f.reject(new CallError(String(frame[2]), String(frame[3] ?? '')));
    }
    // Other message types are ignored, per OCPP-J.
  }

  // ---------------------------------------------------------------------------------------
  // Outbound calls: one at a time, through the queue

  private enqueue(item: Omit<QueueItem, 'attempts'>, front = false): void {
    const full = { ...item, attempts: 0 };
    if (front) this.queue.unshift(full);
    else this.queue.push(full);
    this.changed();
    void this.pump();
  }

  /** A one-off call (not a transaction message); rejects when the socket drops first. */
  call<A extends CpAction>(action: A, payload: Req<A>, opts: { front?: boolean; preBoot?: boolean } = {}): Promise<Res<A>> {
    if (this.ws?.readyState !== WebSocket.OPEN) return Promise.reject(new DisconnectedError('offline'));
    return new Promise((resolve, reject) => this.enqueue({ action, build: () => payload, persistent: false, preBoot: opts.preBoot ?? false, onAck: resolve, onFail: reject }, opts.front));
  }

  /** Fire-and-forget variant of call() for notifications. */
  private notify<A extends CpAction>(action: A, payload: Req<A> | (() => Req<A>), opts: { front?: boolean; preBoot?: boolean; onAck?: (res: Res<A>, payload: Req<A>) => void } = {}): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    const build = typeof payload === 'function' ? (payload as () => Req<A>) : () => payload;
    this.enqueue({ action, build, persistent: false, preBoot: opts.preBoot ?? false, ...(opts.onAck && { onAck: opts.onAck }), onFail: () => {} }, opts.front);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      // Bounded: each turn sends one message or returns.
      for (let turn = 0; turn < 1_000_000; turn++) {
        if (this.ws?.readyState !== WebSocket.OPEN || this.inflight) return;
        const idx = this.bootState === 'Accepted' ? (this.queue.length ? 0 : -1) : this.queue.findIndex((i) => i.preBoot);
        if (idx < 0) return;
        const wait = this.retryAt - Date.now();
        if (wait > 0 && this.queue[idx]!.persistent) {
          this.later(() => void this.pump(), wait);
          return;
        }
        const [item] = this.queue.splice(idx, 1) as [QueueItem];
        const payload = item.build();
        if (payload === null) {
          this.error(`${item.action} dropped: its transaction was never acknowledged`);
          item.onFail?.(new Error('dropped'));
          this.changed();
          continue;
        }
        if (this.validate) {
          try {
            validator().check(`${item.action}.req`, payload);
          } catch (err) {
            this.error(`simulator bug: own ${item.action} fails its schema: ${(err as Error).message}`);
            item.onFail?.(err as Error);
            continue;
          }
        }
        const logEntry: SentCall = { action: item.action, payload, at: new Date().toISOString() };
        this.pushBounded(this.sent, logEntry);
        this.inflightPersistent = item.persistent;
        try {
          const result = await this.sendCall(item.action, payload);
          logEntry.result = result;
          this.acks[item.action] = (this.acks[item.action] ?? 0) + 1;
          if (this.validate) {
            try {
              validator().check(`${item.action}.conf`, result);
            } catch (err) {
              this.error(`central system answered ${item.action} with an invalid payload: ${(err as Error).message}`);
            }
          }
          item.onAck?.(result, payload);
          this.emit('ack', item.action, payload, result);
        } catch (err) {
          logEntry.error = (err as Error).message;
          if (err instanceof DisconnectedError) {
            if (item.persistent) this.queue.unshift(item), this.resends++;
            else item.onFail?.(err);
            return;
          }
          if (err instanceof CallTimeoutError) {
            this.log(`${item.action} timed out`);
            if (item.persistent) {
              this.queue.unshift(item);
              this.resends++;
              this.retryAt = Date.now() + this.retryIntervalMs();
            } else item.onFail?.(err);
            continue;
          }
          // CALLERROR
          if (item.persistent) {
            item.attempts++;
            const max = this.intConfig('TransactionMessageAttempts', 3);
            if (item.attempts >= max) {
              this.error(`${item.action} given up after ${item.attempts} CALLERRORs: ${(err as Error).message}`);
              item.onFail?.(err as Error);
            } else {
              this.log(`${item.action} refused (${(err as Error).message}); retry ${item.attempts}/${max}`);
              this.queue.unshift(item);
              this.resends++;
              this.retryAt = Date.now() + this.retryIntervalMs() * item.attempts;
            }
          } else {
            this.error(`${item.action} answered with CALLERROR ${(err as Error).message}`);
            item.onFail?.(err as Error);
          }
        } finally {
          this.inflightPersistent = false;
          this.changed();
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private retryIntervalMs(): number {
    return this.opts.txRetryIntervalMs ?? this.intConfig('TransactionMessageRetryInterval', 10) * 1000;
  }

  private sendCall(action: CpAction, payload: unknown): Promise<unknown> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new DisconnectedError('offline'));
    const id = `${(++this.msgSeq).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.inflight?.id !== id) return;
        this.inflight = null;
        reject(new CallTimeoutError(`${action} not answered within ${this.opts.callTimeoutMs ?? 30_000} ms`));
      }, this.opts.callTimeoutMs ?? 30_000);
      this.inflight = { id, action, resolve, reject, timer };
      ws.send(JSON.stringify([2, id, action, payload]));
    });
  }

  private pushBounded<T>(list: T[], entry: T): void {
    list.push(entry);
    if (list.length > this.logLimit) list.splice(0, list.length - this.logLimit);
  }

  // ---------------------------------------------------------------------------------------
  // Boot, heartbeat, status

  private bootPayload(): Req<'BootNotification'> {
    return {
      chargePointVendor: this.opts.vendor ?? 'OCPP-Edge-Sim',
      chargePointModel: this.opts.model ?? 'SimAC-22',
      chargePointSerialNumber: this.opts.serialNumber ?? `SN-${this.id}`.slice(0, 25),
      chargeBoxSerialNumber: `CB-${this.id}`.slice(0, 25),
      firmwareVersion: this.firmwareVersion,
      meterType: 'SimMeter 3000',
      meterSerialNumber: `M-${this.id}`.slice(0, 25),
    };
  }

  private enqueueBoot(triggered: boolean): void {
    this.queue = this.queue.filter((i) => i.action !== 'BootNotification');
    this.enqueue(
      {
        action: 'BootNotification',
        build: () => this.bootPayload(),
        persistent: false,
        preBoot: true,
        onAck: (res: Res<'BootNotification'>) => this.onBootResult(res, triggered),
        onFail: () => {},
      },
      !triggered,
    );
  }

  private onBootResult(res: Res<'BootNotification'>, triggered: boolean): void {
    const first = this.bootState !== 'Accepted';
    this.bootState = res.status;
    if (res.status === 'Accepted') {
      this.reconnectAttempt = 0;
      if (res.interval > 0) this.config.get('HeartbeatInterval')!.value = String(res.interval);
      this.startHeartbeat();
      if (first) {
        this.boots++;
        // The current state of the whole charger and each connector, before any backlog.
        for (const c of [...this.connectors].reverse()) this.notify('StatusNotification', this.statusPayload(c), { front: true });
        if (this.firmwareStatus === 'Installing') this.finishFirmwareInstall();
      }
      this.log(`boot Accepted (heartbeat ${res.interval}s)${triggered ? ' (triggered)' : ''}`);
      this.emit('booted');
    } else {
      const waitMs = Math.max(1, res.interval) * (this.opts.bootRetryMsPerSec ?? 1000);
      this.log(`boot ${res.status}; retrying in ${waitMs} ms`);
      this.later(() => {
        if (this.ws?.readyState === WebSocket.OPEN && this.bootState !== 'Accepted') this.enqueueBoot(false);
      }, waitMs);
    }
    this.changed();
    void this.pump();
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const ms = this.opts.heartbeatIntervalMs ?? this.intConfig('HeartbeatInterval', 60) * 1000;
    if (ms <= 0) return;
    this.heartbeatTimer = setInterval(() => {
      if (this.isOnline && !this.queue.some((i) => i.action === 'Heartbeat')) this.notify('Heartbeat', {});
    }, ms);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private statusPayload(c: Connector): Req<'StatusNotification'> {
    return { connectorId: c.id, errorCode: c.errorCode, status: c.status, timestamp: new Date().toISOString() };
  }

  private setStatus(c: Connector, status: ConnectorStatus, errorCode: ErrorCode = 'NoError'): void {
    if (c.status === status && c.errorCode === errorCode) return;
    c.status = status;
    c.errorCode = errorCode;
    if (this.isOnline) this.notify('StatusNotification', this.statusPayload(c));
    this.emit('status', c.id, status);
    this.changed();
  }

  /** The status a connector shows when nothing runs on it. */
  private idleStatus(c: Connector): ConnectorStatus {
    if (c.availability === 'Inoperative' || (c.id > 0 && this.connectors[0]!.availability === 'Inoperative')) return 'Unavailable';
    if (c.id > 0 && this.reservationOn(c.id)) return 'Reserved';
    return 'Available';
  }

  // ---------------------------------------------------------------------------------------
  // Sessions

  private reservationOn(connectorId: number): Reservation | undefined {
    for (const r of this.reservationMap.values()) if (r.connectorId === connectorId) return r;
    return undefined;
  }

  private parentOf(idTag: string): string | undefined {
    return this.localListMap.get(idTag)?.parentIdTag ?? this.cache.get(idTag)?.parentIdTag;
  }

  private reservationFits(r: Reservation, idTag: string): boolean {
    return r.idTag === idTag || (!!r.parentIdTag && r.parentIdTag === this.parentOf(idTag));
  }

  /** Why a session for `idTag` cannot start on connector c, or null when it can. */
  private refusal(c: Connector | undefined, idTag: string): string | null {
    if (!c || c.id === 0) return 'no such connector';
    if (c.busy) return 'connector busy';
    if (c.availability === 'Inoperative' || this.connectors[0]!.availability === 'Inoperative') return 'connector inoperative';
    if (c.status === 'Faulted') return 'connector faulted';
    const r = this.reservationOn(c.id);
    if (r && !this.reservationFits(r, idTag)) return `connector reserved for ${r.idTag}`;
    return null;
  }

  private pickConnector(idTag: string, connectorId?: number): Connector | string {
    if (connectorId !== undefined) {
      const c = this.connectors[connectorId];
      return this.refusal(c, idTag) ?? c!;
    }
    const free = this.connectors.slice(1).filter((c) => this.refusal(c, idTag) === null);
    // A connector reserved for this tag first.
    return free.find((c) => this.reservationOn(c.id)) ?? free[0] ?? 'no free connector';
  }

  /**
   * Plugs in and runs a session. Resolves once the session started (StartTransaction queued)
   * or was refused; `tx.ended` resolves when it stops.
   */
  startSession(o: SessionOptions): Promise<SessionResult> {
    const picked = this.pickConnector(o.idTag, o.connectorId);
    if (typeof picked === 'string') return Promise.resolve({ started: false, reason: picked });
    // Claimed synchronously, so a second start for the same connector is refused.
    picked.busy = true;
    return this.runSession(picked, o);
  }

  private async runSession(c: Connector, o: SessionOptions): Promise<SessionResult> {
    this.setStatus(c, 'Preparing');
    let status: AuthStatus | 'OfflineRefused' | 'Error' = 'Accepted';
    if (!o.remote || isTrue(this.config.get('AuthorizeRemoteTxRequests')?.value)) status = await this.authorizeTag(o.idTag);
    const strict = (this.opts.authorizeMode ?? 'strict') === 'strict';
    if (status === 'OfflineRefused' || status === 'Error' || (strict && status !== 'Accepted') || !this.running) {
      c.busy = false;
      this.setStatus(c, this.idleStatus(c));
      return { started: false, reason: `authorization ${status}` };
    }
    // The reservation may have been cancelled or taken while authorizing.
    const reservation = this.reservationOn(c.id);
    if (reservation && !this.reservationFits(reservation, o.idTag)) {
      c.busy = false;
      this.setStatus(c, this.idleStatus(c));
      return { started: false, reason: `connector reserved for ${reservation.idTag}` };
    }
    if (reservation) this.removeReservation(reservation.reservationId, false);

    this.advanceMeter(c);
    const ended = deferred<SimTransaction>();
    const startMs = Date.now();
    const tx: SimTransaction = {
      localId: ++this.txSeq,
      connectorId: c.id,
      idTag: o.idTag,
      meterStart: Math.round(c.meterWh),
      startTime: this.timestamp(),
      startMs,
      ...(reservation && { reservationId: reservation.reservationId }),
      remote: o.remote ?? false,
      transactionId: null,
      startStatus: null,
      samples: 0,
      maxSamples: o.samples ?? Infinity,
      stopped: false,
      stopAcked: false,
      ended: ended.promise,
      ...(o.vehicle && { vehicle: o.vehicle }),
    };
    this.endResolvers.set(tx, ended.resolve);
    c.tx = tx;
    this.transactions.push(tx);
    if (o.chargingProfile) this.installProfile(c.id, { ...o.chargingProfile });
    const startPayload: Req<'StartTransaction'> = {
      connectorId: c.id,
      idTag: tx.idTag,
      meterStart: tx.meterStart,
      timestamp: tx.startTime,
      ...(tx.reservationId !== undefined && { reservationId: tx.reservationId }),
    };
    this.enqueue({
      action: 'StartTransaction',
      build: () => startPayload,
      persistent: true,
      preBoot: false,
      onAck: (res: Res<'StartTransaction'>) => {
        tx.transactionId = res.transactionId;
        tx.startStatus = res.idTagInfo.status;
        this.cacheTag(tx.idTag, res.idTagInfo);
        this.ledger.starts.push({
          transactionId: res.transactionId,
          chargePointId: this.id,
          connectorId: tx.connectorId,
          idTag: tx.idTag,
          timestamp: tx.startTime,
          meterStart: tx.meterStart,
          ...(tx.reservationId !== undefined && { reservationId: tx.reservationId }),
          idTagStatus: res.idTagInfo.status,
        });
        this.emit('transaction', tx);
        if (res.idTagInfo.status !== 'Accepted' && isTrue(this.config.get('StopTransactionOnInvalidId')?.value) && !tx.stopped) {
          this.stopTransaction(tx, 'DeAuthorized');
        }
      },
    });
    this.setStatus(c, 'Charging');
    const interval = this.meterIntervalMs();
    const tick = () => {
      if (tx.stopped) return;
      this.sampleTransaction(tx);
      if (tx.samples >= tx.maxSamples) this.stopTransaction(tx, o.stopReason ?? 'EVDisconnected');
      else this.later(tick, this.meterIntervalMs());
    };
    this.later(tick, interval);
    this.later(() => {
      if (!tx.stopped) this.stopTransaction(tx, o.stopReason ?? 'EVDisconnected');
    }, this.opts.maxSessionMs ?? 600_000);
    this.log(`session ${tx.localId} started on connector ${c.id} for ${tx.idTag}`);
    this.emit('session-started', tx);
    return { started: true, tx };
  }

  private meterIntervalMs(): number {
    return Math.max(10, this.opts.meterIntervalMs ?? this.intConfig('MeterValueSampleInterval', 60) * 1000);
  }

  /** Online: Authorize (unless LocalPreAuthorize finds the tag). Offline: local list, cache, AllowOfflineTxForUnknownId. */
  private async authorizeTag(idTag: string): Promise<AuthStatus | 'OfflineRefused' | 'Error'> {
    const local = this.localAuth(idTag);
    if (local === 'Accepted' && isTrue(this.config.get('LocalPreAuthorize')?.value)) return 'Accepted';
    if (this.isOnline) {
      try {
        const res = await this.call('Authorize', { idTag });
        this.cacheTag(idTag, res.idTagInfo);
        return res.idTagInfo.status;
      } catch (err) {
        if (err instanceof CallError) return 'Error';
        // Lost the connection meanwhile: decide offline.
      }
    }
    if (local && isTrue(this.config.get('LocalAuthorizeOffline')?.value)) return local;
    if (isTrue(this.config.get('AllowOfflineTxForUnknownId')?.value)) return 'Accepted';
    return 'OfflineRefused';
  }

  private localAuth(idTag: string): AuthStatus | undefined {
    const info =
      (isTrue(this.config.get('LocalAuthListEnabled')?.value) ? this.localListMap.get(idTag) : undefined) ??
      (isTrue(this.config.get('AuthorizationCacheEnabled')?.value) ? this.cache.get(idTag) : undefined);
    if (!info) return undefined;
    if (info.status === 'Accepted' && info.expiryDate && Date.parse(info.expiryDate) <= Date.now()) return 'Expired';
    return info.status;
  }

  private cacheTag(idTag: string, info: IdTagInfo): void {
    if (isTrue(this.config.get('AuthorizationCacheEnabled')?.value)) this.cache.set(idTag, info);
  }

  /** Current offered now: the rating, capped by the charging profiles in force (composite schedule). */
  private offeredAmps(c: Connector): number {
    const nominal = (this.opts.powerW ?? 7360) / VOLTAGE;
    if (!this.profiles.length) return nominal;
    const { limit } = compositeLimitAt(
      { installed: this.profiles, connectorId: c.id, txStartMs: c.tx?.startMs ?? null, txRunning: !!c.tx, unit: 'A', maxLimit: nominal, voltage: VOLTAGE, phases: 1 },
      Date.now(),
    );
    return Math.max(0, Math.min(nominal, limit));
  }

  private advanceMeter(c: Connector): number {
    const now = Date.now();
    const offered = this.offeredAmps(c);
    const vehicle = c.tx?.vehicle;
    const amps = !c.tx || c.tx.stopped ? 0 : vehicle ? vehicle.step(offered, now, VOLTAGE, 1, this.opts.timeScale) : offered;
    const power = amps * VOLTAGE;
    const simSec = ((now - c.lastMeterMs) / 1000) * (this.opts.timeScale ?? 1);
    c.meterWh += (power * simSec) / 3600;
    c.lastMeterMs = now;
    return power;
  }

  private sampledValues(c: Connector, power: number, context: NonNullable<SampledValue['context']>, measurands: string): SampledValue[] {
    const wanted = new Set(
      measurands
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean),
    );
    const voltage = VOLTAGE + (Math.random() * 6 - 3);
    const all: Record<(typeof SUPPORTED_MEASURANDS)[number], SampledValue> = {
      'Energy.Active.Import.Register': { value: String(Math.round(c.meterWh)), context, measurand: 'Energy.Active.Import.Register', location: 'Outlet', unit: 'Wh' },
      'Power.Active.Import': { value: String(Math.round(power)), context, measurand: 'Power.Active.Import', location: 'Outlet', unit: 'W' },
      'Current.Import': { value: (power / VOLTAGE).toFixed(1), context, measurand: 'Current.Import', phase: 'L1', location: 'Outlet', unit: 'A' },
      Voltage: { value: voltage.toFixed(1), context, measurand: 'Voltage', phase: 'L1-N', location: 'Outlet', unit: 'V' },
      'Current.Offered': { value: this.offeredAmps(c).toFixed(1), context, measurand: 'Current.Offered', location: 'Outlet', unit: 'A' },
    };
    return SUPPORTED_MEASURANDS.filter((m) => wanted.has(m)).map((m) => all[m]);
  }

  private sampleTransaction(tx: SimTransaction): void {
    const c = this.connectors[tx.connectorId]!;
    const power = this.advanceMeter(c);
    tx.samples++;
    const timestamp = this.timestamp();
    const sampledValue = this.sampledValues(c, power, 'Sample.Periodic', this.config.get('MeterValuesSampledData')!.value);
    if (!sampledValue.length) return;
    this.enqueue({
      action: 'MeterValues',
      // The transactionId is known only once the StartTransaction ahead of it is acknowledged.
      build: () => (tx.transactionId === null ? null : { connectorId: tx.connectorId, transactionId: tx.transactionId, meterValue: [{ timestamp, sampledValue }] }),
      persistent: true,
      preBoot: false,
      onAck: () => this.ledger.meterValues.push({ transactionId: tx.transactionId, connectorId: tx.connectorId, timestamp, samples: sampledValue.length }),
    });
  }

  /** Stops the session on a connector (or by local id); false when nothing runs there. */
  stopSession(connectorId: number, reason: StopReason = 'Local', idTag?: string): boolean {
    const tx = this.connectors[connectorId]?.tx;
    if (!tx || tx.stopped) return false;
    this.stopTransaction(tx, reason, idTag);
    return true;
  }

  private stopTransaction(tx: SimTransaction, reason: StopReason, stopIdTag?: string): void {
    if (tx.stopped) return;
    const c = this.connectors[tx.connectorId]!;
    this.advanceMeter(c);
    tx.stopped = true;
    tx.stopReason = reason;
    tx.meterStop = Math.round(c.meterWh);
    tx.stopTime = this.timestamp();
    this.setStatus(c, 'Finishing');
    const stopData = this.config.get('StopTxnSampledData')!.value;
    const energyOnly = (v: number, context: 'Transaction.Begin' | 'Transaction.End'): SampledValue => ({
      value: String(v),
      context,
      measurand: 'Energy.Active.Import.Register',
      location: 'Outlet',
      unit: 'Wh',
    });
    const transactionData: NonNullable<Req<'StopTransaction'>['transactionData']> = stopData.includes('Energy.Active.Import.Register')
      ? [
          { timestamp: tx.startTime, sampledValue: [energyOnly(tx.meterStart, 'Transaction.Begin')] },
          { timestamp: tx.stopTime, sampledValue: [energyOnly(tx.meterStop, 'Transaction.End')] },
        ]
      : [];
    const meterStop = tx.meterStop;
    const timestamp = tx.stopTime;
    // The tag that ended it: the one presented (a local stop by the driver), none for remote/EV stops.
    const stopTag = stopIdTag ?? (reason === 'Local' ? tx.idTag : undefined);
    this.enqueue({
      action: 'StopTransaction',
      // Held until the StartTransaction ahead of it gave the transactionId.
      build: () =>
        tx.transactionId === null
          ? null
          : {
              transactionId: tx.transactionId,
              meterStop,
              timestamp,
              reason,
              ...(stopTag !== undefined && { idTag: stopTag }),
              ...(transactionData.length && { transactionData }),
            },
      persistent: true,
      preBoot: false,
      onAck: (res: Res<'StopTransaction'>) => {
        tx.stopAcked = true;
        if (res.idTagInfo && stopTag) this.cacheTag(stopTag, res.idTagInfo);
        this.ledger.stops.push({ transactionId: tx.transactionId!, meterStop, timestamp, reason, transactionDataSamples: transactionData.length });
        this.emit('transaction-stopped', tx);
      },
    });
    // A TxProfile lives only as long as its transaction.
    for (let i = this.profiles.length - 1; i >= 0; i--) {
      const p = this.profiles[i]!;
      if (p.connectorId === c.id && p.profile.chargingProfilePurpose === 'TxProfile') this.profiles.splice(i, 1);
    }
    c.tx = null;
    c.busy = false;
    if (c.scheduledAvailability) {
      c.availability = c.scheduledAvailability;
      delete c.scheduledAvailability;
    }
    if (this.connectors[0]!.scheduledAvailability && !this.activeTransactions.length) {
      const zero = this.connectors[0]!;
      zero.availability = zero.scheduledAvailability!;
      delete zero.scheduledAvailability;
      this.setStatus(zero, this.idleStatus(zero));
      for (const other of this.connectors.slice(1)) if (!other.busy) this.setStatus(other, this.idleStatus(other));
    }
    this.setStatus(c, this.idleStatus(c));
    this.log(`session ${tx.localId} stopped (${reason}), ${tx.meterStop - tx.meterStart} Wh`);
    this.endResolvers.get(tx)?.(tx);
    this.endResolvers.delete(tx);
    this.emit('session-ended', tx);
  }

  // ---------------------------------------------------------------------------------------
  // CS -> CP calls

  private onCall(id: string, action: string, payload: unknown): void {
    const entry: ReceivedCall = { action, payload, at: new Date().toISOString() };
    this.pushBounded(this.received, entry);
    let after: (() => void) | undefined;
    try {
      if (!CS_ACTIONS.has(action)) {
        throw CP_ACTIONS.has(action) ? new Refusal('NotSupported', `${action} is sent by charge points, not to them`) : new Refusal('NotImplemented', `unknown action ${action}`);
      }
      try {
        validator().check(`${action}.req`, payload);
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'FormationViolation';
        this.error(`central system sent an invalid ${action}: ${(err as Error).message}`);
        throw new Refusal(code, (err as Error).message);
      }
      const handler = this.handlers[action as CsAction] as (req: unknown) => { response: unknown; after?: () => void };
      const out = handler(payload);
      if (this.validate) validator().check(`${action}.conf`, out.response);
      entry.response = out.response;
      after = out.after;
      this.send([3, id, out.response]);
    } catch (err) {
      const code = err instanceof Refusal ? err.code : 'InternalError';
      if (!(err instanceof Refusal)) this.error(`simulator failed to answer ${action}: ${(err as Error).message}`);
      entry.error = code;
      this.send([4, id, code, (err as Error).message.slice(0, 255), {}]);
    }
    this.emit('call', entry);
    this.changed();
    // Effects of a command happen after its answer went out, as on a real charger.
    if (after) setImmediate(() => this.running && after());
  }

  private readonly handlers: { [A in CsAction]: (req: Req<A>) => { response: Res<A>; after?: () => void } } = {
    RemoteStartTransaction: (req) => {
      const picked = this.pickConnector(req.idTag, req.connectorId);
      const profile = req.chargingProfile;
      if (typeof picked === 'string' || (profile && profile.chargingProfilePurpose !== 'TxProfile')) return { response: { status: 'Rejected' } };
      picked.busy = true;
      return {
        response: { status: 'Accepted' },
        after: () => {
          void this.runSession(picked, { idTag: req.idTag, connectorId: picked.id, remote: true, ...(profile && { chargingProfile: profile }) });
        },
      };
    },

    RemoteStopTransaction: (req) => {
      const tx = this.activeTransactions.find((t) => t.transactionId === req.transactionId);
      if (!tx) return { response: { status: 'Rejected' } };
      return { response: { status: 'Accepted' }, after: () => this.stopTransaction(tx, 'Remote') };
    },

    Reset: (req) => ({
      response: { status: 'Accepted' },
      after: () => void this.reset(req.type),
    }),

    UnlockConnector: (req) => {
      const c = this.connectors[req.connectorId];
      if (!c || c.id === 0) return { response: { status: 'NotSupported' } };
      const tx = c.tx;
      return { response: { status: 'Unlocked' }, ...(tx && !tx.stopped && { after: () => this.stopTransaction(tx, 'UnlockCommand') }) };
    },

    ChangeAvailability: (req) => {
      const targets = req.connectorId === 0 ? this.connectors : [this.connectors[req.connectorId]];
      if (!targets[0]) return { response: { status: 'Rejected' } };
      let scheduled = false;
      for (const c of targets as Connector[]) {
        if (c.id > 0 && c.busy && req.type === 'Inoperative') {
          c.scheduledAvailability = req.type;
          scheduled = true;
        } else {
          c.availability = req.type;
          delete c.scheduledAvailability;
        }
      }
      const zero = this.connectors[0]!;
      if (req.connectorId === 0 && scheduled) {
        zero.availability = 'Operative';
        zero.scheduledAvailability = req.type;
      }
      return {
        response: { status: scheduled ? 'Scheduled' : 'Accepted' },
        after: () => {
          for (const c of this.connectors) if (!c.busy) this.setStatus(c, this.idleStatus(c));
        },
      };
    },

    GetConfiguration: (req) => {
      const shown = (e: ConfigEntry) => e.kind !== 'secret' || this.opts.revealAuthorizationKey === true;
      const asKey = (key: string, e: ConfigEntry) => ({ key, readonly: e.readonly, ...(shown(e) && { value: e.value }) });
      if (!req.key?.length) return { response: { configurationKey: [...this.config].map(([k, e]) => asKey(k, e)) } };
      const max = this.intConfig('GetConfigurationMaxKeys', 50);
      const keys = req.key.slice(0, max);
      const known = keys.filter((k) => this.config.has(k));
      const unknown = keys.filter((k) => !this.config.has(k));
      return {
        response: {
          configurationKey: known.map((k) => asKey(k, this.config.get(k)!)),
          ...(unknown.length && { unknownKey: unknown }),
        },
      };
    },

    ChangeConfiguration: (req) => {
      const e = this.config.get(req.key);
      if (!e) return { response: { status: 'NotSupported' } };
      if (e.readonly || !acceptsValue(e, req.value)) return { response: { status: 'Rejected' } };
      e.value = req.value;
      if (req.key === 'AuthorizationKey') this.password = req.value;
      return { response: { status: 'Accepted' }, after: () => req.key === 'HeartbeatInterval' && this.isOnline && this.startHeartbeat() };
    },

    ClearCache: () => {
      if (!isTrue(this.config.get('AuthorizationCacheEnabled')?.value)) return { response: { status: 'Rejected' } };
      this.cache.clear();
      return { response: { status: 'Accepted' } };
    },

    GetLocalListVersion: () => ({ response: { listVersion: this.localListVersion } }),

    SendLocalList: (req) => {
      if (!isTrue(this.config.get('LocalAuthListEnabled')?.value)) return { response: { status: 'NotSupported' } };
      const entries = req.localAuthorizationList ?? [];
      if (entries.length > this.intConfig('SendLocalListMaxLength', 500)) return { response: { status: 'Failed' } };
      if (req.updateType === 'Full') {
        // Full: every entry must carry its idTagInfo.
        if (entries.some((e) => !e.idTagInfo)) return { response: { status: 'Failed' } };
        if (entries.length > this.intConfig('LocalAuthListMaxLength', 10000)) return { response: { status: 'Failed' } };
        this.localListMap.clear();
        for (const e of entries) this.localListMap.set(e.idTag, e.idTagInfo!);
        this.localListVer = req.listVersion;
        return { response: { status: 'Accepted' } };
      }
      if (req.listVersion <= this.localListVer) return { response: { status: 'VersionMismatch' } };
      const next = new Map(this.localListMap);
      // Differential: an entry with idTagInfo is added or updated, one without is removed.
      for (const e of entries) {
        if (e.idTagInfo) next.set(e.idTag, e.idTagInfo);
        else next.delete(e.idTag);
      }
      if (next.size > this.intConfig('LocalAuthListMaxLength', 10000)) return { response: { status: 'Failed' } };
      this.localListMap.clear();
      for (const [k, v] of next) this.localListMap.set(k, v);
      this.localListVer = req.listVersion;
      return { response: { status: 'Accepted' } };
    },

    ReserveNow: (req) => {
      if (req.connectorId === 0 && !isTrue(this.config.get('ReserveConnectorZeroSupported')?.value)) return { response: { status: 'Rejected' } };
      const c = this.connectors[req.connectorId];
      if (!c || c.id === 0) return { response: { status: 'Rejected' } };
      if (c.status === 'Faulted') return { response: { status: 'Faulted' } };
      if (c.availability === 'Inoperative' || this.connectors[0]!.availability === 'Inoperative') return { response: { status: 'Unavailable' } };
      const existing = this.reservationOn(c.id);
      if (c.busy || (existing && existing.reservationId !== req.reservationId)) return { response: { status: 'Occupied' } };
      if (Date.parse(req.expiryDate) <= Date.now()) return { response: { status: 'Rejected' } };
      // Same reservationId: the reservation is replaced (possibly moved to this connector).
      this.removeReservation(req.reservationId, false);
      const timer = this.later(() => {
        this.log(`reservation ${req.reservationId} expired`);
        this.removeReservation(req.reservationId, true);
      }, Date.parse(req.expiryDate) - Date.now());
      this.reservationMap.set(req.reservationId, {
        reservationId: req.reservationId,
        connectorId: c.id,
        idTag: req.idTag,
        ...(req.parentIdTag && { parentIdTag: req.parentIdTag }),
        expiryDate: req.expiryDate,
        timer,
      });
      return { response: { status: 'Accepted' }, after: () => this.setStatus(c, this.idleStatus(c)) };
    },

    CancelReservation: (req) => {
      if (!this.reservationMap.has(req.reservationId)) return { response: { status: 'Rejected' } };
      return { response: { status: 'Accepted' }, after: () => this.removeReservation(req.reservationId, true) };
    },

    TriggerMessage: (req) => {
      const cid = req.connectorId;
      if (cid !== undefined && (cid < 0 || cid > this.connectorCount)) return { response: { status: 'Rejected' } };
      const preBoot = this.bootState !== 'Accepted';
      // biome-ignore-start lint/correctness/noComponentHookFactories: the keys are OCPP message names (BootNotification, ...), not React components
      const send: Record<Req<'TriggerMessage'>['requestedMessage'], () => void> = {
        BootNotification: () => this.enqueueBoot(true),
        DiagnosticsStatusNotification: () => this.notify('DiagnosticsStatusNotification', { status: this.diagnosticsStatus }, { preBoot }),
        FirmwareStatusNotification: () => this.notify('FirmwareStatusNotification', { status: this.firmwareStatus }, { preBoot }),
        Heartbeat: () => this.notify('Heartbeat', {}, { preBoot }),
        MeterValues: () => {
          for (const c of cid ? [this.connectors[cid]!] : this.connectors.slice(1)) {
            const power = this.advanceMeter(c);
            const tx = c.tx && c.tx.transactionId !== null && !c.tx.stopped ? c.tx : null;
            const timestamp = this.timestamp();
            const sampledValue = this.sampledValues(c, power, 'Trigger', this.config.get('MeterValuesSampledData')!.value);
            this.notify(
              'MeterValues',
              { connectorId: c.id, ...(tx && { transactionId: tx.transactionId! }), meterValue: [{ timestamp, sampledValue }] },
              { preBoot, onAck: () => this.ledger.meterValues.push({ transactionId: tx?.transactionId ?? null, connectorId: c.id, timestamp, samples: sampledValue.length }) },
            );
          }
        },
        StatusNotification: () => {
          for (const c of cid !== undefined ? [this.connectors[cid]!] : this.connectors) this.notify('StatusNotification', this.statusPayload(c), { preBoot });
        },
      };
      // biome-ignore-end lint/correctness/noComponentHookFactories: end of the table
      return { response: { status: 'Accepted' }, after: send[req.requestedMessage] };
    },

    UpdateFirmware: (req) => ({ response: {}, after: () => this.updateFirmware(req) }),

    GetDiagnostics: (req) => {
      const fileName = `diagnostics-${this.id}-${new Date().toISOString().replace(/[:.]/g, '')}.zip`;
      return { response: { fileName }, after: () => this.uploadDiagnostics(req.location) };
    },

    DataTransfer: () => ({ response: { status: 'UnknownVendorId' } }),

    SetChargingProfile: (req) => {
      const p = req.csChargingProfiles;
      const c = this.connectors[req.connectorId];
      const s = p.chargingSchedule;
      const units = this.config.get('ChargingScheduleAllowedChargingRateUnit')!.value.split(',');
      const reject = { response: { status: 'Rejected' as const } };
      if (!c) return reject;
      if (p.stackLevel > this.intConfig('ChargeProfileMaxStackLevel', 10)) return reject;
      if (s.chargingSchedulePeriod.length > this.intConfig('ChargingScheduleMaxPeriods', 24)) return reject;
      if (!units.includes(s.chargingRateUnit === 'A' ? 'Current' : 'Power')) return reject;
      if (p.chargingProfileKind === 'Recurring' && !p.recurrencyKind) return reject;
      if (p.chargingProfilePurpose === 'ChargePointMaxProfile' && c.id !== 0) return reject;
      if (p.chargingProfilePurpose === 'TxProfile') {
        // Only for a running transaction on that connector (and the one named, if any).
        const tx = c.tx;
        if (c.id === 0 || !tx || tx.stopped || (p.transactionId !== undefined && p.transactionId !== tx.transactionId)) return reject;
      }
      const others = this.profiles.filter((i) => i.profile.chargingProfileId !== p.chargingProfileId);
      if (others.length >= this.intConfig('MaxChargingProfilesInstalled', 20)) return reject;
      this.installProfile(c.id, p);
      return { response: { status: 'Accepted' } };
    },

    ClearChargingProfile: (req) => {
      const before = this.profiles.length;
      for (let i = this.profiles.length - 1; i >= 0; i--) {
        const { connectorId, profile } = this.profiles[i]!;
        const match =
          req.id !== undefined
            ? profile.chargingProfileId === req.id
            : (req.connectorId === undefined || req.connectorId === connectorId) &&
              (req.chargingProfilePurpose === undefined || req.chargingProfilePurpose === profile.chargingProfilePurpose) &&
              (req.stackLevel === undefined || req.stackLevel === profile.stackLevel);
        if (match) this.profiles.splice(i, 1);
      }
      return { response: { status: this.profiles.length < before ? 'Accepted' : 'Unknown' } };
    },

    GetCompositeSchedule: (req) => {
      const c = this.connectors[req.connectorId];
      if (!c) return { response: { status: 'Rejected' } };
      const unit = req.chargingRateUnit ?? 'A';
      const nominalW = (this.opts.powerW ?? 7360) * (c.id === 0 ? this.connectorCount : 1);
      const schedule = compositeSchedule({
        installed: this.profiles,
        connectorId: c.id,
        txStartMs: c.tx?.startMs ?? null,
        txRunning: !!c.tx && !c.tx.stopped,
        fromMs: Date.now(),
        durationSec: req.duration,
        unit,
        maxLimit: unit === 'W' ? nominalW : nominalW / VOLTAGE,
        voltage: VOLTAGE,
        phases: 1,
      });
      return { response: { status: 'Accepted', connectorId: c.id, scheduleStart: schedule.startSchedule!, chargingSchedule: schedule } };
    },
  };

  private installProfile(connectorId: number, p: ChargingProfile): void {
    for (let i = this.profiles.length - 1; i >= 0; i--) {
      const o = this.profiles[i]!;
      const sameSlot = o.connectorId === connectorId && o.profile.stackLevel === p.stackLevel && o.profile.chargingProfilePurpose === p.chargingProfilePurpose;
      if (o.profile.chargingProfileId === p.chargingProfileId || sameSlot) this.profiles.splice(i, 1);
    }
    this.profiles.push({ connectorId, profile: p });
    this.changed();
  }

  private removeReservation(reservationId: number, updateStatus: boolean): void {
    const r = this.reservationMap.get(reservationId);
    if (!r) return;
    this.cancel(r.timer);
    this.reservationMap.delete(reservationId);
    const c = this.connectors[r.connectorId];
    if (updateStatus && c && !c.busy) this.setStatus(c, this.idleStatus(c));
    this.changed();
  }

  /** Reset: running transactions stop (reason SoftReset/HardReset), the socket drops, the charger boots again. */
  private async reset(type: 'Hard' | 'Soft'): Promise<void> {
    this.log(`${type} reset`);
    for (const tx of this.activeTransactions) this.stopTransaction(tx, type === 'Hard' ? 'HardReset' : 'SoftReset');
    // A soft reset lets the stop go out first (bounded).
    if (type === 'Soft') await this.drain(2000).catch(() => {});
    this.reboot();
  }

  private reboot(): void {
    if (!this.running) return;
    this.rebooting = true;
    for (const c of this.connectors) if (!c.busy) c.status = this.idleStatus(c);
    const ws = this.ws;
    if (ws) ws.close(1000, 'rebooting');
    else {
      this.rebooting = false;
      this.later(() => this.connect(), this.opts.rebootDelayMs ?? 200);
    }
  }

  private progress<S extends string>(steps: S[], emit: (s: S) => void, done?: () => void): void {
    const step = this.opts.progressStepMs ?? 200;
    for (const [i, s] of steps.entries()) this.later(() => emit(s), step * (i + 1));
    if (done) this.later(done, step * (steps.length + 1));
  }

  private setFirmwareStatus(status: FirmwareStatus): void {
    this.firmwareStatus = status;
    this.notify('FirmwareStatusNotification', { status });
    this.changed();
  }

  /** Downloading -> Downloaded -> Installing -> reboot -> Installed (DownloadFailed for a location containing "fail"). */
  private updateFirmware(req: Req<'UpdateFirmware'>): void {
    const wait = Math.max(0, Date.parse(req.retrieveDate) - Date.now());
    this.later(() => {
      if (/fail/i.test(req.location)) {
        this.progress(['Downloading', 'DownloadFailed'] as FirmwareStatus[], (s) => this.setFirmwareStatus(s));
        return;
      }
      const version = /(\d+\.\d+(?:\.\d+)?)/.exec(req.location.split('/').pop() ?? '')?.[1] ?? `${this.firmwareVersion}+1`;
      this.progress(
        ['Downloading', 'Downloaded'] as FirmwareStatus[],
        (s) => this.setFirmwareStatus(s),
        () => {
          // Installation waits for running sessions to end (bounded by maxSessionMs).
          void this.waitFor(() => this.activeTransactions.length === 0, (this.opts.maxSessionMs ?? 600_000) + 1000, 'sessions to end before installing firmware')
            .then(() => {
              this.setFirmwareStatus('Installing');
              this.later(() => {
                // The new image boots: the next BootNotification reports its version.
                this.firmwareVersion = version;
                this.reboot();
              }, this.opts.progressStepMs ?? 200);
            })
            .catch(() => this.setFirmwareStatus('InstallationFailed'));
        },
      );
    }, wait);
  }
  private finishFirmwareInstall(): void {
    this.setFirmwareStatus('Installed');
  }

  /** Uploading -> Uploaded (UploadFailed for a location containing "fail"). */
  private uploadDiagnostics(location: string): void {
    const failed = /fail/i.test(location);
    this.progress(['Uploading', failed ? 'UploadFailed' : 'Uploaded'] as DiagnosticsStatus[], (status) => {
      this.diagnosticsStatus = status;
      this.notify('DiagnosticsStatusNotification', { status });
      this.changed();
    });
  }
}
