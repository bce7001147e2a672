import type { RawData, WebSocket } from 'ws';
import type { Logger } from '../log/logger.js';
import { TokenBucket, WindowCounter } from './limits.js';
import type { ProtocolAdapter } from './protocols.js';
import { CALL, CALLERROR, CALLRESULT, parseFrame, RpcError, type RpcErrorCode, serializeCall, serializeError, serializeResult } from './rpc.js';
import type { OcppVersion } from './versions.js';

export type BootState = 'Accepted' | 'Pending' | 'Rejected' | 'Unknown';

export class CallTimeoutError extends Error {
  override name = 'CallTimeoutError';
}
export class NotConnectedError extends Error {
  override name = 'NotConnectedError';
}
export class TooManyPendingCallsError extends Error {
  override name = 'TooManyPendingCallsError';
}

export interface ConnectionLimits {
  maxMessagesPerSecond: number;
  messageBurst: number;
  maxBadMessagesPerMinute: number;
  maxPendingCalls: number;
}

/** Answers that mean the charger sent something malformed or invalid (counted before a version renames them). */
const BAD_INPUT: ReadonlySet<string> = new Set(['FormationViolation', 'ProtocolError', 'PropertyConstraintViolation', 'OccurenceConstraintViolation', 'TypeConstraintViolation', 'NotImplemented']);

interface PendingCall {
  id: string;
  action: string;
  payload: unknown;
  timeoutMs: number;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
  sentAt?: number;
}

export interface ConnectionHooks {
  /** Handles an inbound CALL; resolves with the CALLRESULT payload or throws RpcError. */
  onCall(conn: Connection, id: string, action: string, payload: Record<string, unknown>): Promise<unknown>;
  onFrame?(conn: Connection, direction: 'in' | 'out', text: string): void;
  onClose?(conn: Connection, code: number, reason: string): void;
  /** A limit was hit (logged once per window by the caller). */
  onBreach?(conn: Connection, kind: 'rate' | 'bad-messages' | 'pending-calls', detail: string): void;
}

/** Messages held back by the rate limit before a flooding charger is disconnected. */
const MAX_BACKLOG = 1000;

let idCounter = 0;
const idPrefix = process.pid.toString(36) + Date.now().toString(36);

/**
 * One charger's socket: inbound calls are answered independently of our own outbound call,
 * so calls that cross are never refused; outbound calls go one at a time, the rest queue.
 */
export class Connection {
  bootState: BootState = 'Unknown';
  lastSeenMs = Date.now();
  readonly connectedAt = new Date();
  private current: PendingCall | null = null;
  private readonly queue: PendingCall[] = [];
  private closed = false;
  private alive = true;
  private readonly bucket: TokenBucket;
  private readonly backlog: Array<[RawData, boolean]> = [];
  private readonly badMessages = new WindowCounter();

  constructor(
    readonly chargePointId: string,
    readonly ws: WebSocket,
    readonly remoteAddress: string,
    readonly remotePort: number,
    public lenient: boolean,
    /** The negotiated version's framing details. */
    private readonly protocol: Pick<ProtocolAdapter, 'version' | 'wireCode' | 'frameCode' | 'unknownMessageType'>,
    private readonly hooks: ConnectionHooks,
    private readonly log: Logger,
    private readonly limits: ConnectionLimits,
  ) {
    this.bucket = new TokenBucket(limits.maxMessagesPerSecond, limits.messageBurst);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('close', (code, reason) => this.onClose(code, reason.toString()));
    ws.on('error', (err) => this.log.warn({ cp: chargePointId, err: err.message }, 'socket error'));
  }

  get version(): OcppVersion {
    return this.protocol.version;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  get pendingCalls(): number {
    return this.queue.length + (this.current ? 1 : 0);
  }

  /** Sends a CALL and resolves with the charger's CALLRESULT payload. */
  call(action: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    if (this.closed) return Promise.reject(new NotConnectedError(`${this.chargePointId} is not connected`));
    if (this.pendingCalls >= this.limits.maxPendingCalls) {
      this.hooks.onBreach?.(this, 'pending-calls', `${this.pendingCalls} commands already queued`);
      return Promise.reject(new TooManyPendingCallsError(`${this.chargePointId} already has ${this.pendingCalls} commands queued; try again later`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id: `${idPrefix}-${(++idCounter).toString(36)}`, action, payload, timeoutMs, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const next = this.queue.shift();
    if (!next) return;
    this.current = next;
    next.sentAt = Date.now();
    next.timer = setTimeout(() => {
      if (this.current !== next) return;
      this.current = null;
      next.reject(new CallTimeoutError(`${this.chargePointId} did not answer ${next.action} within ${next.timeoutMs} ms`));
      this.pump();
    }, next.timeoutMs);
    this.send(serializeCall(next.id, next.action, next.payload));
  }

  send(text: string): void {
    if (this.closed) return;
    this.hooks.onFrame?.(this, 'out', text);
    this.ws.send(text);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.lastSeenMs = Date.now();
    this.alive = true;
    if (this.backlog.length || this.bucket.take() > 0) {
      this.defer(data, isBinary);
      return;
    }
    this.process(data, isBinary);
  }

  /**
   * Over the rate: stop reading the socket (TCP backpressure) and keep what already arrived,
   * in order, to process as the bucket refills. Nothing is refused; only a charger that keeps
   * flooding past a bounded backlog is disconnected.
   */
  private defer(data: RawData, isBinary: boolean): void {
    if (this.backlog.length >= MAX_BACKLOG) {
      this.hooks.onBreach?.(this, 'rate', `backlog over ${MAX_BACKLOG} messages: disconnected`);
      this.close(1008, 'message rate limit exceeded');
      return;
    }
    this.backlog.push([data, isBinary]);
    if (this.backlog.length === 1) {
      this.ws.pause();
      this.hooks.onBreach?.(this, 'rate', `over ${this.limits.maxMessagesPerSecond} messages/s`);
      this.scheduleDrain();
    }
  }

  private scheduleDrain(): void {
    const wait = this.bucket.take();
    if (wait > 0) {
      setTimeout(() => this.scheduleDrain(), wait);
      return;
    }
    const next = this.backlog.shift();
    if (!next || this.closed) return;
    this.process(next[0], next[1]);
    if (this.backlog.length) setImmediate(() => this.scheduleDrain());
    else this.ws.resume();
  }

  /**
   * One frame must never take the service down: an exception here is thrown inside the
   * socket's 'message' event, where nothing catches it and the process exits (as a CALLERROR
   * with an object for its code once did). It is logged and the frame dropped instead.
   */
  private process(data: RawData, isBinary: boolean): void {
    try {
      this.processFrame(data, isBinary);
    } catch (err) {
      this.log.error({ cp: this.chargePointId, err }, 'frame could not be handled; dropped');
    }
  }

  private processFrame(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.warnOnce('binary', {}, 'binary frame ignored: OCPP-J uses text frames');
      return;
    }
    const text = data.toString();
    this.hooks.onFrame?.(this, 'in', text);
    const frame = parseFrame(text);
    switch (frame.type) {
      case CALL:
        this.answer(frame.id, frame.action, frame.payload);
        return;
      case CALLRESULT:
      case CALLERROR:
        this.settle(frame);
        return;
      case 'bad':
        this.send(serializeError(frame.id, this.protocol.frameCode(frame.error.code), frame.error.message));
        this.countBad(frame.error.code);
        return;
      case 'ignore':
        if (frame.unknownTypeId !== undefined && this.protocol.unknownMessageType) {
          this.send(serializeError(frame.unknownTypeId, this.protocol.unknownMessageType, frame.reason));
          this.countBad('FormationViolation');
          return;
        }
        this.log.debug({ cp: this.chargePointId, reason: frame.reason }, 'frame ignored');
    }
  }

  private answer(id: string, action: string, payload: Record<string, unknown>): void {
    this.hooks.onCall(this, id, action, payload).then(
      (result) => this.send(serializeResult(id, result)),
      (err: unknown) => {
        const e = err instanceof RpcError ? err : new RpcError('InternalError', 'internal error', {}, { cause: err });
        if (!(err instanceof RpcError)) this.log.error({ cp: this.chargePointId, action, err }, 'handler failed');
        this.send(serializeError(id, this.protocol.wireCode(e.code), e.message, e.details));
        this.countBad(e.code);
      },
    );
  }

  /**
   * Frames that are dropped, not answered, are logged once a minute per kind with a count of
   * the rest: a charger streaming them made one warning per frame (found by the fuzz test).
   */
  private readonly warned = new Map<string, { at: number; suppressed: number }>();

  private warnOnce(kind: 'binary' | 'unsolicited', fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    const last = this.warned.get(kind);
    if (last && now - last.at < 60_000) {
      last.suppressed++;
      return;
    }
    this.log.warn({ cp: this.chargePointId, ...fields, ...(last?.suppressed && { suppressedSinceLast: last.suppressed }) }, message);
    this.warned.set(kind, { at: now, suppressed: 0 });
  }

  /** Too many malformed or invalid messages in a minute: the charger is disconnected (1008). */
  private countBad(code: string): void {
    if (!BAD_INPUT.has(code) || this.closed) return;
    if (this.badMessages.add() > this.limits.maxBadMessagesPerMinute) {
      this.hooks.onBreach?.(this, 'bad-messages', `over ${this.limits.maxBadMessagesPerMinute} bad messages in a minute`);
      this.close(1008, 'too many invalid messages');
    }
  }

  private settle(frame: { type: typeof CALLRESULT; id: string; payload: unknown } | { type: typeof CALLERROR; id: string; code: string; description: string; details: unknown }): void {
    const call = this.current;
    if (!call || call.id !== frame.id) {
      this.warnOnce('unsolicited', { id: frame.id.slice(0, 36) }, 'answer to an unknown or expired call ignored');
      return;
    }
    clearTimeout(call.timer);
    this.current = null;
    if (frame.type === CALLRESULT) call.resolve(frame.payload);
    else call.reject(new RpcError(frame.code as RpcErrorCode, frame.description || frame.code, (frame.details as Record<string, unknown>) ?? {}));
    this.pump();
  }

  /** Called by the ping timer: false when the charger missed the previous ping. */
  checkAlive(): boolean {
    if (!this.alive) return false;
    this.alive = false;
    this.ws.ping();
    return true;
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, reason);
    // A peer that never completes the close handshake must not hold the slot.
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }

  private onClose(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    const err = new NotConnectedError(`${this.chargePointId} disconnected`);
    if (this.current) {
      clearTimeout(this.current.timer);
      this.current.reject(err);
      this.current = null;
    }
    for (const c of this.queue.splice(0)) c.reject(err);
    this.hooks.onClose?.(this, code, reason);
  }
}
