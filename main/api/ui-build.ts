/**
 * Builds the UI (vite -> dist/renderer) when the build is missing or older than its sources, so
 * `npm run serve` (its `preserve` step) always serves the current UI and starts at once when
 * nothing changed.   tsx main/api/ui-build.ts [--force]
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const built = join(repo, 'dist/renderer/index.html');

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((n) => newestMtime(join(path, n))));
}

export function uiBuildIsStale(): boolean {
  if (!existsSync(built)) return true;
  const sources = Math.max(newestMtime(join(repo, 'renderer')), newestMtime(join(repo, 'vite.config.ts')), newestMtime(join(repo, 'package-lock.json')));
  return sources > statSync(built).mtimeMs;
}

export async function buildUi(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(repo, 'vite.config.ts'), logLevel: 'warn' });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--force') || uiBuildIsStale()) {
    process.stderr.write('ocpp-edge: building the UI (dist/renderer)...\n');
    await buildUi();
  }
}
