/**
 * issue 9 (Electron shell): the window's security options, the Content-Security-Policy, where
 * the window may go and what it may request, the web permissions, and the quit rule, all
 * checked without launching Electron (the binary cannot be downloaded here).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentSecurityPolicy } from '../../main/desktop/csp.js';
import { QUIT_BUTTON, quitQuestion } from '../../main/desktop/quit-guard.js';
import { startupErrorMessage } from '../../main/desktop/startup-error.js';
import { isAppUrl, isServiceRequest, startUrl, uiOrigin } from '../../main/desktop/ui-origin.js';
import { ALLOWED_PERMISSIONS, mainWindowOptions } from '../../main/desktop/window-options.js';

const ORIGIN = 'http://127.0.0.1:3001';

test('issue 9: the window runs web content isolated: contextIsolation and sandbox on, no Node, web security on', () => {
  const o = mainWindowOptions('/app/dist/preload/index.cjs');
  const p = o.webPreferences;
  assert.equal(p.contextIsolation, true);
  assert.equal(p.sandbox, true);
  assert.equal(p.nodeIntegration, false);
  assert.equal(p.nodeIntegrationInWorker, false);
  assert.equal(p.nodeIntegrationInSubFrames, false);
  assert.equal(p.webSecurity, true);
  assert.equal(p.allowRunningInsecureContent, false);
  assert.equal(p.webviewTag, false);
  assert.equal(p.navigateOnDragDrop, false);
  assert.equal(p.preload, '/app/dist/preload/index.cjs');
  // Nothing else slips in (e.g. enableRemoteModule, experimentalFeatures).
  assert.deepEqual(Object.keys(p).sort(), [
    'allowRunningInsecureContent',
    'contextIsolation',
    'navigateOnDragDrop',
    'nodeIntegration',
    'nodeIntegrationInSubFrames',
    'nodeIntegrationInWorker',
    'preload',
    'sandbox',
    'spellcheck',
    'webSecurity',
    'webviewTag',
  ]);
});

/** `script-src 'self'` -> ['script-src', ["'self'"]] */
function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values];
    }),
  );
}

test('issue 9: the CSP allows scripts only from the embedded service, no inline script or eval', () => {
  const d = directives(contentSecurityPolicy(ORIGIN));
  assert.deepEqual(d.get('default-src'), ["'none'"]);
  assert.deepEqual(d.get('script-src'), ["'self'"]);
  for (const [name, values] of d) {
    if (name === 'style-src') continue;
    assert.ok(!values.includes("'unsafe-inline'"), `${name} allows unsafe-inline`);
    assert.ok(!values.includes("'unsafe-eval'"), `${name} allows unsafe-eval`);
  }
  assert.deepEqual(d.get('object-src'), ["'none'"]);
  assert.deepEqual(d.get('base-uri'), ["'none'"]);
  assert.deepEqual(d.get('frame-ancestors'), ["'none'"]);
});

test('issue 9: the CSP names no remote origin except the embedded service; connect-src allows its ws:// for /api/events', () => {
  const csp = contentSecurityPolicy(ORIGIN);
  const d = directives(csp);
  assert.deepEqual(d.get('connect-src'), ["'self'", 'ws://127.0.0.1:3001']);
  const sources = [...d.values()].flat().filter((v) => !v.startsWith("'"));
  // data: images only (inline SVG icons); every other source is the service itself.
  assert.deepEqual(sources.sort(), ['data:', 'ws://127.0.0.1:3001']);
  assert.ok(!/\*|https?:\/\/(?!127\.0\.0\.1:3001)/.test(csp), csp);
  // A TLS origin gets wss://.
  assert.deepEqual(directives(contentSecurityPolicy('https://127.0.0.1:3443')).get('connect-src'), ["'self'", 'wss://127.0.0.1:3443']);
});

test('issue 9: the window opens the embedded service over loopback, or on the one address the service is bound to', () => {
  assert.equal(uiOrigin('0.0.0.0', 3001), 'http://127.0.0.1:3001');
  assert.equal(uiOrigin('::', 3001), 'http://127.0.0.1:3001');
  assert.equal(uiOrigin('127.0.0.1', 40000), 'http://127.0.0.1:40000');
  assert.equal(uiOrigin('localhost', 3001), 'http://127.0.0.1:3001');
  assert.equal(uiOrigin('127.0.0.9', 3001), 'http://127.0.0.9:3001');
  assert.equal(uiOrigin('::1', 3001), 'http://[::1]:3001');
  assert.equal(startUrl(ORIGIN, null), 'http://127.0.0.1:3001/');
  assert.equal(startUrl(ORIGIN, 'a+b/c='), 'http://127.0.0.1:3001/?token=a%2Bb%2Fc%3D');
});

test('issue 9: navigation stays on the service origin; requests go only to the service (pages, API, event WebSocket)', () => {
  assert.ok(isAppUrl('http://127.0.0.1:3001/chargers/JAAL34S021', ORIGIN));
  for (const url of [
    'http://127.0.0.1:3002/',
    'https://127.0.0.1:3001/',
    'http://localhost:3001/',
    'http://192.168.10.5/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'ws://127.0.0.1:3001/api/events',
    'not a url',
  ]) {
    assert.equal(isAppUrl(url, ORIGIN), false, url);
  }
  assert.ok(isServiceRequest('http://127.0.0.1:3001/api/chargers?limit=50', ORIGIN));
  assert.ok(isServiceRequest('ws://127.0.0.1:3001/api/events', ORIGIN));
  for (const url of ['wss://127.0.0.1:3001/api/events', 'ws://127.0.0.1:3002/api/events', 'https://fonts.example.com/x.woff2', 'http://127.0.0.1.evil.example/', 'file:///etc/passwd']) {
    assert.equal(isServiceRequest(url, ORIGIN), false, url);
  }
});

test('issue 9: the window may write to the clipboard and nothing else (notifications go through IPC)', () => {
  assert.deepEqual([...ALLOWED_PERMISSIONS], ['clipboard-sanitized-write']);
  for (const p of ['notifications', 'media', 'geolocation', 'openExternal', 'clipboard-read', 'fileSystem']) assert.ok(!ALLOWED_PERMISSIONS.has(p), p);
});

test('issue 9: quitting with chargers connected asks first (Cancel is the default); with none it quits at once', () => {
  assert.equal(quitQuestion(0), null);
  const one = quitQuestion(1);
  assert.ok(one);
  assert.match(one.message, /^1 charger is connected/);
  assert.match(one.detail, /stops the OCPP server/);
  assert.equal(one.buttons[QUIT_BUTTON], 'Quit');
  assert.notEqual(one.defaultId, QUIT_BUTTON);
  assert.notEqual(one.cancelId, QUIT_BUTTON);
  assert.match(quitQuestion(12)!.message, /^12 chargers are connected/);
});

test('issue 9: a start-up failure tells the user the cause and what to do (port in use, config error with its cause)', () => {
  const inUse = Object.assign(new Error('listen EADDRINUSE: address already in use 0.0.0.0:3001'), { code: 'EADDRINUSE', port: 3001 });
  assert.match(startupErrorMessage(inUse), /Port 3001 is already in use.*\n\nStop it, or give OCPP Edge another port/s);
  const withCause = new Error('config file /x/config.json is not valid JSON', { cause: new Error('Unexpected token } in JSON at position 9') });
  assert.equal(startupErrorMessage(withCause), 'config file /x/config.json is not valid JSON\n\nCause: Unexpected token } in JSON at position 9');
});
