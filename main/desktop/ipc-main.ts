/**
 * The IPC adapter: the one file that imports `ipcMain`. It registers every channel of the
 * contract (preload/contract.ts) and gives the dispatcher (ipc-dispatch.ts, where senders and
 * arguments are checked) Electron's system browser, save dialog and notifications.
 */

import { join } from 'node:path';
import { app, type BrowserWindow, dialog, ipcMain, Notification, shell } from 'electron';
import { IPC_CHANNELS } from './ipc-args.js';
import { createIpcDispatch, type IpcDispatchDeps } from './ipc-dispatch.js';

export interface DesktopIpcDeps extends Omit<IpcDispatchDeps, 'ports'> {
  window(): BrowserWindow | undefined;
}

export function registerDesktopIpc(deps: DesktopIpcDeps): void {
  const dispatch = createIpcDispatch({
    ...deps,
    ports: {
      openExternal: (url) => shell.openExternal(url),
      chooseSavePath: async (suggestedName) => {
        const options = {
          defaultPath: join(app.getPath('downloads'), suggestedName),
          filters: [
            { name: 'CSV', extensions: ['csv'] },
            { name: 'All files', extensions: ['*'] },
          ],
        };
        const win = deps.window();
        const choice = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
        return choice.canceled || !choice.filePath ? null : choice.filePath;
      },
      notify: (title, body) => {
        if (!Notification.isSupported()) throw new Error('desktop notifications are not supported on this system');
        new Notification({ title, body }).show();
      },
      version: () => app.getVersion(),
    },
  });
  for (const channel of IPC_CHANNELS) ipcMain.handle(channel, (event, ...raw: unknown[]) => dispatch(channel, event.senderFrame?.url ?? '', raw));
}
