/**
 * A scripted central system on 127.0.0.1 for protocol tests of the simulator: it records every
 * frame with its arrival time, answers the charger's calls through a handler (which may hold an
 * answer back), and sends calls of its own.
 */
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface FakeFrame {
  at: number;
  dir: 'in' | 'out';
  frame: unknown[];
}

export type FakeAnswer = unknown | { hold: Promise<unknown> };

export class FakeCentralSystem {
  readonly frames: FakeFrame[] = [];
  readonly connections: WebSocket[] = [];
  /** Connection attempts (upgrade requests), with times. */
  readonly attempts: number[] = [];
  onCall: (action: string, payload: any) => FakeAnswer = (action) => defaultAnswer(action);
  private seq = 0;
  private waiters: Array<{ id: string; resolve: (f: unknown[]) => void }> = [];

  private constructor(
    private readonly wss: WebSocketServer,
    readonly port: number,
    private readonly gate: { open: boolean },
  ) {
    wss.on('headers', () => this.attempts.push(Date.now()));
    wss.on('connection', (ws) => {
      this.connections.push(ws);
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as unknown[];
        this.frames.push({ at: Date.now(), dir: 'in', frame });
        if (frame[0] === 2) void this.answer(ws, frame);
        else this.waiters = this.waiters.filter((w) => (w.id === frame[1] ? (w.resolve(frame), false) : true));
      });
    });
  }

  /** Listens on 127.0.0.1 and agrees to `subprotocol` (ocpp1.6, or ocpp2.0.1 with its default answers). */
  static async start(subprotocol: 'ocpp1.6' | 'ocpp2.0.1' = 'ocpp1.6'): Promise<FakeCentralSystem> {
    const gate = { open: true };
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, verifyClient: () => gate.open, handleProtocols: (p) => (p.has(subprotocol) ? subprotocol : false) });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const cs = new FakeCentralSystem(wss, (wss.address() as AddressInfo).port, gate);
    if (subprotocol === 'ocpp2.0.1') cs.onCall = defaultAnswer201;
    return cs;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/ocpp`;
  }

  private async answer(ws: WebSocket, frame: unknown[]): Promise<void> {
    const [, id, action, payload] = frame as [number, string, string, unknown];
    let res = this.onCall(action, payload);
    if (res && typeof res === 'object' && 'hold' in res) res = await (res as { hold: Promise<unknown> }).hold;
    const out = [3, id, res];
    this.frames.push({ at: Date.now(), dir: 'out', frame: out });
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(out));
  }

  /** Sends a CALL to the newest connection and resolves with the answer frame. */
  call(action: string, payload: unknown, timeoutMs = 5000): Promise<unknown[]> {
    const ws = this.connections[this.connections.length - 1];
    if (!ws) return Promise.reject(new Error('no charger connected'));
    const id = `cs-${++this.seq}`;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no answer to ${action}`)), timeoutMs);
      this.waiters.push({ id, resolve: (f) => (clearTimeout(t), resolve(f)) });
      const out = [2, id, action, payload];
      this.frames.push({ at: Date.now(), dir: 'out', frame: out });
      ws.send(JSON.stringify(out));
    });
  }

  /** The charger's calls (action, payload, arrival time). */
  calls(action?: string): Array<{ at: number; action: string; payload: any }> {
    return this.frames.filter((f) => f.dir === 'in' && f.frame[0] === 2 && (!action || f.frame[2] === action)).map((f) => ({ at: f.at, action: f.frame[2] as string, payload: f.frame[3] }));
  }

  /** false: connection attempts are refused (HTTP 401), as by a central system that is down. */
  set accepting(open: boolean) {
    this.gate.open = open;
  }

  /** Drops every charger socket abruptly. */
  dropAll(): void {
    for (const ws of this.connections) ws.terminate();
  }

  async close(): Promise<void> {
    for (const ws of this.connections) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

let txSeq = 1000;

export function defaultAnswer(action: string): unknown {
  const now = new Date().toISOString();
  switch (action) {
    case 'BootNotification':
      return { status: 'Accepted', currentTime: now, interval: 60 };
    case 'Heartbeat':
      return { currentTime: now };
    case 'Authorize':
      return { idTagInfo: { status: 'Accepted' } };
    case 'StartTransaction':
      return { transactionId: ++txSeq, idTagInfo: { status: 'Accepted' } };
    case 'DataTransfer':
      return { status: 'UnknownVendorId' };
    default:
      return {};
  }
}

/** What a 2.0.1 CSMS answers by default: everything accepted, a Started event's token too. */
export function defaultAnswer201(action: string, payload: any): unknown {
  switch (action) {
    case 'Authorize':
      return { idTokenInfo: { status: 'Accepted' } };
    case 'TransactionEvent':
      return payload?.idToken ? { idTokenInfo: { status: 'Accepted' } } : {};
    case 'BootNotification':
    case 'Heartbeat':
    case 'DataTransfer':
      return defaultAnswer(action);
    default:
      return {};
  }
}
