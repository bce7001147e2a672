import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../store/db.js';
import { getSetting, setSetting } from '../store/queries/settings.js';

const KEY = 'api_token_sha256';

// API tokens are 32 random bytes: a fast hash is enough (nothing to brute-force), a KDF is not needed.
const sha256 = (t: string): Buffer => createHash('sha256').update(t).digest();

export const generateToken = (): string => randomBytes(32).toString('base64url');

/**
 * Makes sure an API token is configured. Returns the plain token when this call created or
 * replaced it (so the caller can show it once), otherwise null: only the hash is stored.
 */
export function ensureApiToken(db: Db, configured: string | undefined): string | null {
  if (configured) {
    const hash = sha256(configured).toString('hex');
    if (getSetting(db, KEY) !== hash) setSetting(db, KEY, hash);
    return null;
  }
  if (getSetting(db, KEY)) return null;
  return rotateApiToken(db);
}

export function rotateApiToken(db: Db): string {
  const token = generateToken();
  setSetting(db, KEY, sha256(token).toString('hex'));
  return token;
}

/** Constant-time check of a presented bearer token against the stored hash. */
export function checkApiToken(db: Db, presented: string | undefined): boolean {
  const stored = getSetting(db, KEY);
  if (!stored || !presented) return false;
  return timingSafeEqual(sha256(presented), Buffer.from(stored, 'hex'));
}
