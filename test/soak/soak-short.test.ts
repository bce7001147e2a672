/**
 * Issue 5, crashes: the short soak of `npm test` (the full one is `npm run soak`): 60 chargers
 * with two connectors run sessions for 35 s while the service is killed with SIGKILL three
 * times and restarted; every acknowledged session and meter value is then present exactly
 * once, the sessions open across a kill are closed by their stops, and integrity_check is ok.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatReport, runSoak } from './soak.js';

test('issue 5: short soak - 60 chargers, 35 s, 3 SIGKILLs: nothing acknowledged lost, nothing duplicated, open sessions closed by their stops, integrity ok', { timeout: 240_000 }, async (t) => {
  const report = await runSoak({
    chargers: 60,
    durationMs: 35_000,
    kills: 3,
    meterIntervalMs: 1000,
    samplesMin: 2,
    samplesMax: 6,
    pauseMinMs: 300,
    pauseMaxMs: 2000,
    downMinMs: 200,
    downMaxMs: 2000,
    drainTimeoutMs: 90_000,
    prefix: 'SHORT',
  });
  for (const line of formatReport(report).split('\n')) t.diagnostic(line);
  assert.deepEqual(report.failures, []);
  assert.equal(report.ok, true);
  assert.equal(report.killsSurvived, 3);
  const s = report.store!;
  assert.equal(s.lost, 0);
  assert.equal(s.duplicated, 0);
  assert.equal(s.phantom, 0);
  assert.equal(s.integrity, 'ok');
  assert.equal(s.sessionsChecked, report.sessionsStarted);
  assert.ok(s.sessionsChecked >= 200, `enough sessions to mean something (${s.sessionsChecked})`);
  assert.ok(report.sessionsOpenAcrossKills > 0 && report.openAcrossKillsClosedCorrectly === report.sessionsOpenAcrossKills);
});
