/**
 * Smoke test of `npm run bench -- --quick`: it runs to the end by itself (exit 0: no CALLERROR,
 * no lost socket, no crashed server), prints every scenario and writes its JSON result.
 * Its numbers, and how long it takes, are never checked: they depend on the machine and its
 * load (the bench reports them).
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('bench --quick runs every scenario against the service and the baseline and reports each (no wall-clock bound: issue 8)', { timeout: 600_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'ocpp-edge-bench-test-'));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/run.ts', '--quick', '--out', out], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    assert.equal(code, 0, `bench exited ${code}\n--- stdout\n${stdout}\n--- stderr (tail)\n${stderr.slice(-3000)}`);
    const ui = process.env.OCPP_EDGE_SKIP_BROWSER === '1' ? [] : ['(f) UI under load'];
    for (const title of ['(a) connect storm', '(b) idle capacity', '(c) closed loop', '(d) fixed rate', '(e) session churn', ...ui]) {
      // A scenario measured on a busy machine is marked with "*".
      assert.match(stdout, new RegExp(`\\| ${title.replace(/[()]/g, '\\$&')}( \\*)?\\s+\\|`), `table has no row for ${title}`);
    }
    assert.match(stdout, /\|\s*scenario\s+\|\s*metric\s+\|\s*edge\s+\|\s*baseline\s+\|\s*ratio\s+\|/);
    // Issue 14: the closed loop also runs with OCPP 2.0.1 stations, with its own ratio.
    assert.match(stdout, /\| msg\/s @100 OCPP 2\.0\.1 chargers\s+\|\s*[\d,]+\s+\|\s*[\d,]+\s+\|\s*[\d.]+×/);
    const files = readdirSync(out).filter((f) => f.endsWith('.json'));
    assert.equal(files.length, 1, 'one JSON result file');
    const json = JSON.parse(readFileSync(join(out, files[0]!), 'utf8')) as { mode: string; table: unknown[]; problems: unknown[] };
    assert.equal(json.mode, 'quick');
    assert.ok(json.table.length >= 5);
    assert.deepEqual(json.problems, []);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
