/** OCPP-J 1.6 framing: [2,id,action,payload] CALL, [3,id,payload] CALLRESULT, [4,id,code,desc,details] CALLERROR. */

export const CALL = 2;
export const CALLRESULT = 3;
export const CALLERROR = 4;

/**
 * The 1.6 error codes, spelled as the OCPP-J 1.6 text spells them (FormationViolation,
 * OccurenceConstraintViolation), not as its errata and 2.0.1 do (OccurrenceConstraintViolation):
 * firmware written from the 1.6 text may know only that spelling, and errata-aware stacks
 * (ocpp-rpc) accept both. README "OCPP notes".
 */
export type RpcErrorCode = Rpc16ErrorCode | Rpc201ErrorCode;

type Rpc16ErrorCode =
  | 'NotImplemented'
  | 'NotSupported'
  | 'InternalError'
  | 'ProtocolError'
  | 'SecurityError'
  | 'FormationViolation'
  | 'PropertyConstraintViolation'
  | 'OccurenceConstraintViolation'
  | 'TypeConstraintViolation'
  | 'GenericError';

/**
 * The OCPP-J 2.0.1 codes (section 4.3): FormatViolation replaces FormationViolation,
 * OccurrenceConstraintViolation is spelled right, MessageTypeNotSupported and
 * RpcFrameworkError are new. The core raises the 1.6 names; a 2.0.1 connection renames them on
 * the wire (v201/adapter.ts).
 */
export type Rpc201ErrorCode =
  | 'FormatViolation'
  | 'GenericError'
  | 'InternalError'
  | 'MessageTypeNotSupported'
  | 'NotImplemented'
  | 'NotSupported'
  | 'OccurrenceConstraintViolation'
  | 'PropertyConstraintViolation'
  | 'ProtocolError'
  | 'RpcFrameworkError'
  | 'SecurityError'
  | 'TypeConstraintViolation';

export const RPC_ERROR_CODES: readonly Rpc16ErrorCode[] = [
  'NotImplemented',
  'NotSupported',
  'InternalError',
  'ProtocolError',
  'SecurityError',
  'FormationViolation',
  'PropertyConstraintViolation',
  'OccurenceConstraintViolation',
  'TypeConstraintViolation',
  'GenericError',
];

/** An error that becomes (or came from) a CALLERROR. */
export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    readonly code: RpcErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const MAX_MESSAGE_ID_LENGTH = 36;

export type Frame =
  | { type: typeof CALL; id: string; action: string; payload: Record<string, unknown> }
  | { type: typeof CALLRESULT; id: string; payload: unknown }
  | { type: typeof CALLERROR; id: string; code: string; description: string; details: unknown }
  /**
   * Unknown message type numbers are ignored, per OCPP-J 1.6; `unknownTypeId` is the frame's
   * id when it had a usable one, for versions that answer them (2.0.1: MessageTypeNotSupported).
   */
  | { type: 'ignore'; reason: string; unknownTypeId?: string }
  /** Unusable frame; answered with a CALLERROR under `id` ("-1" when it had none usable). */
  | { type: 'bad'; id: string; error: RpcError };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Any parsed JSON value as text; never throws (JSON.stringify ignores a non-function toJSON). */
const asText = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));

/** The id a CALLERROR can echo: the frame's own when it is a non-empty string (cut to 36), else "-1". */
const answerId = (id: unknown): string => (typeof id === 'string' && id.length > 0 ? id.slice(0, MAX_MESSAGE_ID_LENGTH) : '-1');

export function parseFrame(text: string): Frame {
  // Some chargers send empty text frames (as keepalives); ocpp-rpc ignores them too. Answering
  // and counting them as bad messages disconnected those chargers for nothing.
  if (text.length === 0) return { type: 'ignore', reason: 'empty frame' };
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { type: 'bad', id: '-1', error: new RpcError('FormationViolation', 'frame is not valid JSON') };
  }
  // OCPP-J 4.1.3: a message type number that is not 2, 3 or 4 is ignored, whatever follows it.
  // Checked before the length so `[5]` or `[9,"id"]` get no answer either (they used to get a
  // FormationViolation under id "-1").
  if (Array.isArray(msg) && typeof msg[0] === 'number' && msg[0] !== CALL && msg[0] !== CALLRESULT && msg[0] !== CALLERROR) {
    const id = msg[1];
    const usable = typeof id === 'string' && id.length > 0 && id.length <= MAX_MESSAGE_ID_LENGTH;
    return { type: 'ignore', reason: `unknown message type ${msg[0]}`, ...(usable && { unknownTypeId: id }) };
  }
  if (!Array.isArray(msg) || msg.length < 2) {
    return { type: 'bad', id: '-1', error: new RpcError('FormationViolation', 'frame must be a JSON array [type, id, ...]') };
  }
  const [type, id] = msg;
  if (type !== CALL && type !== CALLRESULT && type !== CALLERROR) {
    // The id is echoed only when usable: it used to be echoed as is, "" or a 60 kB string.
    return { type: 'bad', id: answerId(id), error: new RpcError('FormationViolation', 'message type must be a number') };
  }
  const idProblem =
    typeof id !== 'string' || id.length === 0 ? 'message id must be a non-empty string' : id.length > MAX_MESSAGE_ID_LENGTH ? `message id longer than ${MAX_MESSAGE_ID_LENGTH} characters` : null;
  if (type !== CALL) {
    // A CALLRESULT/CALLERROR is never answered, however malformed (found by the fuzz test: one
    // with a numeric or 37-character id, or without payload, got a CALLERROR back; two peers
    // doing that answer each other's errors forever). Unusable ones are dropped and logged.
    if (idProblem) return { type: 'ignore', reason: `${type === CALLRESULT ? 'CALLRESULT' : 'CALLERROR'}: ${idProblem}` };
    if (type === CALLRESULT) {
      if (msg.length !== 3) return { type: 'ignore', reason: 'malformed CALLRESULT' };
      return { type: CALLRESULT, id: id as string, payload: msg[2] };
    }
    if (msg.length < 4) return { type: 'ignore', reason: 'malformed CALLERROR' };
    // Not String(): found by the fuzz test, [4,"x",{"toString":1},"",{}] made String() throw
    // inside the socket's message handler, an uncaught exception that took the process down.
    return { type: CALLERROR, id: id as string, code: asText(msg[2]), description: asText(msg[3] ?? ''), details: msg[4] ?? {} };
  }
  if (idProblem) return { type: 'bad', id: answerId(id), error: new RpcError('ProtocolError', idProblem) };
  const callId = id as string;
  if (msg.length !== 4) return { type: 'bad', id: callId, error: new RpcError('FormationViolation', 'CALL must have 4 elements') };
  const [, , action, payload] = msg;
  if (typeof action !== 'string' || action.length === 0) return { type: 'bad', id: callId, error: new RpcError('FormationViolation', 'action must be a string') };
  if (!isObject(payload)) return { type: 'bad', id: callId, error: new RpcError('FormationViolation', 'payload must be a JSON object') };
  return { type: CALL, id: callId, action, payload };
}

export const serializeCall = (id: string, action: string, payload: unknown): string => JSON.stringify([CALL, id, action, payload]);
export const serializeResult = (id: string, payload: unknown): string => JSON.stringify([CALLRESULT, id, payload]);
export const serializeError = (id: string, code: RpcErrorCode, description: string, details: unknown = {}): string => JSON.stringify([CALLERROR, id, code, description.slice(0, 255), details]);
