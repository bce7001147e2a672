/**
 * Electron entry: the same core as `npm run serve` (main/app.ts), with a desktop window on the
 * embedded service's UI. Only wiring lives here; every decision (window options, CSP, which
 * URLs and permissions, the quit rule, IPC argument checks) is a plain module in main/desktop/,
 * tested without Electron.
 */

import { join } from 'node:path';
import { BrowserWindow, dialog, app as electronApp, safeStorage, session } from 'electron';
import { checkApiToken } from './api/token.js';
import { type App, createApp } from './app.js';
import { loadConfig } from './config/load.js';
import { recordedAddresses } from './desktop/charger-addresses.js';
import { contentSecurityPolicy } from './desktop/csp.js';
import { registerDesktopIpc } from './desktop/ipc-main.js';
import { QUIT_BUTTON, quitQuestion } from './desktop/quit-guard.js';
import { REMEMBERED_TOKEN_FILE, recallToken, rememberToken, type SecretCipher } from './desktop/remembered-token.js';
import { startupErrorMessage } from './desktop/startup-error.js';
import { isAppUrl, isServiceRequest, startUrl, uiOrigin } from './desktop/ui-origin.js';
import { ALLOWED_PERMISSIONS, mainWindowOptions } from './desktop/window-options.js';
import { createServiceLogger, type Logger } from './log/logger.js';

let core: App | undefined;
let log: Logger | undefined;
let win: BrowserWindow | undefined;
let quitState: 'running' | 'asking' | 'stopping' = 'running';

/** The OS key store, unless it would only obfuscate (Linux without a keyring falls back to a fixed key). */
function osCipher(): SecretCipher | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return null;
  return { encrypt: (plain) => safeStorage.encryptString(plain), decrypt: (sealed) => safeStorage.decryptString(sealed) };
}

/** The plain API token for the window's sign-in link, when the desktop app has it. */
function signInToken(app: App): string | null {
  const file = join(electronApp.getPath('userData'), REMEMBERED_TOKEN_FILE);
  const cipher = osCipher();
  if (app.newApiToken && cipher) rememberToken(file, app.newApiToken, cipher);
  return app.newApiToken ?? app.config.apiToken ?? (cipher && recallToken(file, cipher, (t) => checkApiToken(app.db, t)));
}

/** Every request of the window goes to the embedded service only, under the desktop CSP. */
function lockDownSession(origin: string): void {
  const ses = session.defaultSession;
  const csp = contentSecurityPolicy(origin);
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isServiceRequest(details.url, origin) || details.url.startsWith('devtools:');
    if (!allowed) log?.warn({ url: details.url.slice(0, 200) }, 'request outside the embedded service refused');
    callback({ cancel: !allowed });
  });
  // The desktop policy applies to every response of the service, whatever the service itself sends.
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback(isAppUrl(details.url, origin) ? { responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } } : {});
  });
  ses.setPermissionRequestHandler((_contents, permission, callback) => callback(ALLOWED_PERMISSIONS.has(permission)));
  ses.setPermissionCheckHandler((_contents, permission) => ALLOWED_PERMISSIONS.has(permission));
}

/** The window stays on the service's pages; links elsewhere go through the IPC bridge, never a new window. */
function guardNavigation(w: BrowserWindow, origin: string): void {
  const refuse = (event: { url: string; preventDefault(): void }, what: string) => {
    if (isAppUrl(event.url, origin)) return;
    event.preventDefault();
    log?.warn({ url: event.url.slice(0, 200) }, `${what} refused`);
  };
  w.webContents.on('will-navigate', (event) => refuse(event, 'navigation'));
  w.webContents.on('will-redirect', (event) => refuse(event, 'redirect'));
  w.webContents.on('will-attach-webview', (event) => event.preventDefault());
  w.webContents.setWindowOpenHandler(({ url }) => {
    log?.warn({ url: url.slice(0, 200) }, 'new window refused');
    return { action: 'deny' };
  });
}

function focusWindow(): void {
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

/** Quitting stops the chargers' central system: with chargers connected the user confirms first. */
async function requestQuit(): Promise<void> {
  if (quitState !== 'running') return;
  quitState = 'asking';
  const question = quitQuestion(core?.ocpp.connectedIds.length ?? 0);
  if (question) {
    const { response } = win ? await dialog.showMessageBox(win, question) : await dialog.showMessageBox(question);
    if (response !== QUIT_BUTTON) {
      quitState = 'running';
      return;
    }
  }
  quitState = 'stopping';
  let code = 0;
  try {
    await core?.stop();
    log?.info('desktop app stopped');
  } catch (err) {
    code = 1;
    log?.error({ err }, 'shutdown failed');
  }
  log?.flush();
  // exit, not quit: the core is stopped, nothing may veto or re-enter the quit path.
  electronApp.exit(code);
}

async function start(): Promise<void> {
  // The desktop app keeps its data in the per-user app folder unless OCPP_EDGE_DATA_DIR says otherwise.
  const config = loadConfig({ cli: process.env.OCPP_EDGE_DATA_DIR ? {} : { dataDir: join(electronApp.getPath('userData'), 'data') } });
  // No console to read: logs go to a rotated file in <dataDir>/logs/.
  log = await createServiceLogger({
    level: config.logLevel,
    dataDir: config.dataDir,
    logFile: config.logFile ?? 'logs/ocpp-edge.log',
    logMaxSize: config.logMaxSize,
    logKeepFiles: config.logKeepFiles,
    stdout: false,
  });
  core = createApp(config, log);
  await core.start();
  const app = core;
  const origin = uiOrigin(config.host, app.port);
  lockDownSession(origin);
  registerDesktopIpc({ origin, window: () => win, chargerAddresses: (id) => recordedAddresses(app.db, app.ocpp, id), log });
  const w = new BrowserWindow(mainWindowOptions(join(import.meta.dirname, '../preload/index.cjs')));
  win = w;
  guardNavigation(w, origin);
  w.once('ready-to-show', () => w.show());
  w.on('close', (event) => {
    event.preventDefault();
    void requestQuit();
  });
  await w.loadURL(startUrl(origin, signInToken(app)));
  log.info({ origin, dataDir: config.dataDir, version: electronApp.getVersion() }, 'desktop app started');
}

async function fail(err: unknown): Promise<void> {
  log?.error({ err }, 'desktop app failed to start');
  dialog.showErrorBox('OCPP Edge could not start', startupErrorMessage(err));
  await core?.stop().catch((stopErr: unknown) => log?.error({ err: stopErr }, 'shutdown after failed start failed'));
  log?.flush();
  electronApp.exit(1);
}

if (!electronApp.requestSingleInstanceLock()) {
  // Another OCPP Edge already serves this PC's chargers; it brings its window forward ('second-instance').
  electronApp.exit(0);
} else {
  electronApp.on('second-instance', focusWindow);
  electronApp.on('before-quit', (event) => {
    event.preventDefault();
    void requestQuit();
  });
  electronApp.whenReady().then(start).catch(fail);
}
