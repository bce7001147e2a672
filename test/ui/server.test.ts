/**
 * Issue 9, the service side of the UI without a browser: the session cookie that replaces the
 * token in the browser, and the static UI build with its headers.
 */

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { createUiStatic, UI_CSP } from '../../main/api/ui-static.js';
import { startTestApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';

describe('issue 9: browser sign-in with a session cookie', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(() => app.dispose());

  const signIn = async () => {
    const r = await fetch(`${app.httpBase}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: TEST_TOKEN }) });
    assert.equal(r.status, 200);
    return r.headers.get('set-cookie')!;
  };
  const withCookie = (cookie: string, init: RequestInit = {}) => ({ ...init, headers: { cookie: cookie.split(';')[0]!, ...(init.headers as Record<string, string>) } });

  test('a wrong token is refused on its field; the right one sets an HttpOnly SameSite=Strict cookie that is not the token', async () => {
    const wrong = await fetch(`${app.httpBase}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'nope' }) });
    assert.equal(wrong.status, 401);
    assert.equal((await wrong.json()).field, 'token');
    assert.equal(wrong.headers.get('set-cookie'), null);
    const cookie = await signIn();
    assert.match(cookie, /^ocpp_edge_session=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    assert.ok(!cookie.includes(TEST_TOKEN));
    assert.equal((await fetch(`${app.httpBase}/api/session`, withCookie(cookie))).status, 200);
    assert.equal((await fetch(`${app.httpBase}/api/stations`, withCookie(cookie))).status, 200);
    assert.equal((await fetch(`${app.httpBase}/api/stations`)).status, 401);
  });

  test("a state change with the cookie must come from the page's own origin (another port of the same host is refused)", async () => {
    const cookie = await signIn();
    const post = (origin?: string) =>
      fetch(
        `${app.httpBase}/api/rfid`,
        withCookie(cookie, { method: 'POST', headers: { 'content-type': 'application/json', ...(origin && { origin }) }, body: JSON.stringify({ tagId: `ORIGIN-${origin?.length ?? 0}` }) }),
      );
    assert.equal((await post('http://127.0.0.1:1')).status, 401);
    assert.equal((await post()).status, 401, 'a cookie POST without Origin is not a page of ours');
    assert.equal((await post(app.httpBase)).status, 201);
  });

  test("the event stream accepts the cookie from the page's origin only", async () => {
    const cookie = (await signIn()).split(';')[0]!;
    const open = (origin: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${app.wsBase}/api/events`, { headers: { cookie, origin } });
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
        ws.once('unexpected-response', (_q, res) => resolve(res.statusCode!));
      });
    assert.equal(await open(app.httpBase), 101);
    assert.equal(await open('http://127.0.0.1:1'), 401);
  });

  test('token rotation ends every session with reason token-rotated; sign-out ends one', async () => {
    const a = await signIn();
    const b = await signIn();
    const out = await fetch(`${app.httpBase}/api/session`, withCookie(b, { method: 'DELETE', headers: { origin: app.httpBase } }));
    assert.match(out.headers.get('set-cookie')!, /Max-Age=0/);
    const gone = await fetch(`${app.httpBase}/api/session`, withCookie(b));
    assert.equal(gone.status, 401);
    assert.equal((await gone.json()).reason, 'unknown-session');

    const rotated = await (await app.api('/api/token/rotate', { method: 'POST' })).json();
    const after = await fetch(`${app.httpBase}/api/session`, withCookie(a));
    assert.equal(after.status, 401);
    const body = await after.json();
    assert.equal(body.reason, 'token-rotated');
    assert.match(body.error, /rotated/);
    assert.equal((await fetch(`${app.httpBase}/api/stations`, withCookie(a))).status, 401);
    // Signing in with the new token works again.
    const again = await fetch(`${app.httpBase}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: rotated.token }) });
    assert.equal(again.status, 200);
  });
});

describe('issue 9: RFID cards from CSV', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(() => app.dispose());
  const post = (csv: string, commit: boolean) => app.api('/api/ui/rfid/import', { method: 'POST', json: { csv, commit } });

  test('quoted cells, a BOM and CRLF are read; duplicates in the file and existing cards are reported per line; only commit imports', async () => {
    assert.equal((await app.api('/api/rfid', { method: 'POST', json: { tagId: 'EXISTS-1' } })).status, 201);
    const csv = '\uFEFFtagId,status,description\r\nQ-1,Active,"van 1, depot ""north""\r\nsecond line"\r\nq-1,Active,dup\r\nexists-1,Active,clash\r\nQ-2,Blocked,\r\n';
    const preview = await (await post(csv, false)).json();
    assert.deepEqual(
      preview.rows.map((r: { line: number; ok: boolean; field?: string }) => [r.line, r.ok, r.field ?? null]),
      [
        [2, true, null],
        [3, false, 'tagId'],
        [4, false, 'tagId'],
        [5, true, null],
      ],
    );
    assert.equal(preview.imported, 0);
    assert.equal((await app.api('/api/rfid/Q-1')).status, 404, 'a preview imports nothing');
    const done = await (await post(csv, true)).json();
    assert.equal(done.imported, 2);
    assert.equal((await (await app.api('/api/rfid/Q-1')).json()).description, 'van 1, depot "north"\r\nsecond line');
    assert.equal((await (await app.api('/api/rfid/Q-2')).json()).status, 'Blocked');
  });

  test('a file without a header, without tagId or with an unknown column is refused as a whole, naming the problem', async () => {
    for (const [csv, re] of [
      ['', /empty/],
      ['status\nActive\n', /tagId column/],
      ['tagId,colour\nX,red\n', /unknown column colour/],
    ] as const) {
      const r = await post(csv, true);
      assert.equal(r.status, 400);
      assert.match((await r.json()).error, re);
    }
  });
});

describe('issue 9: the UI build served at /', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocpp-edge-ui-static-'));
  let base = '';
  const server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    const page = createUiStatic(join(dir, 'dist'))(req, path);
    if (!page) return void res.writeHead(404).end('not ours');
    res.writeHead(page.status, page.headers);
    if (typeof page.body === 'string' || !page.body) res.end(page.body ?? undefined);
    else page.body.pipe(res);
  });
  before(async () => {
    mkdirSync(join(dir, 'site'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    writeFileSync(join(dir, 'secret.txt'), 'outside the build');
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('without a build: a clear error that says to run npm run build:ui', async () => {
    const json = await fetch(`${base}/`);
    assert.equal(json.status, 500);
    assert.match((await json.json()).error, /npm run build:ui/);
    const html = await fetch(`${base}/chargers`, { headers: { accept: 'text/html' } });
    assert.match(html.headers.get('content-type')!, /text\/html/);
    assert.match(await html.text(), /npm run build:ui/);
  });

  test('files with their type, hashed assets cached for good, client routes get index.html, nothing outside the build', async () => {
    mkdirSync(join(dir, 'dist/assets'), { recursive: true });
    writeFileSync(join(dir, 'dist/index.html'), '<!doctype html><title>ui</title>');
    writeFileSync(join(dir, 'dist/assets/index-abc123.js'), 'console.log(1)');
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('content-security-policy'), UI_CSP);
    assert.match(UI_CSP, /script-src 'self'(;|$)/);
    assert.match(UI_CSP, /frame-ancestors 'none'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const js = await fetch(`${base}/assets/index-abc123.js`);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.match(js.headers.get('cache-control')!, /immutable/);
    const route = await fetch(`${base}/chargers/CP-1`);
    assert.equal(await route.text(), '<!doctype html><title>ui</title>');
    assert.equal((await fetch(`${base}/assets/missing.js`)).status, 404);
    assert.equal((await fetch(`${base}/..%2fsecret.txt`)).status, 404);
    assert.equal((await fetch(`${base}/api/anything`)).status, 404);
    assert.equal((await fetch(`${base}/`, { method: 'POST' })).status, 404);
  });
});

describe('issue 9: the settings view', () => {
  test('each key with its value, default and source; the API token is never shown', async () => {
    const app = await startTestApp({ backupKeep: 3 });
    try {
      const list = (await (await app.api('/api/ui/settings')).json()) as Array<{ key: string; value: unknown; default: unknown; source: string; applies: string }>;
      const byKey = new Map(list.map((s) => [s.key, s]));
      assert.equal(byKey.get('backupKeep')?.value, 3);
      assert.equal(byKey.get('backupKeep')?.source, 'config file or command line');
      assert.equal(byKey.get('logKeepFiles')?.source, 'default');
      assert.equal(byKey.get('apiToken')?.value, '(hidden)');
      assert.ok(!JSON.stringify(list).includes(TEST_TOKEN));
      assert.ok(list.every((s) => s.applies === 'restart'));
    } finally {
      await app.dispose();
    }
  });
});
