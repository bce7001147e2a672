/**
 * What each IPC channel does, without Electron: a call is refused unless it comes from the
 * app's own page, its arguments are checked (ipc-args.ts), then it acts through the desktop
 * ports (system browser, save dialog, notifications) that the IPC adapter (ipc-main.ts) fills
 * with Electron's APIs. Every outcome is an IpcResult: a readable error for the UI, never an
 * exception crossing the bridge.
 */
import { writeFile } from 'node:fs/promises';
import type { IpcChannels, IpcResult } from '../../preload/contract.js';
import type { Logger } from '../log/logger.js';
import { checkWebConfigUrl } from './external-url.js';
import { checkIpcArgs } from './ipc-args.js';
import { isAppUrl } from './ui-origin.js';

export type IpcChannel = keyof IpcChannels;
type ValueOf<R> = R extends IpcResult<infer T> ? T : never;
type Handlers = { [K in IpcChannel]: (...args: IpcChannels[K]['args']) => Promise<ValueOf<IpcChannels[K]['result']>> };

/** The operating-system services the channels use. */
export interface DesktopPorts {
  openExternal(url: string): Promise<void>;
  /** Asks where to save; null when the user cancels. */
  chooseSavePath(suggestedName: string): Promise<string | null>;
  /** Shows a notification; throws when the system has none. */
  notify(title: string, body: string): void;
  version(): string;
}

export interface IpcDispatchDeps {
  /** The embedded service's origin: only its pages may call. */
  origin: string;
  ports: DesktopPorts;
  /** Addresses recorded for a charger; undefined when no such charger exists. */
  chargerAddresses(chargePointId: string): string[] | undefined;
  log: Logger;
}

export type IpcDispatch = <K extends IpcChannel>(channel: K, senderUrl: string, raw: readonly unknown[]) => Promise<IpcResult<unknown>>;

export function createIpcDispatch(deps: IpcDispatchDeps): IpcDispatch {
  const { ports, log } = deps;
  const handlers: Handlers = {
    'web-config:open': async (chargePointId, raw) => {
      const decision = checkWebConfigUrl(chargePointId, raw, deps.chargerAddresses(chargePointId));
      if (!decision.ok) throw new Error(`not opened: ${decision.error}`);
      await ports.openExternal(decision.url);
      log.info({ cp: chargePointId, url: decision.url }, 'charger web config opened in the system browser');
    },
    'file:save': async (suggestedName, content) => {
      const path = await ports.chooseSavePath(suggestedName);
      if (!path) return null;
      try {
        await writeFile(path, content, 'utf8');
      } catch (err) {
        throw new Error(`could not write ${path}: ${(err as Error).message}`, { cause: err });
      }
      return path;
    },
    'alert:notify': async (title, body) => ports.notify(title, body),
    'app:version': async () => ports.version(),
  };
  return async (channel, senderUrl, raw) => {
    if (!isAppUrl(senderUrl, deps.origin)) {
      log.warn({ channel, sender: senderUrl.slice(0, 200) }, 'IPC call refused: not from the app page');
      return { ok: false, error: 'refused: only the OCPP Edge page may use the desktop bridge' };
    }
    try {
      const args = checkIpcArgs[channel](raw);
      const run = handlers[channel] as (...a: typeof args) => Promise<unknown>;
      return { ok: true, value: await run(...args) };
    } catch (err) {
      log.warn({ channel, err }, 'IPC call failed');
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  };
}
