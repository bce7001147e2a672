import WebSocket from 'ws';

type Frame = [number, string, ...unknown[]];

/**
 * A bare OCPP-J test peer over a real socket: sends raw frames or calls, records every frame
 * received, and answers the central system's calls with a handler (default: empty result).
 */
export class TestCharger {
  readonly received: Frame[] = [];
  private waiters: Array<{ pred: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  private seq = 0;
  onCall: (action: string, payload: any) => unknown = () => ({});

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      let f: Frame;
      try {
        f = JSON.parse(data.toString());
      } catch {
        return;
      }
      this.received.push(f);
      if (f[0] === 2) {
        const res = this.onCall(f[2] as string, f[3]);
        if (res !== undefined) ws.send(JSON.stringify([3, f[1], res]));
      }
      this.waiters = this.waiters.filter((w) => (w.pred(f) ? (w.resolve(f), false) : true));
    });
  }

  /**
   * `localAddress`: connect from this loopback address (127.0.0.x), as a charger elsewhere on the LAN would.
   * `clearText`: mask frames with zeros, so the server's reads in a syscall trace show them.
   */
  static connect(url: string, opts: { protocols?: string[] | null; headers?: Record<string, string>; localAddress?: string; clearText?: boolean } = {}): Promise<TestCharger> {
    const protocols = opts.protocols === null ? undefined : (opts.protocols ?? ['ocpp1.6']);
    const ws = new WebSocket(url, protocols, {
      headers: opts.headers ?? {},
      ...(opts.localAddress && { localAddress: opts.localAddress }),
      ...(opts.clearText && { generateMask: (mask: Buffer) => void mask.fill(0) }),
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestCharger(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
    });
  }

  /** Resolves with the next frame matching `pred` (already received ones are not considered). */
  next(pred: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timed out waiting for frame')), timeoutMs);
      this.waiters.push({ pred, resolve: (f) => (clearTimeout(t), resolve(f)) });
    });
  }

  sendRaw(text: string | Buffer, binary = false): void {
    this.ws.send(text, { binary });
  }

  /** Sends a CALL and resolves with the CALLRESULT payload, or rejects with the CALLERROR. */
  async call(action: string, payload: unknown, id = `t${++this.seq}`): Promise<any> {
    const answer = this.next((f) => (f[0] === 3 || f[0] === 4) && f[1] === id);
    this.ws.send(JSON.stringify([2, id, action, payload]));
    const f = await answer;
    if (f[0] === 3) return f[2];
    throw Object.assign(new Error(`${f[2]}: ${f[3]}`), { code: f[2], description: f[3] });
  }

  /** Sends a CALL and resolves with the raw answer frame, CALLRESULT or CALLERROR. */
  async callRaw(action: string, payload: unknown, id = `t${++this.seq}`): Promise<Frame> {
    const answer = this.next((f) => (f[0] === 3 || f[0] === 4) && f[1] === id);
    this.ws.send(JSON.stringify([2, id, action, payload]));
    return answer;
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }

  closed(): Promise<{ code: number; reason: string }> {
    return new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }
}

export const boot = (c: TestCharger, vendor = 'Siemens', model = '8EM1310-3EJ04-0GA0') =>
  c.call('BootNotification', { chargePointVendor: vendor, chargePointModel: model, chargePointSerialNumber: 'JAAL34S021', firmwareVersion: '1.0.0' });
