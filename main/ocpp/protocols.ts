import { isInboundAction } from './actions.js';
import type { InboundHandlers } from './dispatcher.js';
import { handlers } from './handlers/index.js';
import type { RpcErrorCode } from './rpc.js';
import { v201Adapter } from './v201/adapter.js';
import { OcppValidator } from './validator.js';
import type { OcppVersion } from './versions.js';

/**
 * One adapter per protocol version (issue 14): its schemas, its charger -> controller handlers
 * and the spelling of its error codes. The server picks a connection's adapter once, from the
 * negotiated subprotocol; nothing past that point asks which version a charger speaks.
 */
export interface ProtocolAdapter {
  version: OcppVersion;
  validator: OcppValidator;
  inbound: InboundHandlers;
  /** A CALLERROR code as this version's wire spells it (the core raises the 1.6 names). */
  wireCode(code: RpcErrorCode): RpcErrorCode;
  /** The code for a frame that is no valid RPC message at all (not JSON, no usable id, ...). */
  frameCode(code: RpcErrorCode): RpcErrorCode;
  /** Answers a frame of an unknown message type number (else it is ignored, as OCPP-J 1.6 says). */
  unknownMessageType: RpcErrorCode | null;
}

export const v16Adapter = (): ProtocolAdapter => ({
  version: '1.6',
  validator: new OcppValidator(),
  inbound: { isInbound: isInboundAction, handlers, unhandled: 'NotSupported' },
  wireCode: (code) => code,
  frameCode: (code) => code,
  unknownMessageType: null,
});

export const createAdapters = (): Readonly<Record<OcppVersion, ProtocolAdapter>> => ({ '1.6': v16Adapter(), '2.0.1': v201Adapter() });
