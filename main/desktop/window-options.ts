/**
 * The main window's options: the renderer is web content from the embedded service and gets
 * nothing from Node. Plain data (no `electron` import) so a test can assert it.
 */
export interface MainWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  title: string;
  show: boolean;
  webPreferences: {
    preload: string;
    contextIsolation: true;
    sandbox: true;
    nodeIntegration: false;
    nodeIntegrationInWorker: false;
    nodeIntegrationInSubFrames: false;
    webSecurity: true;
    allowRunningInsecureContent: false;
    webviewTag: false;
    navigateOnDragDrop: false;
    spellcheck: false;
  };
}

export function mainWindowOptions(preload: string): MainWindowOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'OCPP Edge',
    // Shown once the first page has painted: no white flash, and no empty window if start-up fails.
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      // A file dropped on the window would otherwise replace the app with that file.
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/**
 * Web permissions the window may have: writing to the clipboard (the installer copies the OCPP
 * URL and password). Camera, geolocation, notifications (those go through IPC) etc. are denied.
 */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);
