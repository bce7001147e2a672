import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestApp } from '../helpers/app.js';
import { eventually, type HeadofficeHandle, pendingOf, runSessions, startEdge, startHo } from './support.js';

const storedSessions = (ho: HeadofficeHandle) => (ho.db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;
const lastError = async (app: TestApp) => (await (await app.api('/api/sync')).json()).lastError?.message as string | undefined;

test('issue 10: bodies are signed with HMAC-SHA256 when a secret is set; a wrong secret is refused and nothing is lost', async () => {
  const ho = await startHo({ hmacSecret: 'shared-secret-0123456789' });
  const wrong = await startEdge(ho.port, { headofficeHmacSecret: 'other-secret-0123456789' });
  try {
    await runSessions(wrong.wsBase, { chargers: 1, perCharger: 2, prefix: 'HMAC-BAD' });
    assert.match((await eventually(() => lastError(wrong), 'the refusal')) ?? '', /HTTP 401 bad or missing X-Signature/);
    assert.equal(pendingOf(wrong), 2, 'refused records stay pending (not parked)');
    assert.equal(storedSessions(ho), 0);
  } finally {
    await wrong.dispose();
  }
  const right = await startEdge(ho.port, { headofficeHmacSecret: 'shared-secret-0123456789' });
  try {
    await runSessions(right.wsBase, { chargers: 1, perCharger: 2, prefix: 'HMAC-OK' });
    await eventually(() => pendingOf(right) === 0, 'signed uploads accepted');
    assert.equal(storedSessions(ho), 2);
  } finally {
    await right.dispose();
    await ho.dispose();
  }
});

test('issue 10: TLS to head office is verified; a custom CA file makes its certificate trusted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sync-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const ho = await startHo({ tls: { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') } });
  const url = `https://127.0.0.1:${ho.port}`;
  const untrusting = await startEdge(ho.port, { headofficeUrl: url });
  try {
    await runSessions(untrusting.wsBase, { chargers: 1, perCharger: 1, prefix: 'TLS-NOCA' });
    assert.match((await eventually(() => lastError(untrusting), 'the certificate refusal')) ?? '', /self[- ]signed certificate/);
    assert.equal(storedSessions(ho), 0);
  } finally {
    await untrusting.dispose();
  }
  const trusting = await startEdge(ho.port, { headofficeUrl: url, headofficeCaFile: cert });
  try {
    await runSessions(trusting.wsBase, { chargers: 1, perCharger: 2, prefix: 'TLS-CA' });
    await eventually(() => pendingOf(trusting) === 0, 'uploads over verified TLS');
    assert.equal(storedSessions(ho), 2);
  } finally {
    await trusting.dispose();
    await ho.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
