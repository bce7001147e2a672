/**
 * issue 9 (Electron shell): the installer configuration, checked without the Electron binary.
 * The real bundles (main/desktop/bundle.ts) are laid out by electron-builder `--dir` with a stub
 * electronDist, inside a network namespace with no network (so nothing can be downloaded):
 * the app files, only better-sqlite3 (unpacked from the asar) from node_modules, the icons.
 * The main bundle's self-containment is proven by running the headless entry bundled the
 * same way with plain Node.
 */

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { extractFile, listPackage, statFile } from '@electron/asar';
import { convertIcon } from 'app-builder-lib/out/util/iconConverter.js';
import { bundleMain, bundlePreload, RUNTIME_PACKAGES } from '../../main/desktop/bundle.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const modules = realpathSync(join(repo, 'node_modules'));
const work = mkdtempSync(join(tmpdir(), 'ocpp-edge-pack-'));
const stage = join(work, 'project');
const out = join(work, 'out');
after(() => rmSync(work, { recursive: true, force: true }));

/** The loader chain better-sqlite3 needs at run time (it requires `bindings`, which requires `file-uri-to-path`). */
const SHIPPED_MODULES = [...RUNTIME_PACKAGES, 'bindings', 'file-uri-to-path'];

let builder: { status: number | null; output: string };
before(async () => {
  mkdirSync(join(stage, 'dist/renderer'), { recursive: true });
  copyFileSync(join(repo, 'package.json'), join(stage, 'package.json'));
  symlinkSync(modules, join(stage, 'node_modules'));
  mkdirSync(join(stage, 'resources'));
  for (const f of ['icon.png', 'icon.ico']) copyFileSync(join(repo, 'resources', f), join(stage, 'resources', f));
  // Stands in for the Vite build (another test covers the UI): the config must ship whatever dist/renderer holds.
  writeFileSync(join(stage, 'dist/renderer/index.html'), '<!doctype html><title>OCPP Edge</title><script type="module" src="./assets/index.js"></script>');
  await Promise.all([bundleMain(join(repo, 'main/index.ts'), join(stage, 'dist/main/index.js')), bundlePreload(join(stage, 'dist/preload/index.cjs'))]);
  // The stub Electron: electron-builder only copies the folder and renames the executable.
  const stub = join(work, 'electron-stub');
  mkdirSync(stub);
  writeFileSync(join(stub, 'electron'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(stub, 'electron'), 0o755);
  const cli = join(modules, 'electron-builder/cli.js');
  const args = [cli, '--dir', '--linux', '--projectDir', stage, '--config', join(repo, 'electron-builder.yml'), `-c.electronDist=${stub}`, `-c.directories.output=${out}`, '-c.npmRebuild=false'];
  // No network inside: a download attempt fails the build instead of reaching the internet.
  // node_modules here is a symlink to a shared install, which `npm ls` (builder's npm collector)
  // resolves wrongly; builder's own fallback, a plain walk of node_modules, is selected instead.
  const { npm_execpath: _npmExecpath, ...env } = process.env;
  const r = spawnSync('unshare', ['-n', process.execPath, ...args], {
    encoding: 'utf8',
    timeout: 90_000,
    env: { ...env, npm_config_user_agent: 'traversal', ELECTRON_BUILDER_CACHE: join(work, 'cache') },
  });
  builder = { status: r.status, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
});

const appDir = () => join(out, 'linux-unpacked');
const asarPath = () => join(appDir(), 'resources/app.asar');

test('issue 9: electron-builder lays out the app offline with a stub electronDist (--dir)', () => {
  assert.equal(builder.status, 0, builder.output);
  assert.ok(statSync(join(appDir(), 'ocpp-edge')).mode & 0o111, 'the executable is missing (linux.executableName)');
});

test('issue 9: the package holds the main bundle, the preload, the renderer build and only better-sqlite3 from node_modules', () => {
  const files = listPackage(asarPath(), { isPack: false }).map((f) => f.replace(/\\/g, '/').replace(/^\//, ''));
  for (const f of [
    'package.json',
    'dist/main/index.js',
    'dist/main/app-writes.worker.js',
    'dist/preload/index.cjs',
    'dist/renderer/index.html',
    'node_modules/better-sqlite3/lib/index.js',
    'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    'node_modules/bindings/bindings.js',
    'node_modules/file-uri-to-path/index.js',
  ]) {
    assert.ok(files.includes(f), `${f} is not packaged`);
  }
  const topModules = new Set(files.filter((f) => f.startsWith('node_modules/')).map((f) => f.split('/')[1]));
  assert.deepEqual([...topModules].sort(), [...SHIPPED_MODULES].sort());
  const others = files.filter((f) => !/^(node_modules|dist)(\/|$)/.test(f) && f !== 'package.json');
  assert.deepEqual(others, [], 'sources, tests or resources leaked into the package');
  assert.ok(!files.some((f) => f.endsWith('.map') || f.endsWith('.ts')), 'source maps or TypeScript sources are packaged');
  // The packaged manifest starts the ESM main bundle.
  const manifest = JSON.parse(extractFile(asarPath(), 'package.json').toString('utf8'));
  assert.equal(manifest.main, 'dist/main/index.js');
  assert.equal(manifest.type, 'module');
});

test('issue 9: better-sqlite3 is unpacked from the asar (a native module cannot load from inside it)', () => {
  const native = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
  const unpackedInAsar = (f: string) => (statFile(asarPath(), f) as { unpacked?: boolean }).unpacked === true;
  // The whole module, not only the .node file builder would unpack by itself: its loader finds the binary relative to the module root.
  for (const f of [native, 'node_modules/better-sqlite3/lib/index.js', 'node_modules/better-sqlite3/package.json']) assert.ok(unpackedInAsar(f), `${f} is inside the asar`);
  const unpacked = join(appDir(), 'resources/app.asar.unpacked', native);
  assert.equal(statSync(unpacked).size, statSync(join(modules, 'better-sqlite3/build/Release/better_sqlite3.node')).size);
  assert.equal(unpackedInAsar('dist/main/index.js'), false);
});

/** Width, height and RGBA pixels of an 8-bit RGBA, non-interlaced PNG (what make-icon.mjs writes). */
function decodePng(buf: Buffer): { width: number; height: number; px: Buffer } {
  assert.equal(buf.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  assert.equal(buf[24], 8);
  assert.equal(buf[25], 6);
  const idat: Buffer[] = [];
  for (let o = 8; o < buf.length; ) {
    const len = buf.readUInt32BE(o);
    if (buf.toString('ascii', o + 4, o + 8) === 'IDAT') idat.push(buf.subarray(o + 8, o + 8 + len));
    o += len + 12;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const px = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (width * 4 + 1)], 0, 'only filter type 0 is expected');
    raw.copy(px, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  }
  return { width, height, px };
}

test('issue 9: the app icon is a real 512x512 glyph (bolt on a blue tile, transparent corners), accepted by electron-builder for Linux and Windows', async () => {
  const config = readFileSync(join(repo, 'electron-builder.yml'), 'utf8');
  const linuxIcon = /^linux:\n(?: {2}.*\n)*? {2}icon: (\S+)/m.exec(config)?.[1];
  const winIcon = /^win:\n(?: {2}.*\n)*? {2}icon: (\S+)/m.exec(config)?.[1];
  assert.equal(linuxIcon, 'icon.png');
  assert.equal(winIcon, 'icon.ico');
  const roots = [join(repo, 'resources')];
  const set = await convertIcon({ sources: [linuxIcon], fallbackSources: [], roots, format: 'set', outDir: join(work, 'icon-set') });
  assert.equal(set.isFallback, false);
  assert.equal(set.icons[0]?.size, 512);
  const ico = await convertIcon({ sources: [winIcon], fallbackSources: [], roots, format: 'ico', outDir: join(work, 'icon-ico') });
  assert.equal(ico.icons[0]?.size, 256);

  const { width, height, px } = decodePng(readFileSync(join(repo, 'resources/icon.png')));
  assert.deepEqual([width, height], [512, 512]);
  let white = 0;
  let blue = 0;
  for (let i = 0; i < px.length; i += 4) {
    const [r, g, b, a] = [px[i]!, px[i + 1]!, px[i + 2]!, px[i + 3]!];
    if (a === 255 && r > 240 && g > 240 && b > 240) white++;
    else if (a === 255 && b > 150 && r < 60) blue++;
  }
  const n = width * height;
  assert.ok(white / n > 0.08 && white / n < 0.4, `bolt covers ${((100 * white) / n).toFixed(1)}% of the icon`);
  assert.ok(blue / n > 0.4, `tile covers ${((100 * blue) / n).toFixed(1)}% of the icon`);
  assert.equal(px[3], 0, 'the corner is not transparent');

  // The .ico: a 256 PNG entry plus classic 48/32/16 bitmaps for older shells.
  const icoBuf = readFileSync(join(repo, 'resources/icon.ico'));
  const entries = Array.from({ length: icoBuf.readUInt16LE(4) }, (_, i) => {
    const e = 6 + i * 16;
    const data = icoBuf.subarray(icoBuf.readUInt32LE(e + 12), icoBuf.readUInt32LE(e + 12) + icoBuf.readUInt32LE(e + 8));
    return { size: icoBuf[e] || 256, png: data.subarray(0, 4).toString('hex') === '89504e47', bpp: data.subarray(0, 4).toString('hex') === '89504e47' ? 32 : data.readUInt16LE(14) };
  });
  assert.deepEqual(entries, [
    { size: 256, png: true, bpp: 32 },
    { size: 48, png: false, bpp: 32 },
    { size: 32, png: false, bpp: 32 },
    { size: 16, png: false, bpp: 32 },
  ]);
});

test('issue 9: the icons are what resources/make-icon.mjs draws, and the pinned electronVersion is the installed electron', () => {
  const fresh = join(work, 'icons');
  mkdirSync(fresh);
  const r = spawnSync(process.execPath, [join(repo, 'resources/make-icon.mjs'), fresh], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const f of ['icon.png', 'icon.ico']) assert.ok(readFileSync(join(fresh, f)).equals(readFileSync(join(repo, 'resources', f))), `resources/${f} is stale: run node resources/make-icon.mjs`);
  const pinned = /^electronVersion: (\S+)$/m.exec(readFileSync(join(repo, 'electron-builder.yml'), 'utf8'))?.[1];
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  assert.equal(pinned, pkg.optionalDependencies.electron);
  assert.equal(pinned, JSON.parse(readFileSync(join(modules, 'electron/package.json'), 'utf8')).version);
});

test('issue 9: the preload bundle needs nothing but electron (a sandboxed preload can require nothing else)', () => {
  const preload = readFileSync(join(stage, 'dist/preload/index.cjs'), 'utf8');
  const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(required)], ['electron']);
  assert.match(preload, /exposeInMainWorld\("ocppEdge"/);
});

test('issue 9: the main bundle carries the whole core: the headless entry bundled the same way runs with only better-sqlite3 beside it', async () => {
  const smoke = join(work, 'smoke');
  mkdirSync(join(smoke, 'node_modules'), { recursive: true });
  for (const m of SHIPPED_MODULES) symlinkSync(join(modules, m), join(smoke, 'node_modules', m));
  copyFileSync(join(repo, 'package.json'), join(smoke, 'package.json'));
  await bundleMain(join(repo, 'main/serve.ts'), join(smoke, 'dist/main/serve.js'));
  const data = join(work, 'smoke-data');
  const token = 'bundle-smoke-token-0123456789';
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', OCPP_EDGE_API_TOKEN: token };
  const proc = spawn(process.execPath, [join(smoke, 'dist/main/serve.js'), '--data-dir', data, '--port', '0', '--host', '127.0.0.1', '--log-level', 'warn'], {
    cwd: smoke,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      proc.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const m = /REST API:\s+http:\/\/127\.0\.0\.1:(\d+)\/api/.exec(stderr);
        if (m) resolve(Number(m[1]));
      });
      void exited.then((code) => reject(new Error(`bundled service exited (${code}): ${stderr}`)));
    });
    const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
    assert.equal(health.status, 'ok');
    const openapi = await fetch(`http://127.0.0.1:${port}/api/openapi.json`);
    assert.equal(openapi.status, 200);
    // A write commits through the writer's worker thread, bundled beside serve.js.
    const created = await fetch(`http://127.0.0.1:${port}/api/rfid`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tagId: 'BUNDLED1' }),
    });
    assert.equal(created.status, 201, await created.text());
    proc.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
  assert.ok(existsSync(join(data, 'ocpp-edge.db')), 'the bundled core did not open its SQLite store');
});
