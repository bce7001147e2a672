/**
 * The desktop window's sign-in: main runs the core in-process, so it opens a UI session itself
 * and hands the window its cookie before the first page loads. No API token in any URL, no
 * token kept on disk for later launches. Electron's `session.cookies.set` takes these details.
 */
import { SESSION_COOKIE, SESSION_MAX_AGE_S } from '../api/session-cookie.js';

export interface WindowCookie {
  url: string;
  name: string;
  value: string;
  path: '/';
  httpOnly: true;
  sameSite: 'strict';
  secure: boolean;
  /** Seconds since the epoch, as Electron wants it. */
  expirationDate: number;
}

export async function windowSessionCookie(sessions: { create(): Promise<string> }, origin: string, now = Date.now()): Promise<WindowCookie> {
  return {
    url: `${origin}/`,
    name: SESSION_COOKIE,
    value: await sessions.create(),
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: origin.startsWith('https:'),
    expirationDate: Math.floor(now / 1000) + SESSION_MAX_AGE_S,
  };
}
