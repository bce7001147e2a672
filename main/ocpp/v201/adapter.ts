import type { ProtocolAdapter } from '../protocols.js';
import type { RpcErrorCode } from '../rpc.js';
import { isInboundAction } from './actions.js';
import { handlers } from './handlers/index.js';
import { createV201Validator } from './validator.js';

/** OCPP-J 2.0.1 renamed two codes (section 4.3); the rest are spelled as in 1.6. */
const RENAMED: Partial<Record<RpcErrorCode, RpcErrorCode>> = {
  FormationViolation: 'FormatViolation',
  OccurenceConstraintViolation: 'OccurrenceConstraintViolation',
};

/** A CALLERROR code as the 2.0.1 wire spells it (also what the 2.0.1 simulator answers with). */
export const v201WireCode = (code: RpcErrorCode): RpcErrorCode => RENAMED[code] ?? code;

export const v201Adapter = (): ProtocolAdapter => ({
  version: '2.0.1',
  validator: createV201Validator(),
  inbound: { isInbound: isInboundAction, handlers, unhandled: 'NotImplemented' },
  wireCode: v201WireCode,
  // OCPP-J 2.0.1 4.3: "content of the call is not a valid RPC request".
  frameCode: () => 'RpcFrameworkError',
  unknownMessageType: 'MessageTypeNotSupported',
});
