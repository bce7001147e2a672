/**
 * Preload bridge. The typed API contract (preload/contract.ts) and its IPC adapter arrive
 * with the desktop UI; until then the renderer gets nothing from Node.
 */
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('ocppEdge', { version: process.versions.electron });
