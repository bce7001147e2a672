import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServiceLogger } from '../../main/log/logger.js';

test('issue 5 log files rotate by size and keep only logKeepFiles old files', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ocpp-edge-log-'));
  try {
    const log = await createServiceLogger({ level: 'info', dataDir, logFile: 'logs/edge.log', logMaxSize: '2k', logKeepFiles: 2, stdout: false });
    for (let i = 0; i < 60; i++) {
      log.info({ i, filler: 'x'.repeat(200) }, 'line');
      await new Promise((r) => setImmediate(r));
      if (i % 10 === 9) await new Promise((r) => setTimeout(r, 20));
    }
    log.flush();
    await new Promise((r) => setTimeout(r, 200));
    const files = readdirSync(join(dataDir, 'logs')).filter((f) => f.endsWith('.log'));
    assert.ok(files.length >= 2, `rotated files exist: ${files}`);
    assert.ok(files.length <= 3, `at most logKeepFiles + the current file: ${files}`);
    const lines = files.flatMap((f) => readFileSync(join(dataDir, 'logs', f), 'utf8').trim().split('\n')).filter(Boolean);
    for (const l of lines) assert.equal(JSON.parse(l).msg, 'line', 'every line is one JSON object');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
