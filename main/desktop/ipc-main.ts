/**
 * The IPC adapter: the one file that imports `ipcMain`. Each channel of the contract
 * (preload/contract.ts) gets its arguments checked (ipc-args.ts), is refused unless it comes
 * from the app's own page, and answers an IpcResult: a failure is a readable error for the
 * UI, never an exception leaking across the bridge.
 */
import { app, dialog, ipcMain, Notification, shell, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IpcChannels, IpcResult } from '../../preload/contract.js';
import type { Logger } from '../log/logger.js';
import { checkWebConfigUrl } from './external-url.js';
import { checkIpcArgs } from './ipc-args.js';
import { isAppUrl } from './ui-origin.js';

type Channel = keyof IpcChannels;
type ValueOf<R> = R extends IpcResult<infer T> ? T : never;
/** What each channel does once its arguments are checked: resolves with the value, throws a readable Error. */
type Handlers = { [K in Channel]: (...args: IpcChannels[K]['args']) => Promise<ValueOf<IpcChannels[K]['result']>> };

export interface DesktopIpcDeps {
  /** The embedded service's origin: only its pages may call. */
  origin: string;
  window(): BrowserWindow | undefined;
  /** Addresses recorded for a charger; undefined when no such charger exists. */
  chargerAddresses(chargePointId: string): string[] | undefined;
  log: Logger;
}

function handle<K extends Channel>(channel: K, run: Handlers[K], deps: DesktopIpcDeps): void {
  ipcMain.handle(channel, async (event: IpcMainInvokeEvent, ...raw: unknown[]): Promise<IpcResult<unknown>> => {
    const sender = event.senderFrame?.url ?? '';
    if (!isAppUrl(sender, deps.origin)) {
      deps.log.warn({ channel, sender: sender.slice(0, 200) }, 'IPC call refused: not from the app page');
      return { ok: false, error: 'refused: only the OCPP Edge page may use the desktop bridge' };
    }
    try {
      const args = checkIpcArgs[channel](raw);
      return { ok: true, value: await run(...args) };
    } catch (err) {
      deps.log.warn({ channel, err }, 'IPC call failed');
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  });
}

export function registerDesktopIpc(deps: DesktopIpcDeps): void {
  handle(
    'web-config:open',
    async (chargePointId, raw) => {
      const decision = checkWebConfigUrl(chargePointId, raw, deps.chargerAddresses(chargePointId));
      if (!decision.ok) throw new Error(`not opened: ${decision.error}`);
      await shell.openExternal(decision.url);
      deps.log.info({ cp: chargePointId, url: decision.url }, 'charger web config opened in the system browser');
    },
    deps,
  );
  handle(
    'file:save',
    async (suggestedName, content) => {
      const win = deps.window();
      const options = { defaultPath: join(app.getPath('downloads'), suggestedName), filters: [{ name: 'CSV', extensions: ['csv'] }, { name: 'All files', extensions: ['*'] }] };
      const choice = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      if (choice.canceled || !choice.filePath) return null;
      try {
        await writeFile(choice.filePath, content, 'utf8');
      } catch (err) {
        throw new Error(`could not write ${choice.filePath}: ${(err as Error).message}`, { cause: err });
      }
      return choice.filePath;
    },
    deps,
  );
  handle(
    'alert:notify',
    async (title, body) => {
      if (!Notification.isSupported()) throw new Error('desktop notifications are not supported on this system');
      new Notification({ title, body }).show();
    },
    deps,
  );
  handle('app:version', async () => app.getVersion(), deps);
}
