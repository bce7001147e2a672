/**
 * The desktop window signs in with the API token, but the core keeps only its hash. The
 * desktop app therefore keeps the plain token it was shown on the first run, encrypted by the
 * operating system's key store (Electron safeStorage), so later launches sign in by themselves.
 * A token that no longer matches (rotated from the UI or `--rotate-token`) is forgotten and the
 * UI's sign-in page asks for the new one.
 */
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export interface SecretCipher {
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
}

export const REMEMBERED_TOKEN_FILE = 'desktop-token.bin';

export function rememberToken(file: string, token: string, cipher: SecretCipher): void {
  writeFileSync(file, cipher.encrypt(token), { mode: 0o600 });
  // writeFileSync's mode applies only to a new file.
  chmodSync(file, 0o600);
}

/** The remembered token if it still signs in (`stillValid`), otherwise null (and a stale file is removed). */
export function recallToken(file: string, cipher: SecretCipher, stillValid: (token: string) => boolean): string | null {
  if (!existsSync(file)) return null;
  let token: string | null;
  try {
    token = cipher.decrypt(readFileSync(file));
  } catch {
    // Sealed under another OS account or key: unusable, sign in by hand.
    token = null;
  }
  if (token && stillValid(token)) return token;
  rmSync(file, { force: true });
  return null;
}
