/**
 * Electron entry: the same core as `npm run serve`, with a desktop window. Kept thin: all
 * logic lives in the core (main/app.ts); this file only composes it with Electron.
 * Until the desktop UI lands, the window shows the service's addresses and API token.
 */
import { app as electronApp, BrowserWindow } from 'electron';
import { join } from 'node:path';
import { createApp, type App } from './app.js';
import { loadConfig } from './config/load.js';
import { createServiceLogger } from './log/logger.js';

let core: App | undefined;

async function start(): Promise<void> {
  const config = loadConfig({ cli: { dataDir: join(electronApp.getPath('userData'), 'data') } });
  // The desktop app has no console to read: it logs to a rotated file in its data folder.
  const log = await createServiceLogger({ level: config.logLevel, dataDir: config.dataDir, logFile: config.logFile ?? 'logs/ocpp-edge.log', logMaxSize: config.logMaxSize, logKeepFiles: config.logKeepFiles, stdout: false });
  core = createApp(config, log);
  await core.start();
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    title: 'OCPP Edge',
    webPreferences: { preload: join(import.meta.dirname, '../preload/index.cjs'), contextIsolation: true, sandbox: true, nodeIntegration: false },
  });
  const html = `<!doctype html><meta charset="utf-8"><title>OCPP Edge</title><body style="font-family:sans-serif;padding:2em">
    <h1>OCPP Edge is running</h1><p>Chargers: <code>ws://&lt;this PC&gt;:${core.port}/ocpp/&lt;chargePointId&gt;</code></p>
    <p>REST API: <code>http://127.0.0.1:${core.port}/api</code> (OpenAPI at <code>/api/openapi.json</code>)</p>
    ${core.newApiToken ? `<p>API token (shown once): <code>${core.newApiToken}</code></p>` : ''}</body>`;
  await win.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`);
}

electronApp.whenReady().then(start, (err) => {
  console.error('OCPP Edge failed to start', err);
  electronApp.exit(1);
});

electronApp.on('window-all-closed', () => {
  // The central system keeps running for the chargers only while the app runs; quit cleanly.
  void (core?.stop() ?? Promise.resolve()).finally(() => electronApp.quit());
});
