/**
 * issue 9 (Electron shell): the desktop window signs in by itself on later launches. The plain
 * token it was shown once is kept sealed by the OS key store (here a test cipher stands in for
 * Electron safeStorage, the edge of the world) and is forgotten once it no longer signs in.
 */

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { recallToken, rememberToken, type SecretCipher } from '../../main/desktop/remembered-token.js';

const dir = mkdtempSync(join(tmpdir(), 'ocpp-edge-token-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Reversible and keyed, so a file sealed under another key does not open. */
const cipher = (key: number): SecretCipher => ({
  encrypt: (plain) => Buffer.concat([Buffer.from([key]), Buffer.from(plain, 'utf8').map((b) => b ^ key)]),
  decrypt: (sealed) => {
    if (sealed[0] !== key) throw new Error('sealed under another key');
    return Buffer.from(sealed.subarray(1).map((b) => b ^ key)).toString('utf8');
  },
});

test('issue 9: the token shown on the first run is kept sealed (owner-only file) and signs in the next launch', () => {
  const file = join(dir, 'a.bin');
  rememberToken(file, 'tok-0123456789abcdef', cipher(7));
  assert.ok(!readFileSync(file).includes(Buffer.from('tok-0123456789abcdef')), 'the token is stored in the clear');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(
    recallToken(file, cipher(7), (t) => t === 'tok-0123456789abcdef'),
    'tok-0123456789abcdef',
  );
  assert.ok(existsSync(file));
});

test('issue 9: a rotated token, or one sealed under another key, is forgotten and the sign-in page asks', () => {
  const rotated = join(dir, 'b.bin');
  rememberToken(rotated, 'old-token-0123456789', cipher(7));
  assert.equal(
    recallToken(rotated, cipher(7), () => false),
    null,
  );
  assert.ok(!existsSync(rotated), 'a stale token file is kept');

  const foreign = join(dir, 'c.bin');
  rememberToken(foreign, 'tok-0123456789abcdef', cipher(7));
  assert.equal(
    recallToken(foreign, cipher(9), () => true),
    null,
  );
  assert.ok(!existsSync(foreign));

  assert.equal(
    recallToken(join(dir, 'none.bin'), cipher(7), () => true),
    null,
  );
  writeFileSync(join(dir, 'd.bin'), 'garbage');
  assert.equal(
    recallToken(join(dir, 'd.bin'), cipher(7), () => true),
    null,
  );
});
