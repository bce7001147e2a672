/** Messages between the bench parent (run.ts) and its load-generator processes (loadgen.ts). */
import type { HistogramData } from './hist.js';

export type OcppVersion = '1.6' | '2.0.1';

/** Times named `...At` are epoch milliseconds (Date.now() scale) so every process agrees on them. */
export type GenCommand =
  | {
      op: 'setup';
      /** ws://127.0.0.1:PORT/ocpp/ — the charge point id is appended. */
      url: string;
      /** Edge: BootNotification must answer Accepted, StartTransaction must carry a transactionId. */
      strict: boolean;
      /** Global charger indexes [from, to) owned by this process. */
      from: number;
      to: number;
      idPrefix: string;
      /** The chargers' OCPP version (default 1.6). */
      ocpp?: OcppVersion;
    }
  | { op: 'connect'; startAt: number; window: number; deadlineAt: number /** Connect only the first upTo chargers of this process. */; upTo?: number }
  | { op: 'disconnect'; timeoutMs: number }
  | { op: 'startTx'; window: number; deadlineAt: number }
  | { op: 'idleStart'; intervalMs: number }
  | { op: 'idleStop' }
  | { op: 'closedLoop'; startAt: number; warmupMs: number; durationMs: number; drainMs: number }
  | {
      op: 'fixedRate';
      startAt: number;
      ratePerSec: number;
      durationMs: number;
      drainMs: number;
      /** 'status': StatusNotification only, on every booted charger (UI scenario); default Heartbeat/MeterValues on running sessions. */
      messages?: 'status';
    }
  | { op: 'churn'; startAt: number; warmupMs: number; durationMs: number; metersPerSession: number; drainMs: number }
  | { op: 'counters' };

export interface ErrorCounters {
  /** CALLERRORs received for our calls. */
  callErrors: number;
  /** A first few CALLERROR frames, to show what went wrong. */
  errorSamples: string[];
  /** Answers with an id we were not waiting for, or frames that are not OCPP-J. */
  protocolErrors: number;
  /** Sockets the server closed while the charger was in use. */
  unexpectedCloses: number;
  /** Calls the server sent us (answered with an empty CALLRESULT). */
  serverCalls: number;
}

export interface ConnectResult {
  attempted: number;
  accepted: number;
  failed: number;
  retries: number;
  /** Epoch ms when the last charger of this process got Accepted (0 if none). */
  lastAcceptedAt: number;
  /** Socket opened -> BootNotification Accepted, and connect start -> Accepted. */
  bootLatency: HistogramData;
  connectToAccepted: HistogramData;
  failures: string[];
}

export interface LoopResult {
  /** Calls answered inside the measurement window. */
  completed: number;
  /** Completed session cycles inside the window (churn only). */
  sessions: number;
  latency: HistogramData;
  /** Fixed rate: calls scheduled, and how late the generator itself sent them. */
  scheduled: number;
  sendLag: HistogramData | null;
  /** Calls still unanswered when the drain time ran out. */
  unanswered: number;
  /** Actual window length in ms as this process measured it. */
  windowMs: number;
}

export type GenReply = { reqId: number; ok: true; result: unknown; counters: ErrorCounters } | { reqId: number; ok: false; error: string; counters: ErrorCounters };
