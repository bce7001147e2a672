import type { RpcErrorCode } from '../ocpp/rpc.js';

export type CommandErrorKind = 'invalid' | 'not-found' | 'not-connected' | 'not-allowed' | 'timeout' | 'call-error' | 'conflict' | 'busy' | 'store-unavailable';

/** Why a command did not produce the charger's answer; the API maps `kind` to a status code. */
export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    readonly kind: CommandErrorKind,
    message: string,
    readonly extra: { rpcCode?: RpcErrorCode | string; field?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
