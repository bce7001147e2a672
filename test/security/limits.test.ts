import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import WebSocket from 'ws';
import { isLoopback } from '../../main/api/http-server.js';
import { LoginThrottle } from '../../main/auth/login-throttle.js';
import { hashPassword } from '../../main/auth/password.js';
import { createLogger } from '../../main/log/logger.js';
import { TooManyPendingCallsError } from '../../main/ocpp/connection.js';
import { BreachLog } from '../../main/ocpp/limits.js';
import { getChargerAuth, insertCharger } from '../../main/store/queries/chargers.js';
import { startTestApp, TEST_TOKEN } from '../helpers/app.js';
import { netnsUnavailable, withNetns } from '../helpers/netns.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';
import { waitFor } from '../ocpp/support.js';

test('issue 5 limits: over maxMessagesPerSecond a charger is slowed down (backpressure), and every message is still answered', async () => {
  const app = await startTestApp({ maxMessagesPerSecond: 20, messageBurst: 5 });
  try {
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/FLOOD`);
    const t0 = Date.now();
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => cp.callRaw('Heartbeat', {}, `h${i}`)));
    const elapsed = Date.now() - t0;
    assert.ok(
      answers.every((f) => f[0] === 3),
      'all answered with CALLRESULT',
    );
    assert.ok(elapsed >= 800, `25 messages at 20/s with a burst of 5 take about a second (took ${elapsed} ms)`);
    await cp.close();
  } finally {
    await app.dispose();
  }
});

test('issue 5 limits: a charger sending more than maxBadMessagesPerMinute invalid messages is disconnected (1008); others are unaffected', async () => {
  const app = await startTestApp({ maxBadMessagesPerMinute: 5 });
  try {
    const good = await TestCharger.connect(`${app.wsBase}/ocpp/GOOD`);
    const bad = await TestCharger.connect(`${app.wsBase}/ocpp/BAD`);
    const closed = bad.closed();
    for (let i = 0; i < 6; i++) bad.sendRaw('not json');
    const { code } = await closed;
    assert.equal(code, 1008);
    assert.equal((await good.call('Heartbeat', {})).currentTime.length > 0, true);
    await good.close();
  } finally {
    await app.dispose();
  }
});

test('issue 5 limits: commands beyond maxPendingCalls for one charger are refused at once', async () => {
  const app = await startTestApp({ maxPendingCalls: 2, callTimeoutMs: 2000 });
  try {
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/SLOW`);
    cp.onCall = () => undefined; // never answers
    const first = app.ocpp.call('SLOW', 'ClearCache', {}).catch((e) => e);
    const second = app.ocpp.call('SLOW', 'ClearCache', {}).catch((e) => e);
    await assert.rejects(app.ocpp.call('SLOW', 'ClearCache', {}), TooManyPendingCallsError);
    const r = await app.api('/api/admin/SLOW/clear-cache', { method: 'POST', json: {} });
    assert.equal(r.status, 503);
    await cp.close();
    await Promise.all([first, second]);
  } finally {
    await app.dispose();
  }
});

test('issue 5 limits: connections beyond maxConnections are refused with 503', async () => {
  const app = await startTestApp({ maxConnections: 2 });
  try {
    const a = await TestCharger.connect(`${app.wsBase}/ocpp/A`);
    const b = await TestCharger.connect(`${app.wsBase}/ocpp/B`);
    await assert.rejects(TestCharger.connect(`${app.wsBase}/ocpp/C`), /503/);
    // The same charger reconnecting replaces its own slot.
    const a2 = await TestCharger.connect(`${app.wsBase}/ocpp/A`);
    await Promise.all([a.close(), b.close(), a2.close()]);
  } finally {
    await app.dispose();
  }
});

function connectFrom(url: string, localAddress: string, auth?: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, ['ocpp1.6'], { localAddress, headers: auth ? { authorization: auth } : {} });
    ws.once('open', () => (ws.close(), resolve(101)));
    ws.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => undefined);
  });
}
const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

/** Connects from `localAddress`; resolves with the HTTP status (101 when upgraded) and how long it took. */
async function timedConnectFrom(url: string, localAddress: string, auth?: string): Promise<{ status: number; ms: number }> {
  const t0 = Date.now();
  const status = await connectFrom(url, localAddress, auth);
  return { status, ms: Date.now() - t0 };
}

test('issue 8: wrong passwords lock out the address that sent them, never the charger: its right password from its own address still connects at once', async () => {
  const app = await startTestApp({ authMaxFailures: 3, authLockoutSec: 60 });
  try {
    insertCharger(app.db, 'LOCK1', { passwordHash: await hashPassword('right-password-123') });
    const events: any[] = [];
    const stream = new WebSocket(`${app.wsBase}/api/events`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    stream.on('message', (d) => events.push(JSON.parse(d.toString())));
    await new Promise((r) => stream.once('open', r));
    const url = `${app.wsBase}/ocpp/LOCK1`;
    const right = basic('LOCK1', 'right-password-123');
    // The charger lives on 127.0.0.3: that is where it last connected from successfully.
    assert.equal(await connectFrom(url, '127.0.0.3', right), 101);
    await waitFor(() => getChargerAuth(app.db, 'LOCK1')?.lastAddress === '127.0.0.3', 'connection recorded');
    // An attacker on 127.0.0.2 guesses.
    const statuses: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) statuses.push(await connectFrom(url, '127.0.0.2', basic('LOCK1', `guess${i}`)));
    assert.deepEqual(statuses, [401, 401, 401]);
    assert.ok(Date.now() - t0 >= 200 + 400 + 600 - 100, 'each failure slows the next answer (throttling)');
    // The attacker's address is locked out: more guesses, and even the right password, get 429.
    assert.equal(await connectFrom(url, '127.0.0.2', basic('LOCK1', 'guess9')), 429);
    assert.equal(await connectFrom(url, '127.0.0.2', right), 429);
    // The charger on its own address gets straight in; from another address it is slowed, not refused.
    const home = await timedConnectFrom(url, '127.0.0.3', right);
    const elsewhere = await timedConnectFrom(url, '127.0.0.4', right);
    assert.deepEqual([home.status, elsewhere.status], [101, 101]);
    assert.ok(elsewhere.ms >= 600 - 50, `a login to the attacked identity from another address waits (took ${elsewhere.ms} ms)`);
    assert.ok(home.ms + 300 < elsewhere.ms, `the charger's own address is not slowed (${home.ms} ms vs ${elsewhere.ms} ms)`);
    const lockouts = (await (await app.api('/api/security/lockouts')).json()) as any[];
    assert.deepEqual(lockouts.map((l) => `${l.kind}:${l.key}:${l.failures}`).sort(), ['address:127.0.0.2:3', 'identity:LOCK1:3']);
    await waitFor(() => events.some((e) => e.event === 'security.lockout'), 'lockout event');
    assert.deepEqual(
      events.filter((e) => e.event === 'security.lockout').map((e) => `${e.data.kind}:${e.data.key}`),
      ['address:127.0.0.2'],
    );
    assert.equal((await app.api('/api/security/lockouts/address/127.0.0.2', { method: 'DELETE' })).status, 200);
    assert.equal(await connectFrom(url, '127.0.0.2', right), 101);
    stream.close();
  } finally {
    await app.dispose();
  }
});

test('issue 8: an attacked identity is slowed, not locked: logins from elsewhere wait their turn (bounded), its own address never waits', () => {
  const throttle = new LoginThrottle(3, 60_000);
  const t = 1_000_000;
  for (let i = 0; i < 3; i++) throttle.failure(`127.0.0.${10 + i}`, 'CP1', t);
  assert.equal(throttle.slowDown('CP1', '127.0.0.5', '127.0.0.3', t), 600, '200 ms per recent failure');
  assert.equal(throttle.slowDown('CP1', '127.0.0.6', '127.0.0.3', t), 1200, 'queued behind the first: one guess at a time');
  assert.equal(throttle.slowDown('CP1', '127.0.0.3', '127.0.0.3', t), 0, "the charger's own address");
  assert.equal(throttle.slowDown('CP2', '127.0.0.5', null, t), 0, 'an identity without failures');
  let waits = 0;
  while (throttle.slowDown('CP1', '127.0.0.7', '127.0.0.3', t) !== null) waits++;
  assert.equal(waits, 48, 'the queue is bounded (30 s), then answered at once');
  assert.equal(throttle.slowDown('CP1', '127.0.0.3', '127.0.0.3', t), 0, 'a full queue never refuses the charger itself');
  assert.equal(throttle.locked('127.0.0.10', t), null, 'one failure per address locks none');
  assert.equal(throttle.slowDown('CP1', '127.0.0.5', '127.0.0.3', t + 60_000), 0, 'failures expire with the lockout period');
});

test('issue 5 intruders: with passwords required, an unknown identity gets the same answer as a wrong password', async () => {
  const app = await startTestApp({ requireChargerPassword: true, unknownChargerPolicy: 'reject', authMaxFailures: 100 });
  try {
    insertCharger(app.db, 'REAL1', { passwordHash: await hashPassword('right-password-123') });
    const probe = (id: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${app.httpBase}/ocpp/${id}`, {
          headers: {
            connection: 'Upgrade',
            upgrade: 'websocket',
            'sec-websocket-version': '13',
            'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
            'sec-websocket-protocol': 'ocpp1.6',
            authorization: basic(id, 'wrong-password-1'),
          },
        });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('upgrade', () => reject(new Error('upgraded')));
        req.on('error', reject);
        req.end();
      });
    const known = await probe('REAL1');
    const unknown = await probe('GHOST1');
    assert.equal(known.status, 401);
    assert.deepEqual({ status: unknown.status, body: unknown.body }, { status: known.status, body: known.body });
  } finally {
    await app.dispose();
  }
});

test('issue 5 limits: a breach is logged once per window, with the count of suppressed repeats', () => {
  const lines: any[] = [];
  const sink = new Writable({ write: (chunk, _e, cb) => (lines.push(JSON.parse(chunk.toString())), cb()) });
  const breaches = new BreachLog(createLogger('info', sink as never), 60_000);
  for (let i = 0; i < 1000; i++) breaches.report('rate', 'CP1', { cp: 'CP1' }, 'charger limit: over 100 messages/s');
  breaches.report('rate', 'CP2', { cp: 'CP2' }, 'charger limit: over 100 messages/s');
  return new Promise<void>((resolve) =>
    setImmediate(() => {
      assert.equal(lines.length, 2, 'one line per charger, not per message');
      resolve();
    }),
  );
});

test('issue 5 intruders: apiLoopbackOnly serves the API to this PC only (loopback addresses recognised)', async () => {
  for (const a of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopback(a), true, a);
  for (const a of ['10.0.0.5', '192.168.10.143', '::ffff:192.168.1.2', 'fe80::1', '']) assert.equal(isLoopback(a), false, a);
  const app = await startTestApp({ apiLoopbackOnly: true });
  try {
    assert.equal((await app.api('/api/stations')).status, 200, 'loopback callers still served');
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/LB1`);
    await boot(cp);
    await cp.close();
  } finally {
    await app.dispose();
  }
});

/** Run with `node -e` inside the namespace: the status of each request, as one JSON line. */
const LAN_CALLER = `
const http = require('node:http');
const [base, token] = process.argv.slice(1);
const ws = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };
const get = (path, headers) => new Promise((resolve, reject) => {
  const req = http.get(base + path, { headers }, (res) => {
    let body = '';
    res.on('data', (c) => (body += c));
    res.on('end', () => resolve({ status: res.statusCode, body }));
  });
  req.on('upgrade', (res, socket) => { socket.destroy(); resolve({ status: res.statusCode, body: '' }); });
  req.on('error', reject);
});
(async () => {
  const auth = { authorization: 'Bearer ' + token };
  console.log(JSON.stringify({
    api: await get('/api/stations', auth),
    ui: await get('/', {}),
    events: await get('/api/events', { ...auth, ...ws }),
    charger: await get('/ocpp/LB-LAN', { ...ws, 'sec-websocket-protocol': 'ocpp1.6' }),
  }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

test('issue 8 intruders: with apiLoopbackOnly a caller from a non-loopback address (a network namespace) gets 403 for the API, UI and event stream, while a charger from there still connects', async (t) => {
  const why = netnsUnavailable();
  if (why) return void t.skip(why);
  await withNetns(async (ns) => {
    for (const apiLoopbackOnly of [true, false]) {
      const app = await startTestApp({ apiLoopbackOnly, host: ns.hostAddress });
      try {
        const seen = JSON.parse(await ns.exec(process.execPath, ['-e', LAN_CALLER, `http://${ns.hostAddress}:${app.port}`, TEST_TOKEN])) as Record<string, { status: number; body: string }>;
        assert.equal(seen.charger!.status, 101, 'chargers still connect from the LAN');
        if (apiLoopbackOnly) {
          for (const what of ['api', 'ui', 'events'] as const) {
            assert.equal(seen[what]!.status, 403, `${what} from ${ns.nsAddress}: ${JSON.stringify(seen[what])}`);
            assert.match(seen[what]!.body, /apiLoopbackOnly/, what);
          }
        } else {
          // The same caller is served without the setting: the 403 above is the setting's.
          assert.equal(seen.api!.status, 200, `api from ${ns.nsAddress} without apiLoopbackOnly`);
        }
      } finally {
        await app.dispose();
      }
    }
  });
});
