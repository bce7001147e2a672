import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Type } from '@sinclair/typebox';
import type { AdminWriter } from '../store/admin-ops.js';
import type { Db } from '../store/db.js';
import { getUiSession } from '../store/queries/ui-sessions.js';
import { SignedIn } from './responses/operations.js';
import { HttpError, type RequestContext, type Route } from './router.js';
import { apiTokenHash } from './token.js';

/**
 * Browser sign-in for the UI: the API token is exchanged once for a random session id held in an
 * HttpOnly, SameSite=Strict cookie, so the token never sits in the page, its URLs or its storage.
 * A session remembers the hash of the token it was opened with: when the token is rotated (REST,
 * --rotate-token or a new configured token) every session stops working and says why.
 * Sessions are stored by the writer (store/queries/ui-sessions.ts), so a restart keeps users signed in.
 */
export const SESSION_COOKIE = 'ocpp_edge_session';
export const SESSION_MAX_AGE_S = 30 * 24 * 3600;

const sha256hex = (s: string): string => createHash('sha256').update(s).digest('hex');

export type SessionState = { ok: true } | { ok: false; reason: 'no-session' | 'unknown-session' | 'expired' | 'token-rotated' };

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The page's own origin as the browser names it: scheme, Host header. */
function ownOrigin(req: IncomingMessage): string {
  const tls = (req.socket as { encrypted?: boolean }).encrypted;
  return `${tls ? 'https' : 'http'}://${req.headers.host ?? ''}`;
}

export class SessionStore {
  constructor(
    private readonly db: Db,
    private readonly writer: AdminWriter,
    private readonly now: () => number = Date.now,
  ) {}

  /** Opens a session for the current token (the caller has checked the token); its id, for the cookie. */
  async create(): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const now = this.now();
    await this.writer.run('openUiSession', { idHash: sha256hex(id), session: { tokenHash: apiTokenHash(this.db), expiresAt: now + SESSION_MAX_AGE_S * 1000 }, now });
    return id;
  }

  state(id: string | undefined): SessionState {
    if (!id) return { ok: false, reason: 'no-session' };
    const s = getUiSession(this.db, sha256hex(id));
    if (!s) return { ok: false, reason: 'unknown-session' };
    if (s.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    if (s.tokenHash !== apiTokenHash(this.db)) return { ok: false, reason: 'token-rotated' };
    return { ok: true };
  }

  async delete(id: string): Promise<void> {
    await this.writer.run('closeUiSession', { idHash: sha256hex(id) });
  }

  /**
   * True when the request carries a valid session cookie. Cookies ride along on requests other
   * pages of the same site (another port on this host) make, so a state change or a WebSocket
   * must also come from this page's own origin.
   */
  authorizes(req: IncomingMessage): boolean {
    if (!this.state(cookieValue(req.headers.cookie, SESSION_COOKIE)).ok) return false;
    const origin = req.headers.origin;
    const upgrade = !!req.headers.upgrade;
    const safe = (req.method === 'GET' || req.method === 'HEAD') && !upgrade;
    if (origin === undefined) return safe;
    return origin === ownOrigin(req);
  }
}

/** The Set-Cookie value of a session (an empty value with maxAge 0 clears it). */
export function sessionCookieHeader(value: string, maxAge: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

const setCookie = (ctx: RequestContext, value: string, maxAge: number): void =>
  ctx.setHeader('Set-Cookie', sessionCookieHeader(value, maxAge, !!(ctx.req.socket as { encrypted?: boolean }).encrypted));

const SignInBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200, description: 'The API token' }) }, { additionalProperties: false });

/** POST/GET/DELETE /api/session: sign in with the token, ask whether signed in, sign out. */
export function signInRoutes(sessions: SessionStore, checkToken: (t: string) => boolean): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/session',
      response: SignedIn,
      open: true,
      summary: 'Sign in (browser UI): {token} -> HttpOnly session cookie; the token itself is not kept in the browser',
      body: SignInBody,
      handler: async (ctx) => {
        if (!checkToken((ctx.body as { token: string }).token))
          throw new HttpError(401, 'wrong API token: use the token printed when the service first started, or the one it was started with', 'token', { reason: 'wrong-token' });
        setCookie(ctx, await sessions.create(), SESSION_MAX_AGE_S);
        return { signedIn: true };
      },
    },
    {
      method: 'GET',
      path: '/api/session',
      response: SignedIn,
      open: true,
      summary: 'Whether this browser is signed in; 401 with reason (no-session, expired, token-rotated) otherwise',
      handler: ({ req }) => {
        const s = sessions.state(cookieValue(req.headers.cookie, SESSION_COOKIE));
        if (!s.ok) {
          const why = s.reason === 'token-rotated' ? 'the API token was rotated: sign in with the new token' : s.reason === 'expired' ? 'the session expired: sign in again' : 'not signed in';
          throw new HttpError(401, why, undefined, { reason: s.reason });
        }
        return { signedIn: true };
      },
    },
    {
      method: 'DELETE',
      path: '/api/session',
      response: SignedIn,
      open: true,
      summary: 'Sign out: ends the session and clears the cookie',
      handler: async (ctx) => {
        const id = cookieValue(ctx.req.headers.cookie, SESSION_COOKIE);
        if (id) await sessions.delete(id);
        setCookie(ctx, '', 0);
        return { signedIn: false };
      },
    },
  ];
}
