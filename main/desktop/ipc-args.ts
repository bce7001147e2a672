/**
 * Argument checks for every IPC channel, run in main before anything acts: the renderer is
 * web content and may send anything. A checker returns the typed arguments or throws
 * IpcArgumentError with a readable reason.
 */
import type { IpcChannels } from '../../preload/contract.js';
import { MAX_URL_LENGTH } from './external-url.js';

export class IpcArgumentError extends Error {
  override name = 'IpcArgumentError';
}

export const LIMITS = {
  chargePointId: 48,
  fileName: 200,
  /** A CSV export of a large depot's sessions stays well under this. */
  fileContentChars: 64 * 1024 * 1024,
  notificationTitle: 200,
  notificationBody: 2000,
} as const;

type ArgCheckers = { [K in keyof IpcChannels]: (args: readonly unknown[]) => IpcChannels[K]['args'] };

function count(args: readonly unknown[], n: number): void {
  if (args.length !== n) throw new IpcArgumentError(`expected ${n} argument(s), got ${args.length}`);
}

function text(value: unknown, name: string, max: number, min = 1): string {
  if (typeof value !== 'string') throw new IpcArgumentError(`${name} must be a string, got ${value === null ? 'null' : typeof value}`);
  if (value.length < min) throw new IpcArgumentError(`${name} must not be empty`);
  if (value.length > max) throw new IpcArgumentError(`${name} is longer than ${max} characters`);
  return value;
}

// Control characters would let a label or file name hide what it really says.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (they are rejected)
const CONTROL = /[\u0000-\u001f\u007f]/;

function fileName(value: unknown): string {
  const name = text(value, 'file name', LIMITS.fileName);
  if (CONTROL.test(name) || /[\\/:*?"<>|]/.test(name) || name === '.' || name === '..') {
    throw new IpcArgumentError('file name must be a plain name without folders or the characters \\ / : * ? " < > |');
  }
  return name;
}

export const checkIpcArgs: ArgCheckers = {
  'web-config:open': (args) => {
    count(args, 2);
    const id = text(args[0], 'charger id', LIMITS.chargePointId);
    if (CONTROL.test(id)) throw new IpcArgumentError('charger id contains control characters');
    return [id, text(args[1], 'address', MAX_URL_LENGTH)];
  },
  'file:save': (args) => {
    count(args, 2);
    return [fileName(args[0]), text(args[1], 'file content', LIMITS.fileContentChars, 0)];
  },
  'alert:notify': (args) => {
    count(args, 2);
    return [text(args[0], 'notification title', LIMITS.notificationTitle), text(args[1], 'notification body', LIMITS.notificationBody, 0)];
  },
  'app:version': (args) => {
    count(args, 0);
    return [];
  },
};

/** Every channel of the contract, for the adapter to register. */
export const IPC_CHANNELS = Object.keys(checkIpcArgs) as Array<keyof IpcChannels>;
