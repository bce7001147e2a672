/**
 * Builds the desktop app's code: the main process (main/index.ts and the whole core, one ESM
 * file) and the sandboxed preload (one CommonJS file). Everything is bundled except
 * better-sqlite3 (a native module, shipped unpacked beside the asar) and electron itself, so
 * the installer carries no other node_modules.
 *   npm run build:electron
 */

import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Packages the main bundle loads at run time from node_modules (see electron-builder.yml `files`). */
export const RUNTIME_PACKAGES = ['better-sqlite3'] as const;

/**
 * The store writer's worker thread entry: bundled as its own file beside every main bundle,
 * where main/app-ops.ts looks for it (app-writes.worker.js) when not running under tsx.
 */
const WRITER_WORKER = 'app-writes.worker';

/** One self-contained ESM file for a main-process entry (the Electron entry, or any core entry), and the writer worker's file beside it. */
export async function bundleMain(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: { [basename(outfile, '.js')]: entry, [WRITER_WORKER]: join(root, `main/${WRITER_WORKER}.ts`) },
    outdir: dirname(outfile),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['electron', ...RUNTIME_PACKAGES],
    // CommonJS packages inside an ESM bundle still call require() for Node built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}

/** The preload runs sandboxed: one CommonJS file whose only import is `electron`. */
export async function bundlePreload(outfile: string): Promise<void> {
  await build({ entryPoints: [join(root, 'preload/index.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['electron'], logLevel: 'warning' });
}

export async function bundleDesktop(outDir: string): Promise<void> {
  await Promise.all([bundleMain(join(root, 'main/index.ts'), join(outDir, 'main/index.js')), bundlePreload(join(outDir, 'preload/index.cjs'))]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  bundleDesktop(join(root, 'dist')).catch((err: unknown) => {
    console.error('desktop bundle failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
