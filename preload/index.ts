/**
 * Preload bridge: the one file that imports `ipcRenderer`. It exposes the typed desktop API of
 * preload/contract.ts as `window.ocppEdge` and nothing else (no raw ipcRenderer, no Node).
 * Runs sandboxed, so it is bundled to one CommonJS file and may import only `electron` and
 * the contract.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { DesktopBridge, IpcChannels } from './contract.js';

function invoke<K extends keyof IpcChannels>(channel: K, ...args: IpcChannels[K]['args']): Promise<IpcChannels[K]['result']> {
  return ipcRenderer.invoke(channel, ...args);
}

const bridge: DesktopBridge = {
  openWebConfig: (chargePointId, url) => invoke('web-config:open', chargePointId, url),
  saveFile: (suggestedName, content) => invoke('file:save', suggestedName, content),
  notify: (title, body) => invoke('alert:notify', title, body),
  appVersion: () => invoke('app:version'),
};

contextBridge.exposeInMainWorld('ocppEdge', bridge);
