import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Type } from '@sinclair/typebox';
import type { Db } from '../store/db.js';
import { stmt } from '../store/statements.js';
import { getSetting } from '../store/queries/settings.js';
import { HttpError, type Route } from './router.js';

/**
 * Browser sign-in for the UI: the API token is exchanged once for a random session id held in an
 * HttpOnly, SameSite=Strict cookie, so the token never sits in the page, its URLs or its storage.
 * A session remembers the hash of the token it was opened with: when the token is rotated (REST,
 * --rotate-token or a new configured token) every session stops working and says why.
 * Sessions live in the settings table (as hashes), so a service restart keeps users signed in.
 */
export const SESSION_COOKIE = 'ocpp_edge_session';
const KEY_PREFIX = 'ui_session.';
const TOKEN_KEY = 'api_token_sha256';
const MAX_AGE_S = 30 * 24 * 3600;

const sha256hex = (s: string): string => createHash('sha256').update(s).digest('hex');

export type SessionState = { ok: true } | { ok: false; reason: 'no-session' | 'unknown-session' | 'expired' | 'token-rotated' };

interface Stored {
  tokenHash: string;
  expiresAt: number;
}

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
    private readonly now: () => number = Date.now,
  ) {}

  /** Opens a session for the current token; the caller has checked the token. */
  create(): string {
    const id = randomBytes(32).toString('base64url');
    const tokenHash = getSetting(this.db, TOKEN_KEY) ?? '';
    const record: Stored = { tokenHash, expiresAt: this.now() + MAX_AGE_S * 1000 };
    this.prune();
    stmt(this.db, 'INSERT INTO settings(key, value) VALUES (?, ?)').run(KEY_PREFIX + sha256hex(id), JSON.stringify(record));
    return id;
  }

  state(id: string | undefined): SessionState {
    if (!id) return { ok: false, reason: 'no-session' };
    const raw = getSetting(this.db, KEY_PREFIX + sha256hex(id));
    if (!raw) return { ok: false, reason: 'unknown-session' };
    const s = JSON.parse(raw) as Stored;
    if (s.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    if (s.tokenHash !== getSetting(this.db, TOKEN_KEY)) return { ok: false, reason: 'token-rotated' };
    return { ok: true };
  }

  delete(id: string): void {
    this.deleteKey(KEY_PREFIX + sha256hex(id));
  }

  private deleteKey(key: string): void {
    stmt(this.db, 'DELETE FROM settings WHERE key = ?').run(key);
  }

  /** Drops expired sessions; those of a rotated token stay until then, to say why they ended. */
  private prune(): void {
    const rows = stmt(this.db, 'SELECT key, value FROM settings WHERE key >= ? AND key < ?').all(KEY_PREFIX, `${KEY_PREFIX}\uffff`) as Array<{ key: string; value: string }>;
    for (const r of rows) {
      const s = JSON.parse(r.value) as Stored;
      if (s.expiresAt <= this.now()) this.deleteKey(r.key);
    }
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

function setCookie(req: IncomingMessage, res: ServerResponse, value: string, maxAge: number): void {
  const secure = (req.socket as { encrypted?: boolean }).encrypted ? '; Secure' : '';
  res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`);
}

const SignInBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200, description: 'The API token' }) }, { additionalProperties: false });

/** POST/GET/DELETE /api/session: sign in with the token, ask whether signed in, sign out. */
export function signInRoutes(sessions: SessionStore, checkToken: (t: string) => boolean): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/session',
      open: true,
      summary: 'Sign in (browser UI): {token} -> HttpOnly session cookie; the token itself is not kept in the browser',
      body: SignInBody,
      handler: ({ req, res, body }) => {
        if (!checkToken((body as { token: string }).token)) throw new HttpError(401, 'wrong API token: use the token printed when the service first started, or the one it was started with', 'token', { reason: 'wrong-token' });
        setCookie(req, res, sessions.create(), MAX_AGE_S);
        return { signedIn: true };
      },
    },
    {
      method: 'GET',
      path: '/api/session',
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
      open: true,
      summary: 'Sign out: ends the session and clears the cookie',
      handler: ({ req, res }) => {
        const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
        if (id) sessions.delete(id);
        setCookie(req, res, '', 0);
        return { signedIn: false };
      },
    },
  ];
}
