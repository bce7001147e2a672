import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createServiceLogger } from '../../main/log/logger.js';
import { waitFor } from '../helpers/wait.js';

test('issue 5 log files rotate by size and keep only logKeepFiles old files', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ocpp-edge-log-'));
  try {
    const log = await createServiceLogger({ level: 'info', dataDir, logFile: 'logs/edge.log', logMaxSize: '2k', logKeepFiles: 2, stdout: false });
    for (let i = 0; i < 60; i++) {
      log.info({ i, filler: 'x'.repeat(200) }, 'line');
      await new Promise((r) => setImmediate(r));
    }
    log.flush();
    const logFiles = () => readdirSync(join(dataDir, 'logs')).filter((f) => f.endsWith('.log'));
    // Rotation and pruning run asynchronously: wait until rotated files exist and the old ones are gone.
    const files = await waitFor(() => (logFiles().length >= 2 && logFiles().length <= 3 ? logFiles() : null), { what: 'rotated log files, at most logKeepFiles + the current one' });
    assert.ok(files.length <= 3, `at most logKeepFiles + the current file: ${files}`);
    const lines = files
      .flatMap((f) =>
        readFileSync(join(dataDir, 'logs', f), 'utf8')
          .trim()
          .split('\n'),
      )
      .filter(Boolean);
    for (const l of lines) assert.equal(JSON.parse(l).msg, 'line', 'every line is one JSON object');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
