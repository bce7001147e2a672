import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { hashPassword } from '../../main/auth/password.js';
import { insertCharger, setChargerPassword } from '../../main/store/queries/chargers.js';
import { boot, connect, cpid, row, startTestApp, type TestApp, TestCharger, upgradeStatus, waitFor, withApp } from './support.js';

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

/** Captures the warnings the OCPP server logs (the test app's logger is silent otherwise). */
function captureWarnings(app: TestApp): { lines: Array<{ obj: unknown; msg: string }>; restore: () => void } {
  const log = app.ocpp['s'].log;
  const original = log.warn;
  const lines: Array<{ obj: unknown; msg: string }> = [];
  log.warn = ((obj: unknown, msg?: string) => {
    lines.push({ obj, msg: msg ?? String(obj) });
  }) as typeof log.warn;
  return {
    lines,
    restore: () => {
      log.warn = original;
    },
  };
}

describe('security profile 1: HTTP Basic auth with a per-charger password', () => {
  let app: TestApp;
  const id = cpid('SEC');
  const password = 'AuthKey:with-colon_0123456789';
  before(async () => {
    // Many deliberate failures from 127.0.0.1 here; the lockout itself is tested in test/security.
    app = await startTestApp({ authMaxFailures: 1000 });
    insertCharger(app.db, id, { passwordHash: await hashPassword(password) });
  });
  after(() => app.dispose());

  test('the password is stored hashed (scrypt), never in plain text', () => {
    const r = row(app, 'SELECT password_hash FROM chargers WHERE charge_point_id = ?', id)!;
    assert.match(r.password_hash, /^scrypt\$\d+\$\d+\$\d+\$[^$]+\$[^$]+$/);
    assert.ok(!String(r.password_hash).includes(password));
  });

  test('OCPP-J security profile 1: username = CPID and the right password -> connected', async () => {
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/${id}`, { headers: basic(id, password) });
    assert.equal((await boot(cp)).status, 'Accepted');
    assert.ok(app.ocpp.connectedIds.includes(id));
    await cp.close();
  });

  test('a wrong password -> HTTP 401 with WWW-Authenticate: Basic, and the refusal is logged', async () => {
    const cap = captureWarnings(app);
    try {
      assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/${id}`, { headers: basic(id, 'Tr1ed-Pa55') }), 401);
    } finally {
      cap.restore();
    }
    const line = cap.lines.find((l) => /basic auth/i.test(l.msg));
    assert.ok(line, `a warning was logged: ${JSON.stringify(cap.lines)}`);
    assert.equal((line.obj as { cp: string }).cp, id);
    assert.ok(!JSON.stringify(cap.lines).includes('Tr1ed-Pa55'), 'the tried password is not logged');

    // the challenge header
    const res = await new Promise<{ status: number; header: string | undefined }>((resolve, reject) => {
      const ws = new WebSocket(`${app.wsBase}/ocpp/${id}`, ['ocpp1.6'], { headers: basic(id, 'wrong') });
      ws.once('unexpected-response', (_req, r) => resolve({ status: r.statusCode!, header: r.headers['www-authenticate'] as string | undefined }));
      ws.once('open', () => reject(new Error('should not open')));
      ws.on('error', () => {});
    });
    assert.equal(res.status, 401);
    assert.match(res.header ?? '', /^Basic /);
  });

  test('no credentials for a charger that has a password -> HTTP 401', async () => {
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/${id}`), 401);
  });

  test("the right password under another charger's name (username != CPID) -> HTTP 401", async () => {
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/${id}`, { headers: basic('SOMEONE-ELSE', password) }), 401);
  });

  test('garbage in the Authorization header -> HTTP 401, not a crash', async () => {
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/${id}`, { headers: { authorization: 'Basic !!!not-base64' } }), 401);
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/${id}`, { headers: { authorization: 'Bearer abc' } }), 401);
    // still serving
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/${id}`, { headers: basic(id, password) });
    await cp.close();
  });

  test('a refused charger is never marked connected', async () => {
    await upgradeStatus(`${app.wsBase}/ocpp/${id}`, { headers: basic(id, 'nope') });
    assert.ok(!app.ocpp.connectedIds.includes(id));
    assert.equal(row(app, 'SELECT is_connected FROM chargers WHERE charge_point_id = ?', id)?.is_connected, 0);
  });

  test('a charger without a password connects without credentials (requireChargerPassword off)', async () => {
    const open = cpid('OPEN');
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/${open}`);
    assert.equal((await boot(cp)).status, 'Accepted');
    await cp.close();
  });

  test('a new password replaces the old one: the old key stops working', async () => {
    const other = cpid('ROT');
    insertCharger(app.db, other, { passwordHash: await hashPassword('old-key-0000') });
    setChargerPassword(app.db, other, await hashPassword('new-key-1111'));
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/${other}`, { headers: basic(other, 'old-key-0000') }), 401);
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/${other}`, { headers: basic(other, 'new-key-1111') }), 101);
  });
});

test('requireChargerPassword: a charger with no password set is refused with HTTP 401; one with a password gets in', async () => {
  await withApp({ requireChargerPassword: true }, async (app) => {
    const bare = cpid('BARE');
    insertCharger(app.db, bare);
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/${bare}`), 401);
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/${bare}`, { headers: basic(bare, 'anything') }), 401);
    // an unknown charger cannot auto-register itself around the requirement
    const unknown = cpid('NEW');
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/${unknown}`), 401);
    assert.equal(row(app, 'SELECT count(*) AS n FROM chargers WHERE charge_point_id = ?', unknown)?.n, 0);
    const locked = cpid('LOCKED');
    insertCharger(app.db, locked, { passwordHash: await hashPassword('s3cret-s3cret') });
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/${locked}`, { headers: basic(locked, 's3cret-s3cret') }), 101);
  });
});

test('security profile 2: with a certificate configured, chargers connect over wss:// (TLS) with basic auth, 1.6 and 2.0.1 alike (issue 14)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocpp-edge-tls-'));
  try {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], {
      stdio: 'ignore',
    });
    await withApp({ tlsCertFile: cert, tlsKeyFile: key, tlsPort: 0 }, async (app) => {
      assert.ok(app.tlsPort && app.tlsPort > 0, 'TLS listener bound');
      const id = cpid('TLS');
      insertCharger(app.db, id, { passwordHash: await hashPassword('tls-key-123456') });
      const url = `wss://127.0.0.1:${app.tlsPort}/ocpp/${id}`;
      const open = (headers: Record<string, string>, protocol = 'ocpp1.6') =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url, [protocol], { headers, rejectUnauthorized: false });
          ws.once('open', () => resolve(ws));
          ws.once('unexpected-response', (_q, r) => reject(Object.assign(new Error(`HTTP ${r.statusCode}`), { status: r.statusCode })));
          ws.once('error', reject);
        });
      await assert.rejects(open(basic(id, 'bad')), (e: { status?: number }) => e.status === 401);
      const ws = await open(basic(id, 'tls-key-123456'));
      assert.equal(ws.protocol, 'ocpp1.6');
      const answer = new Promise<unknown[]>((r) => ws.once('message', (d) => r(JSON.parse(d.toString()))));
      ws.send(JSON.stringify([2, 'b1', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' }]));
      const f = await answer;
      assert.equal(f[0], 3);
      assert.equal((f[2] as { status: string }).status, 'Accepted');
      ws.close();
      const ws201 = await open(basic(id, 'tls-key-123456'), 'ocpp2.0.1');
      assert.equal(ws201.protocol, 'ocpp2.0.1');
      const answer201 = new Promise<unknown[]>((r) => ws201.once('message', (d) => r(JSON.parse(d.toString()))));
      ws201.send(JSON.stringify([2, 'b2', 'BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 'M' } }]));
      assert.equal(((await answer201)[2] as { status: string }).status, 'Accepted');
      ws201.close();
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('issue 8: a charger without a password replaced from another address raises an alert and an audit entry; passwordless chargers show as warnings in /health and the API', async () => {
  await withApp({}, async (app) => {
    const id = cpid('NOPW');
    const alerts: Array<{ kind: string; message: string }> = [];
    const off = app.events.on('alert', (a) => void alerts.push(a));
    const genuine = await connect(app, id, { localAddress: '127.0.0.2' });
    await boot(genuine);
    await waitFor(() => row(app, 'SELECT remote_address FROM chargers WHERE charge_point_id = ?', id)?.remote_address === '127.0.0.2', 'connection recorded');
    // The same identity from another address takes over (kept: chargers do reconnect from new addresses)...
    const replaced = genuine.closed();
    const intruder = await connect(app, id, { localAddress: '127.0.0.3' });
    assert.equal((await replaced).reason, 'replaced by a newer connection');
    assert.equal(app.ocpp.connection(id)?.remoteAddress, '127.0.0.3');
    // ...but it is announced, listed and audited.
    assert.deepEqual(
      alerts.map((a) => a.kind),
      ['security'],
    );
    assert.match(alerts[0]!.message, /127\.0\.0\.2.*127\.0\.0\.3.*no password/);
    const listed = (await (await app.api('/api/alerts')).json()) as Array<{ kind: string; chargePointId?: string }>;
    assert.deepEqual(
      listed.map((a) => `${a.kind}:${a.chargePointId}`),
      [`security:${id}`],
    );
    await waitFor(() => row(app, `SELECT 1 AS y FROM command_audit WHERE charge_point_id = ? AND action = 'ConnectionReplaced'`, id), 'audit entry written');
    const audit = ((await (await app.api(`/api/audit?station=${id}`)).json()) as any[]).filter((e) => e.action === 'ConnectionReplaced');
    assert.deepEqual(
      audit.map((e) => [e.by, e.payload]),
      [['connection from 127.0.0.3', { previousAddress: '127.0.0.2', remoteAddress: '127.0.0.3', passwordless: true }]],
    );
    // A reconnect from the same address is no alert.
    const again = await connect(app, id, { localAddress: '127.0.0.3' });
    await intruder.closed();
    assert.equal(alerts.length, 1);
    // The warning: per charger in the API, counted in the open /health, listed behind the token.
    const charger = (await (await app.api(`/api/charger/${id}`)).json()) as any;
    assert.deepEqual(
      charger.security.warnings.map((w: { code: string }) => w.code),
      ['no-password'],
    );
    const health = (await (await fetch(`${app.httpBase}/health`)).json()) as any;
    assert.equal(health.security.passwordlessChargers, 1);
    assert.ok(!JSON.stringify(health).includes(id), 'the open /health does not name the chargers anyone can impersonate');
    const warnings = (await (await app.api('/api/security/warnings')).json()) as any;
    assert.deepEqual(
      warnings.passwordless.map((c: { chargePointId: string }) => c.chargePointId),
      [id],
    );
    // A password clears the warning.
    assert.equal((await app.api(`/api/charger/${id}`, { method: 'PATCH', json: { password: 'now-a-secret-123' } })).status, 200);
    assert.deepEqual(((await (await app.api(`/api/charger/${id}`)).json()) as any).security.warnings, []);
    assert.equal(((await (await fetch(`${app.httpBase}/health`)).json()) as any).security.passwordlessChargers, 0);
    off();
    await again.close();
  });
});
