import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AdminWriter } from '../store/admin-ops.js';
import type { Db } from '../store/db.js';
import { getSetting, setSetting } from '../store/queries/settings.js';

const KEY = 'api_token_sha256';

// API tokens are 32 random bytes: a fast hash is enough (nothing to brute-force), a KDF is not needed.
const sha256 = (t: string): Buffer => createHash('sha256').update(t).digest();

export const generateToken = (): string => randomBytes(32).toString('base64url');

const hashOf = (token: string): string => sha256(token).toString('hex');

/**
 * Makes sure an API token is configured. Returns the plain token when this call created or
 * replaced it (so the caller can show it once), otherwise null: only the hash is stored.
 * Runs at start-up, before the service takes any request, so it writes directly.
 */
export function ensureApiToken(db: Db, configured: string | undefined): string | null {
  if (configured) {
    const hash = hashOf(configured);
    if (getSetting(db, KEY) !== hash) setSetting(db, KEY, hash);
    return null;
  }
  if (getSetting(db, KEY)) return null;
  const token = generateToken();
  setSetting(db, KEY, hashOf(token));
  return token;
}

/** A new token; the old one stops working once the new hash is committed (through the writer, like every write while serving). */
export async function rotateApiToken(writer: AdminWriter): Promise<string> {
  const token = generateToken();
  await writer.run('putSetting', { key: KEY, value: hashOf(token) });
  return token;
}

/** Constant-time check of a presented bearer token against the stored hash. */
export function checkApiToken(db: Db, presented: string | undefined): boolean {
  const stored = getSetting(db, KEY);
  if (!stored || !presented) return false;
  return timingSafeEqual(sha256(presented), Buffer.from(stored, 'hex'));
}
