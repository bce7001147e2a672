import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { startTestApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { assertJsonError, concretePath } from './support.js';

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(() => app.dispose());

const raw = (path: string, init: RequestInit = {}) => fetch(app.httpBase + path, init);

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function assertSecurityHeaders(res: Response, what: string): void {
  for (const [h, v] of Object.entries(SECURITY_HEADERS)) assert.equal(res.headers.get(h), v, `${h} on ${what}`);
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/, `CSP on ${what}`);
  assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, `CSP on ${what}`);
}

test('api token: every /api route answers 401 without a token, with a wrong token and with a non-Bearer scheme', async () => {
  const routes = app.routes.filter((r) => !r.open);
  assert.ok(routes.length >= 10, 'the seed 001 read API is registered');
  for (const path of ['/api/stations', '/api/stations/:cpId', '/api/stations/connected/list', '/api/sessions', '/api/sessions/station/:cpId', '/api/rfid', '/api/rfid/:tagId']) {
    assert.ok(
      routes.some((r) => r.path === path && r.method === 'GET'),
      `GET ${path} exists`,
    );
  }
  for (const r of routes) {
    const path = concretePath(r.path);
    const attempts: Array<[string, Record<string, string>]> = [
      ['no token', {}],
      ['wrong token', { authorization: 'Bearer wrong-token-0123456789abcdef' }],
      ['empty bearer', { authorization: 'Bearer ' }],
      ['token as basic auth', { authorization: `Basic ${Buffer.from(`x:${TEST_TOKEN}`).toString('base64')}` }],
      ['token without scheme', { authorization: TEST_TOKEN }],
      ['token with a suffix', { authorization: `Bearer ${TEST_TOKEN}x` }],
    ];
    for (const [what, headers] of attempts) {
      const res = await raw(path, { method: r.method, headers: { ...headers, 'content-type': 'application/json' }, ...(r.method !== 'GET' && { body: '{}' }) });
      await assertJsonError(res, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer', `${r.method} ${path} (${what})`);
      assertSecurityHeaders(res, `401 ${r.method} ${path}`);
    }
  }
});

test('api token: the right token is accepted, and the auth scheme is case-insensitive', async () => {
  for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
    const res = await raw('/api/stations', { headers: { authorization: `${scheme} ${TEST_TOKEN}` } });
    assert.equal(res.status, 200, scheme);
    await res.body?.cancel();
  }
});

test('api token: an unknown /api path without a token is 401, not 404 (no route probing)', async () => {
  const res = await raw('/api/no-such-thing');
  await assertJsonError(res, 401);
  const res2 = await raw('/api/stations', { method: 'DELETE' });
  await assertJsonError(res2, 401);
});

test('api token: GET /health is open without a token', async () => {
  const res = await raw('/health');
  assert.equal(res.status, 200);
  assertSecurityHeaders(res, '/health');
  const body = (await res.json()) as { status: string; storeError: string | null; connectedChargers: number };
  assert.equal(body.status, 'ok');
  assert.equal(body.storeError, null);
  assert.equal(body.connectedChargers, 0);
  const open = app.routes.filter((r) => r.open);
  assert.ok(open.some((r) => r.path === '/health' && r.method === 'GET'));
  assert.ok(
    open.every((r) => r.method === 'GET'),
    'only read-only routes may be open',
  );
  assert.ok(!open.some((r) => /stations|sessions|rfid/.test(r.path)), 'no seed 001 data route is open');
});

test('api: security headers are on successful answers too', async () => {
  const res = await app.api('/api/stations');
  assert.equal(res.status, 200);
  assertSecurityHeaders(res, 'GET /api/stations');
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  await res.body?.cancel();
});

test('api: an unknown route is a JSON 404', async () => {
  const res = await app.api('/api/no-such-thing');
  await assertJsonError(res, 404);
  assertSecurityHeaders(res, '404');
  await assertJsonError(await raw('/definitely/not/here'), 404);
});

test('api: a wrong method is a JSON 405 with an Allow header', async () => {
  const res = await app.api('/api/stations', { method: 'DELETE' });
  await assertJsonError(res, 405);
  assert.match(res.headers.get('allow') ?? '', /GET/);
  assertSecurityHeaders(res, '405');
  const res2 = await app.api('/api/rfid/X1/block', { method: 'GET' });
  await assertJsonError(res2, 405);
  assert.equal(res2.headers.get('allow'), 'POST');
  const res3 = await app.api('/api/rfid', { method: 'PUT', json: {} });
  await assertJsonError(res3, 405);
  assert.equal(res3.headers.get('allow'), 'GET, POST');
});

test('api: a path parameter with broken percent-encoding is a JSON 400', async () => {
  await assertJsonError(await app.api('/api/stations/%E0%A4%A'), 400);
});

/** The HTTP status of an /api/events upgrade (101 when the stream opens). */
function eventsUpgrade(query: string, opts: { protocols?: string[]; headers?: Record<string, string> } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${app.wsBase}/api/events${query}`, opts.protocols ?? [], { headers: opts.headers ?? {} });
    ws.once('open', () => (ws.close(), resolve(101)));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

test('api token: the event stream takes the token as a Bearer header, as ?token= or as the subprotocol bearer.<token> (browsers cannot set headers); REST routes take only the header', async () => {
  assert.equal(await eventsUpgrade('', { headers: { authorization: `bearer ${TEST_TOKEN}` } }), 101);
  assert.equal(await eventsUpgrade(`?token=${TEST_TOKEN}`), 101);
  assert.equal(await eventsUpgrade('', { protocols: [`bearer.${TEST_TOKEN}`] }), 101);
  assert.equal(await eventsUpgrade(''), 401);
  assert.equal(await eventsUpgrade('?token=wrong-token-0123456789abcdef'), 401);
  assert.equal(await eventsUpgrade('', { protocols: ['bearer.wrong-token-0123456789abcdef'] }), 401);
  await assertJsonError(await raw(`/api/stations?token=${TEST_TOKEN}`), 401);
});
