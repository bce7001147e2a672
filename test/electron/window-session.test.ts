/**
 * issue 9 (Electron shell): the window is signed in by main itself, with a UI session cookie set
 * in Electron's session before the first page loads, so no API token is ever in a URL. Tested
 * without Electron: the cookie details main hands to `session.cookies.set`, against the real
 * service.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { windowSessionCookie } from '../../main/desktop/window-session.js';
import { startTestApp } from '../helpers/app.js';

test('issue 9: the desktop window gets an HttpOnly SameSite=Strict session cookie for the service origin, no token in a URL', async () => {
  const app = await startTestApp();
  try {
    const now = Date.now();
    const cookie = await windowSessionCookie(app.sessions, app.httpBase, now);
    assert.deepEqual(
      { ...cookie, value: '' },
      {
        url: `${app.httpBase}/`,
        name: 'ocpp_edge_session',
        value: '',
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: false,
        expirationDate: Math.floor(now / 1000) + 30 * 24 * 3600,
      },
    );
    assert.ok(cookie.value.length >= 40, 'a random session id');
    // The cookie is what a signed-in browser holds: reads, and state changes from the page's origin.
    const header = { cookie: `${cookie.name}=${cookie.value}` };
    assert.equal((await fetch(`${app.httpBase}/api/session`, { headers: header })).status, 200);
    assert.equal((await fetch(`${app.httpBase}/api/stations`, { headers: header })).status, 200);
    const create = await fetch(`${app.httpBase}/api/rfid`, {
      method: 'POST',
      headers: { ...header, origin: app.httpBase, 'content-type': 'application/json' },
      body: JSON.stringify({ tagId: 'DESKTOP-1' }),
    });
    assert.equal(create.status, 201);
    assert.equal((await fetch(`${app.httpBase}/api/stations`, { headers: { cookie: `${cookie.name}=not-a-session` } })).status, 401);
    assert.equal((await windowSessionCookie(app.sessions, 'https://127.0.0.1:3443')).secure, true);
  } finally {
    await app.dispose();
  }
});
