/**
 * Load-generator process: simulates a slice of the chargers over raw `ws` sockets, on the
 * parent's commands (IPC). Built to cost the machine as little as possible per message:
 * - frames are built by string concatenation, never JSON.stringify of objects;
 * - an answer is recognised from its first bytes and its numeric id, parsed in place; only
 *   StartTransaction answers are looked into (for the transactionId);
 * - no promise, closure or timer per message; one latency histogram per process;
 * - a zero WebSocket mask (allowed by RFC 6455), so ws skips masking what we send.
 * Chargers speak OCPP 1.6J, or 2.0.1 when the setup says so (meter values then ride in
 * TransactionEvent Updated, as 2.0.1 stations send them).
 * Each charger connects from a source address spread over 127.0.0.2-201, so ephemeral ports
 * never run out. Every phase is bounded in time; the process exits when the parent goes.
 * With BENCH_GEN_PROFILE_DIR set, each closed-loop window of this process is CPU-profiled
 * into that folder (to check what the generator itself costs).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import WebSocket from 'ws';
import { Histogram } from './hist.js';
import type { ConnectResult, ErrorCounters, GenCommand, GenReply, LoopResult, OcppVersion } from './protocol.js';

const K_BOOT = 1;
const K_HB = 2;
const K_MV = 3;
const K_START = 4;
const K_STOP = 5;
const K_STATUS = 6;

const SRC_FIRST = 2;
const SRC_COUNT = 200;

class Sim {
  ws: WebSocket | null = null;
  /** Id of the last call sent (message ids are decimal numbers, unique per socket). */
  seq = 0;
  /** Kind of the call awaiting its answer, 0 when none. */
  pending = 0;
  /** performance.now() the pending call was sent (fixed rate: when it was due). */
  sentAt = 0;
  connectStart = 0;
  openedAt = 0;
  attempt = 0;
  ready = false;
  closing = false;
  txId = 0;
  /** 2.0.1: seqNo of the next TransactionEvent (per charger, over its transactions). */
  eventSeq = 0;
  wh = 0;
  meterTs: number;
  alt = false;
  meters = 0;
  /** Fixed rate: due times of calls waiting for the previous answer (rarely used). */
  backlog: number[] | null = null;
  readonly onMessage: (data: Buffer) => void;

  constructor(
    readonly idx: number,
    readonly id: string,
    readonly tag: string,
    readonly localAddress: string,
  ) {
    // Meter timestamps: unique per charger and strictly increasing, like a real meter.
    this.meterTs = Date.UTC(2026, 0, 1) + idx * 7;
    this.onMessage = (data) => onFrame(this, data);
  }
}

let url = '';
let strict = true;
let sims: Sim[] = [];
const counters: ErrorCounters = { callErrors: 0, errorSamples: [], protocolErrors: 0, unexpectedCloses: 0, serverCalls: 0 };

/** What to do with an answer; switched per phase. */
let onResult: (sim: Sim, kind: number, now: number, ok: boolean, data: Buffer) => void = () => {};

const toLocal = (epochMs: number) => epochMs - performance.timeOrigin;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

function onFrame(sim: Sim, data: Buffer): void {
  const now = performance.now();
  const t = data[1];
  if (t === 0x32) {
    answerServerCall(sim, data);
    return;
  }
  if ((t !== 0x33 && t !== 0x34) || data[0] !== 0x5b || data[3] !== 0x22) {
    counters.protocolErrors++;
    return;
  }
  let id = 0;
  for (let i = 4; i < data.length; i++) {
    const c = data[i]!;
    if (c === 0x22) break;
    id = id * 10 + (c - 48);
  }
  const kind = sim.pending;
  if (kind === 0 || id !== sim.seq) {
    counters.protocolErrors++;
    return;
  }
  sim.pending = 0;
  const ok = t === 0x33;
  if (!ok) {
    counters.callErrors++;
    if (counters.errorSamples.length < 5) counters.errorSamples.push(data.toString('utf8', 0, 300));
  }
  onResult(sim, kind, now, ok, data);
}

function answerServerCall(sim: Sim, data: Buffer): void {
  counters.serverCalls++;
  try {
    const msg = JSON.parse(data.toString()) as [number, string];
    sim.ws?.send(`[3,${JSON.stringify(msg[1])},{}]`);
  } catch {
    counters.protocolErrors++;
  }
}

// ---- frames ----

function send(sim: Sim, kind: number, frame: string): void {
  sim.pending = kind;
  sim.ws!.send(frame);
}

function sendBoot16(sim: Sim): void {
  send(sim, K_BOOT, `[2,"${++sim.seq}","BootNotification",{"chargePointVendor":"BenchVendor","chargePointModel":"AC22-Sim","chargePointSerialNumber":"SN${sim.idx}","firmwareVersion":"1.4.2"}]`);
}

function sendHeartbeat(sim: Sim): void {
  send(sim, K_HB, `[2,"${++sim.seq}","Heartbeat",{}]`);
}

const STATUSES = ['Charging', 'SuspendedEV', 'Charging', 'Finishing', 'Available'];

/** A connector status change (UI scenario: what the dashboard and charger list show live). */
function sendStatus(sim: Sim): void {
  const status = STATUSES[sim.seq % STATUSES.length];
  send(sim, K_STATUS, `[2,"${++sim.seq}","StatusNotification",{"connectorId":1,"status":"${status}","errorCode":"NoError","timestamp":"${new Date().toISOString()}"}]`);
}

function nextMeter(sim: Sim): string {
  sim.meterTs += 1000;
  return new Date(sim.meterTs).toISOString();
}

/** A realistic periodic sample: energy register, power, current, voltage. */
function sendMeterValues16(sim: Sim): void {
  const ts = nextMeter(sim);
  const n = sim.seq % 40;
  sim.wh += 3;
  send(
    sim,
    K_MV,
    '[2,"' +
      ++sim.seq +
      '","MeterValues",{"connectorId":1,"transactionId":' +
      sim.txId +
      ',"meterValue":[{"timestamp":"' +
      ts +
      '","sampledValue":[{"value":"' +
      sim.wh +
      '","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","location":"Outlet","unit":"Wh"},{"value":"' +
      (10800 + n * 10) +
      '","context":"Sample.Periodic","measurand":"Power.Active.Import","location":"Outlet","unit":"W"},{"value":"15.' +
      (n % 10) +
      '","context":"Sample.Periodic","measurand":"Current.Import","location":"Outlet","unit":"A"},{"value":"23' +
      (n % 3) +
      '.4","context":"Sample.Periodic","measurand":"Voltage","location":"Outlet","unit":"V"}]}]}]',
  );
}

function sendStart16(sim: Sim): void {
  const ts = nextMeter(sim);
  send(sim, K_START, `[2,"${++sim.seq}","StartTransaction",{"connectorId":1,"idTag":"${sim.tag}","meterStart":${sim.wh},"timestamp":"${ts}"}]`);
}

function sendStop16(sim: Sim): void {
  const ts = nextMeter(sim);
  sim.wh += 3;
  send(
    sim,
    K_STOP,
    '[2,"' +
      ++sim.seq +
      '","StopTransaction",{"transactionId":' +
      sim.txId +
      ',"idTag":"' +
      sim.tag +
      '","meterStop":' +
      sim.wh +
      ',"timestamp":"' +
      ts +
      '","reason":"Local","transactionData":[{"timestamp":"' +
      ts +
      '","sampledValue":[{"value":"' +
      sim.wh +
      '","context":"Transaction.End","measurand":"Energy.Active.Import.Register","location":"Outlet","unit":"Wh"}]}]}]',
  );
}

const TX_KEY = Buffer.from('"transactionId":');
let fakeTx = 0;

/** The transactionId from a StartTransaction answer, parsed in place (0 when absent). */
function transactionIdOf(data: Buffer): number {
  const at = data.indexOf(TX_KEY);
  if (at < 0) return 0;
  let v = 0;
  for (let i = at + TX_KEY.length; i < data.length; i++) {
    const c = data[i]!;
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  return v;
}

function takeTransactionId16(sim: Sim, ok: boolean, data: Buffer): boolean {
  const tx = ok ? transactionIdOf(data) : 0;
  if (tx > 0) sim.txId = tx;
  else if (!strict)
    sim.txId = ++fakeTx; // the baseline answers {}
  else return false;
  return true;
}

// ---- OCPP 2.0.1 frames: the same load as TransactionEvents, meter values inside them ----

function sendBoot201(sim: Sim): void {
  send(
    sim,
    K_BOOT,
    `[2,"${++sim.seq}","BootNotification",{"chargingStation":{"model":"AC22-Sim","vendorName":"BenchVendor","serialNumber":"SN${sim.idx}","firmwareVersion":"1.4.2"},"reason":"PowerUp"}]`,
  );
}

/** One TransactionEvent of the charger's current transaction (the station chooses its id). */
function sendEvent201(sim: Sim, kind: number, head: string, sampled: string, ts: string): void {
  send(
    sim,
    kind,
    '[2,"' +
      ++sim.seq +
      '","TransactionEvent",{' +
      head +
      ',"timestamp":"' +
      ts +
      '","seqNo":' +
      sim.eventSeq++ +
      ',"transactionInfo":{"transactionId":"B' +
      sim.idx +
      '-' +
      sim.txId +
      '","chargingState":"Charging"},"meterValue":[{"timestamp":"' +
      ts +
      '","sampledValue":[' +
      sampled +
      ']}]}]',
  );
}

const energy201 = (sim: Sim, context: string) => `{"value":${sim.wh},"context":"${context}","measurand":"Energy.Active.Import.Register","location":"Outlet","unitOfMeasure":{"unit":"Wh"}}`;

function sendStart201(sim: Sim): void {
  sim.txId++;
  sendEvent201(
    sim,
    K_START,
    `"eventType":"Started","triggerReason":"Authorized","evse":{"id":1,"connectorId":1},"idToken":{"idToken":"${sim.tag}","type":"ISO14443"}`,
    energy201(sim, 'Transaction.Begin'),
    nextMeter(sim),
  );
}

/** The periodic sample of sendMeterValues16, as a TransactionEvent Updated. */
function sendMeterValues201(sim: Sim): void {
  const ts = nextMeter(sim);
  const n = sim.seq % 40;
  sim.wh += 3;
  sendEvent201(
    sim,
    K_MV,
    '"eventType":"Updated","triggerReason":"MeterValuePeriodic"',
    energy201(sim, 'Sample.Periodic') +
      ',{"value":' +
      (10800 + n * 10) +
      ',"context":"Sample.Periodic","measurand":"Power.Active.Import","location":"Outlet","unitOfMeasure":{"unit":"W"}},{"value":15.' +
      (n % 10) +
      ',"context":"Sample.Periodic","measurand":"Current.Import","location":"Outlet","unitOfMeasure":{"unit":"A"}},{"value":23' +
      (n % 3) +
      '.4,"context":"Sample.Periodic","measurand":"Voltage","location":"Outlet","unitOfMeasure":{"unit":"V"}}',
    ts,
  );
}

function sendStop201(sim: Sim): void {
  sim.wh += 3;
  sendEvent201(sim, K_STOP, `"eventType":"Ended","triggerReason":"StopAuthorized","idToken":{"idToken":"${sim.tag}","type":"ISO14443"}`, energy201(sim, 'Transaction.End'), nextMeter(sim));
}

/** A Started event answered: the edge must accept the token (the baseline answers {}). */
function startAccepted201(_sim: Sim, ok: boolean, data: Buffer): boolean {
  return ok && (!strict || data.includes('"Accepted"'));
}

/** What a charger of each version sends for each kind of call. */
interface Frames {
  subprotocol: string;
  boot(sim: Sim): void;
  start(sim: Sim): void;
  meter(sim: Sim): void;
  stop(sim: Sim): void;
  /** Whether the start's answer gave the session what it needs to go on (1.6: a transactionId). */
  started(sim: Sim, ok: boolean, data: Buffer): boolean;
}

const FRAMES: Record<OcppVersion, Frames> = {
  '1.6': { subprotocol: 'ocpp1.6', boot: sendBoot16, start: sendStart16, meter: sendMeterValues16, stop: sendStop16, started: takeTransactionId16 },
  '2.0.1': { subprotocol: 'ocpp2.0.1', boot: sendBoot201, start: sendStart201, meter: sendMeterValues201, stop: sendStop201, started: startAccepted201 },
};
let frames = FRAMES['1.6'];

// ---- self-profiling (BENCH_GEN_PROFILE_DIR): the generator's own cost over a closed-loop window ----

const profileDir = process.env.BENCH_GEN_PROFILE_DIR;

async function profileStart(): Promise<Session | null> {
  if (!profileDir) return null;
  const s = new Session();
  s.connect();
  const post = (m: string, p?: object) => new Promise<void>((r) => s.post(m, p ?? {}, () => r()));
  await post('Profiler.enable');
  await post('Profiler.start');
  return s;
}

async function profileStop(s: Session | null, name: string): Promise<void> {
  if (!s) return;
  await new Promise<void>((r) =>
    s.post('Profiler.stop', (err, res) => {
      if (!err) writeFileSync(`${profileDir}/gen-${name}-${process.pid}-${Date.now()}.cpuprofile`, JSON.stringify(res.profile));
      s.disconnect();
      r();
    }),
  );
}

// ---- phases ----

function setup(cmd: Extract<GenCommand, { op: 'setup' }>): { chargers: number } {
  for (const s of sims) {
    s.closing = true;
    s.ws?.terminate();
  }
  url = cmd.url;
  strict = cmd.strict;
  frames = FRAMES[cmd.ocpp ?? '1.6'];
  sims = [];
  for (let i = cmd.from; i < cmd.to; i++) {
    const id = cmd.idPrefix + String(i).padStart(5, '0');
    sims.push(new Sim(i, id, `T${String(i).padStart(5, '0')}`, `127.0.0.${SRC_FIRST + (i % SRC_COUNT)}`));
  }
  return { chargers: sims.length };
}

const WS_OPTIONS = {
  perMessageDeflate: false,
  skipUTF8Validation: true,
  handshakeTimeout: 30000,
  maxPayload: 1 << 20,
  followRedirects: false,
  generateMask: () => {},
};

function connect(cmd: Extract<GenCommand, { op: 'connect' }>): Promise<ConnectResult> {
  const todo = (cmd.upTo === undefined ? sims : sims.slice(0, cmd.upTo)).filter((s) => !s.ready);
  const bootLatency = new Histogram();
  const connectToAccepted = new Histogram();
  const res: ConnectResult = {
    attempted: todo.length,
    accepted: 0,
    failed: 0,
    retries: 0,
    lastAcceptedAt: 0,
    bootLatency: bootLatency.data(),
    connectToAccepted: connectToAccepted.data(),
    failures: [],
  };
  const deadline = toLocal(cmd.deadlineAt);
  let next = 0;
  let inFlight = 0;
  return new Promise((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(guard);
      onResult = () => {};
      res.bootLatency = bootLatency.data();
      res.connectToAccepted = connectToAccepted.data();
      resolve(res);
    };
    const fail = (sim: Sim, why: string) => {
      res.failed++;
      if (res.failures.length < 5) res.failures.push(`${sim.id}: ${why}`);
      inFlight--;
      launch();
    };
    const open = (sim: Sim) => {
      if (performance.now() > deadline) return fail(sim, 'deadline');
      const ws = new WebSocket(url + sim.id, frames.subprotocol, { ...WS_OPTIONS, localAddress: sim.localAddress });
      sim.ws = ws;
      sim.closing = false;
      let opened = false;
      ws.on('open', () => {
        opened = true;
        sim.openedAt = performance.now();
        ws.on('message', sim.onMessage as (d: WebSocket.RawData) => void);
        frames.boot(sim);
      });
      ws.on('error', () => {});
      ws.on('close', (code) => {
        if (sim.ws !== ws) return; // an earlier attempt of this charger
        const wasReady = sim.ready;
        sim.ready = false;
        sim.pending = 0;
        sim.ws = null;
        if (wasReady) {
          if (!sim.closing) counters.unexpectedCloses++;
          return;
        }
        if (finished) return;
        // Failed before Accepted: retry like a charger would (quickly: this is a bench).
        if (sim.attempt < 5 && performance.now() < deadline) {
          sim.attempt++;
          res.retries++;
          setTimeout(() => open(sim), 50 * sim.attempt);
        } else fail(sim, opened ? `closed ${code} before Accepted` : 'could not connect');
      });
    };
    const launch = () => {
      while (inFlight < cmd.window && next < todo.length) {
        const sim = todo[next++]!;
        inFlight++;
        sim.attempt = 0;
        sim.connectStart = performance.now();
        open(sim);
      }
      if (res.accepted + res.failed === todo.length) finish();
    };
    onResult = (sim, kind, now, ok, data) => {
      if (kind !== K_BOOT) return;
      if (ok && (!strict || data.includes('"Accepted"'))) {
        sim.ready = true;
        res.accepted++;
        res.lastAcceptedAt = performance.timeOrigin + now;
        bootLatency.recordMs(now - sim.openedAt);
        connectToAccepted.recordMs(now - sim.connectStart);
        inFlight--;
        launch();
      } else {
        sim.closing = true;
        sim.ws?.close();
        fail(sim, `boot answer ${data.toString('utf8', 0, 200)}`);
      }
    };
    const guard = setTimeout(
      () => {
        res.failures.push(`deadline: ${todo.length - res.accepted - res.failed} chargers not Accepted in time`);
        res.failed += todo.length - res.accepted - res.failed;
        finish();
      },
      Math.max(0, deadline - performance.now()) + 2000,
    );
    void sleep(toLocal(cmd.startAt) - performance.now()).then(launch);
  });
}

async function disconnect(cmd: Extract<GenCommand, { op: 'disconnect' }>): Promise<{ closed: number; terminated: number }> {
  const open = sims.filter((s) => s.ws);
  let left = open.length;
  let terminated = 0;
  await new Promise<void>((resolve) => {
    if (!left) return resolve();
    const t = setTimeout(() => {
      for (const s of open) if (s.ws) s.ws.terminate(), terminated++;
      resolve();
    }, cmd.timeoutMs);
    for (const s of open) {
      s.closing = true;
      s.ws!.once('close', () => {
        if (--left === 0) clearTimeout(t), resolve();
      });
      s.ws!.close(1000);
    }
  });
  for (const s of sims) {
    s.ws = null;
    s.ready = false;
    s.pending = 0;
  }
  return { closed: open.length - terminated, terminated };
}

function startTx(cmd: Extract<GenCommand, { op: 'startTx' }>): Promise<{ started: number; failed: number }> {
  const todo = sims.filter((s) => s.ready);
  let next = 0;
  let inFlight = 0;
  let started = 0;
  let failed = 0;
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(guard);
      onResult = () => {};
      resolve({ started, failed });
    };
    const launch = () => {
      while (inFlight < cmd.window && next < todo.length) {
        inFlight++;
        frames.start(todo[next++]!);
      }
      if (started + failed === todo.length) finish();
    };
    onResult = (sim, kind, _now, ok, data) => {
      if (kind !== K_START) return;
      inFlight--;
      if (frames.started(sim, ok, data)) started++;
      else failed++;
      launch();
    };
    const guard = setTimeout(
      () => {
        failed = todo.length - started;
        finish();
      },
      Math.max(0, toLocal(cmd.deadlineAt) - performance.now()),
    );
    launch();
  });
}

let idleTimer: NodeJS.Timeout | null = null;
const idleStats = { sent: 0, answered: 0, skipped: 0 };

/** Every ready charger heartbeats once per interval, spread evenly over it. */
function idleStart(cmd: Extract<GenCommand, { op: 'idleStart' }>): { chargers: number } {
  const list = sims.filter((s) => s.ready);
  idleStats.sent = idleStats.answered = idleStats.skipped = 0;
  onResult = (_sim, kind) => {
    if (kind === K_HB) idleStats.answered++;
  };
  const t0 = performance.now();
  let cursor = 0;
  let issued = 0;
  const tick = () => {
    const due = Math.floor(((performance.now() - t0) / cmd.intervalMs) * list.length);
    while (issued < due) {
      const sim = list[cursor]!;
      cursor = (cursor + 1) % list.length;
      issued++;
      if (sim.ready && sim.pending === 0) {
        sendHeartbeat(sim);
        idleStats.sent++;
      } else idleStats.skipped++;
    }
  };
  if (list.length) idleTimer = setInterval(tick, 20);
  return { chargers: list.length };
}

function idleStop(): typeof idleStats {
  if (idleTimer) clearInterval(idleTimer);
  idleTimer = null;
  onResult = () => {};
  return { ...idleStats };
}

/** Waits until `pred` or the local deadline, checking every few ms. */
function waitUntil(pred: () => boolean, deadline: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (pred() || performance.now() >= deadline ? resolve() : setTimeout(check, 5));
    check();
  });
}

/** Each charger sends its next call as soon as the previous one is answered: Heartbeat and MeterValues by turns. */
async function closedLoop(cmd: Extract<GenCommand, { op: 'closedLoop' }>): Promise<LoopResult> {
  const list = sims.filter((s) => s.ready && s.txId);
  const latency = new Histogram();
  const start = toLocal(cmd.startAt);
  const wStart = start + cmd.warmupMs;
  const wEnd = wStart + cmd.durationMs;
  let completed = 0;
  let outstanding = 0;
  const next = (sim: Sim) => {
    sim.alt = !sim.alt;
    sim.sentAt = performance.now();
    if (sim.alt) sendHeartbeat(sim);
    else frames.meter(sim);
  };
  onResult = (sim, _kind, now) => {
    if (now >= wStart && now < wEnd) {
      completed++;
      latency.recordMs(now - sim.sentAt);
    }
    if (now < wEnd && sim.ws) next(sim);
    else outstanding--;
  };
  await sleep(start - performance.now());
  for (const sim of list) {
    if (!sim.ws) continue;
    outstanding++;
    next(sim);
  }
  await sleep(wStart - performance.now());
  const prof = await profileStart();
  await sleep(wEnd - performance.now());
  await profileStop(prof, 'closed-loop');
  await waitUntil(() => outstanding <= 0, wEnd + cmd.drainMs);
  onResult = () => {};
  return { completed, sessions: 0, latency: latency.data(), scheduled: 0, sendLag: null, unanswered: Math.max(0, outstanding), windowMs: cmd.durationMs };
}

/**
 * Open loop: calls are due at fixed times (round robin over the chargers), whether or not
 * earlier answers came back; latency is measured from the due time, so a stall of the server
 * (or of this process) shows in full instead of delaying the schedule (no coordinated omission).
 */
async function fixedRate(cmd: Extract<GenCommand, { op: 'fixedRate' }>): Promise<LoopResult> {
  const list = sims.filter((s) => s.ready && (cmd.messages === 'status' || s.txId));
  const latency = new Histogram();
  const sendLag = new Histogram();
  const start = toLocal(cmd.startAt);
  const periodMs = 1000 / cmd.ratePerSec;
  const total = Math.floor((cmd.durationMs / 1000) * cmd.ratePerSec);
  let issued = 0;
  let completed = 0;
  const fire = (sim: Sim, due: number) => {
    sim.alt = !sim.alt;
    sim.sentAt = due;
    sendLag.recordMs(performance.now() - due);
    if (cmd.messages === 'status') sendStatus(sim);
    else if (sim.alt) sendHeartbeat(sim);
    else frames.meter(sim);
  };
  onResult = (sim, _kind, now) => {
    completed++;
    latency.recordMs(now - sim.sentAt);
    if (sim.backlog?.length && sim.ws) fire(sim, sim.backlog.shift()!);
  };
  await sleep(start - performance.now());
  if (list.length) {
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        const due = Math.min(total, Math.floor((now - start) / periodMs) + 1);
        while (issued < due) {
          const at = start + issued * periodMs;
          const sim = list[issued % list.length]!;
          issued++;
          if (!sim.ws) continue;
          if (sim.pending) {
            sim.backlog ??= [];
            sim.backlog.push(at);
          } else fire(sim, at);
        }
        if (issued >= total) return resolve();
        setTimeout(tick, Math.max(0, start + issued * periodMs - performance.now()));
      };
      tick();
    });
  }
  const end = start + cmd.durationMs;
  await waitUntil(() => completed >= issued, Math.max(end, performance.now()) + cmd.drainMs);
  // Unanswered calls count with the time they waited so far (a lower bound), not as nothing.
  const now = performance.now();
  let unanswered = 0;
  for (const sim of list) {
    if (sim.pending) {
      latency.recordMs(now - sim.sentAt);
      unanswered++;
    }
    if (sim.backlog) {
      for (const due of sim.backlog) latency.recordMs(now - due);
      unanswered += sim.backlog.length;
      sim.backlog = null;
    }
  }
  onResult = () => {};
  return { completed, sessions: 0, latency: latency.data(), scheduled: issued, sendLag: sendLag.data(), unanswered, windowMs: cmd.durationMs };
}

/** Each charger runs StartTransaction, N x MeterValues, StopTransaction, again and again. */
async function churn(cmd: Extract<GenCommand, { op: 'churn' }>): Promise<LoopResult> {
  const list = sims.filter((s) => s.ready);
  const latency = new Histogram();
  const start = toLocal(cmd.startAt);
  const wStart = start + cmd.warmupMs;
  const wEnd = wStart + cmd.durationMs;
  let completed = 0;
  let sessions = 0;
  let outstanding = 0;
  let broken = 0;
  onResult = (sim, kind, now, ok, data) => {
    const inWindow = now >= wStart && now < wEnd;
    if (inWindow) {
      completed++;
      latency.recordMs(now - sim.sentAt);
    }
    if (kind === K_STOP && inWindow) sessions++;
    if (now >= wEnd || !sim.ws) {
      outstanding--;
      return;
    }
    sim.sentAt = now;
    if (kind === K_START) {
      if (!frames.started(sim, ok, data)) {
        broken++;
        outstanding--;
        return;
      }
      sim.meters = 0;
    }
    if (kind === K_STOP) frames.start(sim);
    else if (sim.meters++ < cmd.metersPerSession) frames.meter(sim);
    else frames.stop(sim);
  };
  await sleep(start - performance.now());
  for (const sim of list) {
    if (!sim.ws) continue;
    outstanding++;
    sim.sentAt = performance.now();
    frames.start(sim);
  }
  await sleep(wEnd - performance.now());
  await waitUntil(() => outstanding <= 0, wEnd + cmd.drainMs);
  onResult = () => {};
  if (broken) counters.protocolErrors += broken;
  return { completed, sessions, latency: latency.data(), scheduled: 0, sendLag: null, unanswered: Math.max(0, outstanding), windowMs: cmd.durationMs };
}

async function handle(cmd: GenCommand): Promise<unknown> {
  switch (cmd.op) {
    case 'setup':
      return setup(cmd);
    case 'connect':
      return connect(cmd);
    case 'disconnect':
      return disconnect(cmd);
    case 'startTx':
      return startTx(cmd);
    case 'idleStart':
      return idleStart(cmd);
    case 'idleStop':
      return idleStop();
    case 'closedLoop':
      return closedLoop(cmd);
    case 'fixedRate':
      return fixedRate(cmd);
    case 'churn':
      return churn(cmd);
    case 'counters': {
      // Returned and reset: each scenario reads its own.
      const c = { ...counters, errorSamples: counters.errorSamples.splice(0) };
      counters.callErrors = counters.protocolErrors = counters.unexpectedCloses = counters.serverCalls = 0;
      return c;
    }
  }
}

if (!process.send) {
  console.error('loadgen.ts is started by test/bench/run.ts (it needs an IPC channel)');
  process.exit(2);
}
process.on('message', (msg: { reqId: number; cmd: GenCommand }) => {
  handle(msg.cmd).then(
    (result) => process.send!({ reqId: msg.reqId, ok: true, result, counters } satisfies GenReply),
    (err: unknown) => process.send!({ reqId: msg.reqId, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err), counters } satisfies GenReply),
  );
});
// The parent gone (crash, kill): leave at once, sockets and all.
process.on('disconnect', () => process.exit(0));
process.send({ ready: true, pid: process.pid });
