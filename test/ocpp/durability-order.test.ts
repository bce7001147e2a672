/**
 * Durability, seen from the real system calls: a StartTransaction, MeterValues and
 * StopTransaction (a 2.0.1 TransactionEvent) are answered only after the WAL holding them reached the disk
 * (synchronous=FULL: fsync/fdatasync of the -wal file at commit). The service runs as
 * `npm run serve` under strace; for each message the trace must show, in this order, the read
 * of its CALL from the charger's socket, a successful sync of the WAL, and the write of its
 * CALLRESULT to that socket. With synchronous=NORMAL (no sync at commit) this test fails.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { boot, TestCharger } from '../helpers/ocpp-client.js';
import { cleanupServes, startServe } from '../helpers/serve-process.js';
import { boot201, txEvent } from './v201-support.js';

const STRACE = '/usr/bin/strace';
const TOKEN = 'durability-token-0123456789';
const root = mkdtempSync(join(tmpdir(), 'ocpp-edge-durability-'));
after(() => {
  cleanupServes();
  rmSync(root, { recursive: true, force: true });
});

/** Why strace cannot trace a child here, or null when it can. */
function straceUnavailable(): string | null {
  if (!existsSync(STRACE)) return `needs ${STRACE}`;
  const r = spawnSync(STRACE, ['-qq', '-e', 'trace=none', 'true']);
  return r.status === 0 ? null : `strace cannot trace here: ${r.stderr.toString().trim()}`;
}

interface Call {
  /** Line where the call started and where it returned (the same unless another thread cut in). */
  start: number;
  end: number;
  name: string;
  /** The whole call as strace printed it, arguments and result. */
  text: string;
}

/** `PID TIME name(args) = r` lines, with `<unfinished ...>` / `<... name resumed>` pairs joined. */
function parseTrace(text: string): Call[] {
  const calls: Call[] = [];
  const pending = new Map<string, { start: number; head: string }>();
  for (const [i, line] of text.split('\n').entries()) {
    // strace pads the pid column: "9740  1796…" and "10034 1796…" alike.
    const m = /^(\d+) +[\d.]+ (.*)$/.exec(line);
    if (!m) continue;
    const [, pid, rest] = m as unknown as [string, string, string];
    const unfinished = /^(\w+)\((.*) <unfinished \.\.\.>$/.exec(rest);
    if (unfinished) {
      pending.set(pid, { start: i, head: rest.replace(/ <unfinished \.\.\.>$/, '') });
      continue;
    }
    const resumed = /^<\.\.\. (\w+) resumed>(.*)$/.exec(rest);
    if (resumed) {
      const p = pending.get(pid);
      pending.delete(pid);
      if (p) calls.push({ start: p.start, end: i, name: resumed[1]!, text: p.head + resumed[2]! });
      continue;
    }
    const call = /^(\w+)\(/.exec(rest);
    if (call) calls.push({ start: i, end: i, name: call[1]!, text: rest });
  }
  return calls;
}

/** Runs `npm run serve` under strace while `drive` talks to it; returns the trace and the charger socket's tag in it. */
async function traced(name: string, drive: (base: string, port: number) => Promise<TestCharger>): Promise<{ calls: Call[]; socketTag: string }> {
  const traceFile = join(root, `${name}.txt`);
  const dataDir = join(root, name);
  const strace = [STRACE, '-f', '--seccomp-bpf', '-qq', '-ttt', '-yy', '-s', '400', '-e', 'trace=read,recvfrom,recvmsg,fsync,fdatasync,write,writev,sendto,sendmsg', '-o', traceFile];
  const service = await startServe(dataDir, [], { OCPP_EDGE_API_TOKEN: TOKEN }, [...strace, process.execPath, '--import', 'tsx']);
  // strace's child is the service: signalled directly, as strace itself may not pass a signal on.
  const servicePid = Number(readFileSync(`/proc/${service.proc.pid}/task/${service.proc.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
  let socketTag = '';
  try {
    const tag = await fetch(`${service.base}/api/rfid`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tagId: 'DURABLE1' }),
    });
    assert.equal(tag.status, 201, await tag.text());
    const cp = await drive(service.base, service.port);
    socketTag = `->127.0.0.1:${(cp.ws as unknown as { _socket: { localPort: number } })._socket.localPort}]>`;
    await cp.close();
  } finally {
    process.kill(servicePid, 'SIGTERM');
    await service.exited;
  }
  return { calls: parseTrace(readFileSync(traceFile, 'utf8')), socketTag };
}

/** For each [message id, action]: read from the socket, then a successful WAL sync, then its CALLRESULT written. */
function assertSyncedBeforeAnswer(calls: Call[], socketTag: string, messages: ReadonlyArray<readonly [string, string]>): void {
  const onSocket = (names: string[], needle: string) => calls.find((c) => names.includes(c.name) && c.text.includes(socketTag) && c.text.includes(needle));
  const walSyncs = calls.filter((c) => (c.name === 'fsync' || c.name === 'fdatasync') && /-wal>\)? = 0$/.test(c.text));
  assert.ok(walSyncs.length > 0, 'the trace shows WAL syncs at all');
  for (const [id, action] of messages) {
    const received = onSocket(['read', 'recvfrom', 'recvmsg'], `[2,\\"${id}\\",\\"${action}\\"`);
    const answered = onSocket(['write', 'writev', 'sendto', 'sendmsg'], `[3,\\"${id}\\"`);
    assert.ok(received, `${action}: its CALL is read from the charger's socket in the trace`);
    assert.ok(answered, `${action}: its CALLRESULT is written to the charger's socket in the trace`);
    const synced = walSyncs.find((s) => s.start > received.end && s.end < answered.start);
    assert.ok(synced, `${action}: no successful fsync/fdatasync of the WAL between reading the CALL (trace line ${received.end + 1}) and writing the CALLRESULT (line ${answered.start + 1})`);
  }
}

test('durability (issue 8): each StartTransaction, MeterValues and StopTransaction is fsynced to the WAL before its CALLRESULT is written to the socket (strace of npm run serve)', async (t) => {
  const why = straceUnavailable();
  if (why) return void t.skip(why);
  const { calls, socketTag } = await traced('v16', async (_base, port) => {
    const cp = await TestCharger.connect(`ws://127.0.0.1:${port}/ocpp/DURABLE-CP`, { clearText: true });
    await boot(cp);
    const started = await cp.call('StartTransaction', { connectorId: 1, idTag: 'DURABLE1', meterStart: 100, timestamp: new Date().toISOString() }, 'durStart');
    assert.equal(started.idTagInfo.status, 'Accepted');
    const transactionId = started.transactionId as number;
    await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '600' }] }] }, 'durMeter');
    await cp.call('StopTransaction', { transactionId, meterStop: 900, timestamp: new Date().toISOString() }, 'durStop');
    return cp;
  });
  assertSyncedBeforeAnswer(calls, socketTag, [
    ['durStart', 'StartTransaction'],
    ['durMeter', 'MeterValues'],
    ['durStop', 'StopTransaction'],
  ]);
});

test('durability (issue 14): each OCPP 2.0.1 TransactionEvent (Started, Updated, Ended) is fsynced to the WAL before its CALLRESULT is written to the socket', async (t) => {
  const why = straceUnavailable();
  if (why) return void t.skip(why);
  const { calls, socketTag } = await traced('v201', async (_base, port) => {
    const cp = await TestCharger.connect(`ws://127.0.0.1:${port}/ocpp/DURABLE-201`, { clearText: true, protocols: ['ocpp2.0.1'] });
    await boot201(cp);
    for (const [seqNo, eventType, wh] of [
      [0, 'Started', 100],
      [1, 'Updated', 600],
      [2, 'Ended', 900],
    ] as const) {
      const answer = await cp.call('TransactionEvent', txEvent({ transactionId: 'durable-tx-1', seqNo, eventType, wh, idToken: 'DURABLE1', evseId: 1 }), `dur${eventType}`);
      assert.equal(answer.idTokenInfo.status, 'Accepted');
    }
    return cp;
  });
  assertSyncedBeforeAnswer(calls, socketTag, [
    ['durStarted', 'TransactionEvent'],
    ['durUpdated', 'TransactionEvent'],
    ['durEnded', 'TransactionEvent'],
  ]);
});
