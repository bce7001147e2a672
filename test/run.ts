/**
 * Checks lint and format (Biome, as `npm run lint`) and then runs every *.test.ts under test/
 * with node's test runner; a lint or format error fails the run before any test starts, so CI
 * fails on it too. Node 20 with tsx finds no .ts tests from a glob or folder, so the files are
 * listed explicitly.
 *   npm test                 all tests
 *   npm test -- test/ocpp    only files under that path
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function find(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : find(p);
    return name.endsWith('.test.ts') ? [p] : [];
  });
}

const lint = spawnSync(join(root, 'node_modules', '.bin', 'biome'), ['check', '--error-on-warnings', '.'], { cwd: root, stdio: 'inherit' });
if (lint.status !== 0) {
  console.error(lint.error ? `biome could not run: ${lint.error.message}` : 'biome check failed: fix the findings above (npm run format rewrites the formatting)');
  process.exit(lint.status || 1);
}

const filters = process.argv.slice(2);
const files = find(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.startsWith(x.replace(/^\.\//, ''))))
  .sort();
if (!files.length) {
  console.error('no test files matched');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=600000', '--test-reporter=spec', ...files], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
