/**
 * The one typed IPC contract between the Electron main process, the preload script and the
 * renderer. Only what a browser cannot do crosses it; in a plain browser `window.ocppEdge` is
 * undefined and the UI falls back (new tab, download). Types only: no runtime code here.
 */
export type IpcResult<T = void> = { ok: true; value: T } | { ok: false; error: string };

export interface DesktopBridge {
  /** Opens a charger's own web page in the system browser; main only allows http/https to an address recorded for that charger (a discovered device not yet registered: pass its IP as the id). */
  openWebConfig(chargePointId: string, url: string): Promise<IpcResult>;
  /** Save dialog for an export (CSV); value is the chosen path, or null when cancelled. */
  saveFile(suggestedName: string, content: string): Promise<IpcResult<string | null>>;
  /** Desktop notification for an alert. */
  notify(title: string, body: string): Promise<IpcResult>;
  appVersion(): Promise<IpcResult<string>>;
}

/** Channel name -> argument tuple and result, so a channel or argument typo is a compile error. */
export interface IpcChannels {
  'web-config:open': { args: [chargePointId: string, url: string]; result: IpcResult };
  'file:save': { args: [suggestedName: string, content: string]; result: IpcResult<string | null> };
  'alert:notify': { args: [title: string, body: string]; result: IpcResult };
  'app:version': { args: []; result: IpcResult<string> };
}

declare global {
  interface Window {
    ocppEdge?: DesktopBridge;
  }
}
