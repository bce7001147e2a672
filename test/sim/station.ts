/**
 * SimStation: what every simulated charger does whatever OCPP version it speaks, over a real
 * WebSocket. The version-specific chargers (charger.ts for 1.6J, charger201.ts for 2.0.1)
 * extend it with their boot payload, their transaction messages and their answers.
 *
 * - Connects with the version's subprotocol (HTTP basic auth when it has a password) and
 *   reconnects with capped exponential backoff and jitter when the socket drops.
 * - Sends its own CALLs one at a time through a FIFO queue. Transaction messages (`persistent`)
 *   survive disconnects and reboots and are resent in order until a CALLRESULT arrives;
 *   everything else is dropped with the socket and sent fresh after the next boot.
 * - Boots (retrying after `interval` when Pending/Rejected) and heartbeats at the interval given.
 * - Answers CS->CP calls meanwhile (calls cross): validated against the version's schemas, an
 *   invalid one gets the matching CALLERROR; the effect runs after the answer went out.
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';

/** Request and response type of every action of one OCPP version (its generated ActionTypes). */
export type ActionMap<M> = { [A in keyof M]: { request: unknown; response: unknown } };

export interface SimStationOptions {
  /** Charge point identity (last URL path segment, basic auth user). */
  id: string;
  /**
   * Central system URL. `{id}` is replaced by the identity; otherwise `/<id>` is appended:
   * `ws://127.0.0.1:3001/ocpp` -> `ws://127.0.0.1:3001/ocpp/<id>`.
   */
  url: string;
  /** Security profile 1: HTTP basic auth password. */
  password?: string;
  /** How long one of its own CALLs waits for the answer. */
  callTimeoutMs?: number;
  /** Wait before resending a transaction message that failed (default: the charger's configured retry interval). */
  txRetryIntervalMs?: number;
  /** Reconnect backoff: first wait and cap, in ms; each wait is jittered to 50-100 %. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Overrides the boot's heartbeat interval (ms). */
  heartbeatIntervalMs?: number;
  /** Scales the Pending/Rejected boot retry `interval` (seconds -> ms factor, default 1000). */
  bootRetryMsPerSec?: number;
  /** Time a reboot (Reset, firmware) keeps the charger offline. */
  rebootDelayMs?: number;
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
  action: string;
  payload: unknown;
  at: string;
  result?: unknown;
  error?: string;
}

export interface QueueItem {
  action: string;
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

/** What a CS->CP call handler returns: the answer, and the effect that follows it. */
export interface Answer<R> {
  response: R;
  after?: () => void;
}

/** Schema check of one payload; throws an error with the CALLERROR `code` the version uses. */
export type SchemaCheck = (schemaId: string, payload: unknown) => void;

export class DisconnectedError extends Error {
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
export class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** How one OCPP version frames what the shared station does. */
export interface StationProtocol {
  subprotocol: string;
  /** Actions the central system sends (answered) and the charger sends (refused when received). */
  csActions: ReadonlySet<string>;
  cpActions: ReadonlySet<string>;
  check: SchemaCheck;
  /** CALLERROR code of a payload that fails its schema without a more precise code. */
  formatViolation: string;
  /** Schema id of an action's request / response (`Authorize.req`, `Authorize.conf`). */
  requestId: (action: string) => string;
  responseId: (action: string) => string;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

type BootResult = { status: 'Accepted' | 'Pending' | 'Rejected'; interval: number };

export abstract class SimStation<M extends ActionMap<M>> extends EventEmitter {
  readonly id: string;
  readonly url: string;
  /** CS->CP calls received, with our answers. */
  readonly received: ReceivedCall[] = [];
  /** Our own calls and their outcome. */
  readonly sent: SentCall[] = [];
  /** Protocol problems: CALLERRORs we got, invalid payloads, transaction messages given up. */
  readonly errors: string[] = [];
  /** CALLRESULTs received, by action. */
  readonly acks: Partial<Record<keyof M & string, number>> = {};

  bootState: 'Unknown' | 'Accepted' | 'Pending' | 'Rejected' = 'Unknown';
  /** Sockets opened / boots Accepted / transaction messages resent after a failure. */
  connects = 0;
  boots = 0;
  resends = 0;
  lastConnectError: string | null = null;

  protected password: string | undefined;
  protected queue: QueueItem[] = [];
  protected running = false;
  protected readonly validate: boolean;
  private ws: WebSocket | null = null;
  private inflight: { id: string; action: string; resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  private inflightPersistent = false;
  private pumping = false;
  private retryAt = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private reconnectAttempt = 0;
  private rebooting = false;
  private msgSeq = 0;
  private lastTsMs = 0;
  private readonly logLimit: number;

  constructor(
    private readonly base: SimStationOptions,
    private readonly protocol: StationProtocol,
  ) {
    super();
    this.id = base.id;
    this.url = base.url.includes('{id}') ? base.url.replaceAll('{id}', encodeURIComponent(base.id)) : `${base.url.replace(/\/+$/, '')}/${encodeURIComponent(base.id)}`;
    this.password = base.password;
    this.validate = base.validate ?? true;
    this.logLimit = base.logLimit ?? 5000;
  }

  // ---------------------------------------------------------------------------------------
  // What each version supplies

  /** The BootNotification payload (`triggered`: asked for by TriggerMessage). */
  protected abstract bootPayload(triggered: boolean): unknown;
  /** Boot Accepted: `first` after a (re)connect, false for a triggered boot. */
  protected abstract onBooted(first: boolean, interval: number): void;
  /** Answers a validated CS->CP call. */
  protected abstract answer(action: string, payload: unknown): Answer<unknown>;
  /** Heartbeat interval (s) from the charger's configuration. */
  protected abstract heartbeatIntervalSec(): number;
  /** Attempts of a transaction message refused by CALLERROR before it is given up. */
  protected abstract transactionMessageAttempts(): number;
  /** Wait (s) before resending a transaction message (configured). */
  protected abstract transactionRetryIntervalSec(): number;

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
    this.onShutdown();
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

  /** Releases what a version holds beyond the shared timers (reservation timers ...). */
  protected onShutdown(): void {}

  /** Simulates a network drop: the socket dies without a close handshake; the charger reconnects. */
  dropConnection(): void {
    this.ws?.terminate();
  }

  get isOnline(): boolean {
    return this.ws?.readyState === WebSocket.OPEN && this.bootState === 'Accepted';
  }

  /** The socket is open (booted or not). */
  protected get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Our CALL waiting for its answer, if any (`transactional`: a queued transaction message). */
  get inFlight(): { action: string; transactional: boolean } | null {
    return this.inflight ? { action: this.inflight.action, transactional: this.inflightPersistent } : null;
  }

  /** Transaction messages not yet acknowledged (queued or in flight). */
  get pendingTransactionMessages(): number {
    return this.queue.filter((i) => i.persistent).length + (this.inflight && this.inflightPersistent ? 1 : 0);
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

  protected changed(): void {
    this.emit('change');
  }

  protected log(line: string): void {
    this.base.log?.(`${this.id}: ${line}`);
  }

  protected error(message: string): void {
    this.errors.push(message);
    this.log(`error: ${message}`);
    this.emit('sim-error', message);
  }

  protected later(fn: () => void, ms: number): NodeJS.Timeout {
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

  protected cancel(t: NodeJS.Timeout | null | undefined): void {
    if (!t) return;
    clearTimeout(t);
    this.timers.delete(t);
  }

  /** Runs `emit` for each step, `stepMs` apart, then `done` (firmware and upload progress). */
  protected progress<S extends string>(stepMs: number, steps: S[], emit: (s: S) => void, done?: () => void): void {
    for (const [i, s] of steps.entries()) this.later(() => emit(s), stepMs * (i + 1));
    if (done) this.later(done, stepMs * (steps.length + 1));
  }

  /** ISO timestamps strictly increasing per charger, so no two readings share one. */
  protected timestamp(): string {
    this.lastTsMs = Math.max(Date.now(), this.lastTsMs + 1);
    return new Date(this.lastTsMs).toISOString();
  }

  // ---------------------------------------------------------------------------------------
  // Connection

  private connect(): void {
    if (!this.running) return;
    const headers: Record<string, string> = {};
    if (this.password) headers.authorization = `Basic ${Buffer.from(`${this.id}:${this.password}`).toString('base64')}`;
    const { subprotocol } = this.protocol;
    const ws = new WebSocket(this.url, [subprotocol], { headers, handshakeTimeout: 10_000, perMessageDeflate: false });
    this.ws = ws;
    ws.on('open', () => {
      if (this.ws !== ws) return;
      this.connects++;
      this.lastConnectError = null;
      if (ws.protocol !== subprotocol) this.error(`central system agreed subprotocol "${ws.protocol}" instead of ${subprotocol}`);
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
      this.later(() => this.connect(), this.base.rebootDelayMs ?? 200);
      return;
    }
    if (this.base.autoReconnect === false) return;
    const initial = this.base.backoffInitialMs ?? 500;
    const cap = this.base.backoffMaxMs ?? 30_000;
    const base = Math.min(cap, initial * 2 ** Math.min(this.reconnectAttempt, 30));
    this.reconnectAttempt++;
    this.later(() => this.connect(), base / 2 + (Math.random() * base) / 2);
  }

  /** The socket drops and the charger comes back after rebootDelayMs (Reset, new firmware). */
  protected reboot(): void {
    if (!this.running) return;
    this.rebooting = true;
    const ws = this.ws;
    if (ws) ws.close(1000, 'rebooting');
    else {
      this.rebooting = false;
      this.later(() => this.connect(), this.base.rebootDelayMs ?? 200);
    }
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

  protected enqueue(item: Omit<QueueItem, 'attempts'>, front = false): void {
    const full = { ...item, attempts: 0 };
    if (front) this.queue.unshift(full);
    else this.queue.push(full);
    this.changed();
    void this.pump();
  }

  /** A one-off call (not a transaction message); rejects when the socket drops first. */
  call<A extends keyof M & string>(action: A, payload: M[A]['request'], opts: { front?: boolean; preBoot?: boolean } = {}): Promise<M[A]['response']> {
    if (this.ws?.readyState !== WebSocket.OPEN) return Promise.reject(new DisconnectedError('offline'));
    return new Promise((resolve, reject) => this.enqueue({ action, build: () => payload, persistent: false, preBoot: opts.preBoot ?? false, onAck: resolve, onFail: reject }, opts.front));
  }

  /** Fire-and-forget variant of call() for notifications. */
  protected notify<A extends keyof M & string>(
    action: A,
    payload: M[A]['request'] | (() => M[A]['request']),
    opts: { front?: boolean; preBoot?: boolean; onAck?: (res: M[A]['response'], payload: M[A]['request']) => void } = {},
  ): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    const build = typeof payload === 'function' ? (payload as () => M[A]['request']) : () => payload;
    this.enqueue({ action, build, persistent: false, preBoot: opts.preBoot ?? false, ...(opts.onAck && { onAck: opts.onAck }), onFail: () => {} }, opts.front);
  }

  protected async pump(): Promise<void> {
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
            this.protocol.check(this.protocol.requestId(item.action), payload);
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
          const acks = this.acks as Record<string, number>;
          acks[item.action] = (acks[item.action] ?? 0) + 1;
          if (this.validate) {
            try {
              this.protocol.check(this.protocol.responseId(item.action), result);
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
            const max = this.transactionMessageAttempts();
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
    return this.base.txRetryIntervalMs ?? this.transactionRetryIntervalSec() * 1000;
  }

  private sendCall(action: string, payload: unknown): Promise<unknown> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new DisconnectedError('offline'));
    const id = `${(++this.msgSeq).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.inflight?.id !== id) return;
        this.inflight = null;
        reject(new CallTimeoutError(`${action} not answered within ${this.base.callTimeoutMs ?? 30_000} ms`));
      }, this.base.callTimeoutMs ?? 30_000);
      this.inflight = { id, action, resolve, reject, timer };
      ws.send(JSON.stringify([2, id, action, payload]));
    });
  }

  private pushBounded<T>(list: T[], entry: T): void {
    list.push(entry);
    if (list.length > this.logLimit) list.splice(0, list.length - this.logLimit);
  }

  // ---------------------------------------------------------------------------------------
  // Boot and heartbeat

  protected enqueueBoot(triggered: boolean): void {
    this.queue = this.queue.filter((i) => i.action !== 'BootNotification');
    this.enqueue(
      {
        action: 'BootNotification',
        build: () => this.bootPayload(triggered),
        persistent: false,
        preBoot: true,
        onAck: (res: BootResult) => this.onBootResult(res, triggered),
        onFail: () => {},
      },
      !triggered,
    );
  }

  private onBootResult(res: BootResult, triggered: boolean): void {
    const first = this.bootState !== 'Accepted';
    this.bootState = res.status;
    if (res.status === 'Accepted') {
      this.reconnectAttempt = 0;
      this.onBooted(first, res.interval);
      this.startHeartbeat();
      if (first) this.boots++;
      this.log(`boot Accepted (heartbeat ${res.interval}s)${triggered ? ' (triggered)' : ''}`);
      this.emit('booted');
    } else {
      const waitMs = Math.max(1, res.interval) * (this.base.bootRetryMsPerSec ?? 1000);
      this.log(`boot ${res.status}; retrying in ${waitMs} ms`);
      this.later(() => {
        if (this.ws?.readyState === WebSocket.OPEN && this.bootState !== 'Accepted') this.enqueueBoot(false);
      }, waitMs);
    }
    this.changed();
    void this.pump();
  }

  protected startHeartbeat(): void {
    this.stopHeartbeat();
    const ms = this.base.heartbeatIntervalMs ?? this.heartbeatIntervalSec() * 1000;
    if (ms <= 0) return;
    this.heartbeatTimer = setInterval(() => {
      if (this.isOnline && !this.queue.some((i) => i.action === 'Heartbeat')) this.enqueue({ action: 'Heartbeat', build: () => ({}), persistent: false, preBoot: false, onFail: () => {} });
    }, ms);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  // ---------------------------------------------------------------------------------------
  // CS -> CP calls

  private onCall(id: string, action: string, payload: unknown): void {
    const entry: ReceivedCall = { action, payload, at: new Date().toISOString() };
    this.pushBounded(this.received, entry);
    let after: (() => void) | undefined;
    const { protocol } = this;
    try {
      if (!protocol.csActions.has(action)) {
        throw protocol.cpActions.has(action) ? new Refusal('NotSupported', `${action} is sent by charge points, not to them`) : new Refusal('NotImplemented', `unknown action ${action}`);
      }
      try {
        protocol.check(protocol.requestId(action), payload);
      } catch (err) {
        const code = (err as { code?: string }).code ?? protocol.formatViolation;
        this.error(`central system sent an invalid ${action}: ${(err as Error).message}`);
        throw new Refusal(code, (err as Error).message);
      }
      const out = this.answer(action, payload);
      if (this.validate) protocol.check(protocol.responseId(action), out.response);
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
}
