import { entryOf } from '../map-entry.js';
import type { Connection } from './connection.js';
import { CallContext, type ConnectionContext, type HandlerContext, type OcppServices } from './context.js';
import { RpcError } from './rpc.js';
import { confSchemaId, requestSchemaId } from './schema/schemas.js';
import type { OcppValidator } from './validator.js';

/** One protocol version's charger -> controller handlers, by action. */
export interface InboundHandlers {
  isInbound(action: string): boolean;
  handlers: Readonly<Record<string, (ctx: HandlerContext, req: never) => unknown>>;
  /**
   * The answer to an action of this version's schemas that has no handler: 1.6 says
   * NotSupported (a known action of the other direction); 2.0.1 asks NotImplemented for
   * everything outside the functional blocks spoken here (issue 14).
   */
  unhandled: 'NotSupported' | 'NotImplemented';
}

export type Dispatch = (conn: Connection, id: string, action: string, payload: Record<string, unknown>) => Promise<unknown>;

/**
 * Turns an inbound CALL into its CALLRESULT payload: action known? charger allowed to send
 * it? payload valid (or, for a lenient charger, repairable)? Then the handler, whose answer
 * is checked against the official schema before it leaves. The same steps for every protocol
 * version; `table` and `validator` are the version's own.
 */
export function createDispatcher(services: OcppServices, validator: OcppValidator, table: InboundHandlers): Dispatch {
  // One context per connection, made at its first call; a call adds only its arrival time.
  const contexts = new WeakMap<Connection, ConnectionContext>();
  return async function dispatch(conn: Connection, _id: string, action: string, payload: Record<string, unknown>): Promise<unknown> {
    if (!table.isInbound(action)) {
      if (validator.has(requestSchemaId(action))) throw new RpcError(table.unhandled, `${action} is not supported by this central system`);
      throw new RpcError('NotImplemented', `unknown action ${action.slice(0, 64)}`);
    }
    if (conn.bootState === 'Rejected' && action !== 'BootNotification') {
      throw new RpcError('SecurityError', 'charger was rejected at boot; only BootNotification is allowed');
    }
    if (conn.lenient) {
      // One record per deviation, with the payload as received (the check repairs `payload` in place).
      const { deviations, original } = validator.checkLenient(requestSchemaId(action), payload);
      const at = new Date().toISOString();
      const received = deviations.length ? JSON.stringify(original) : '';
      for (const deviation of deviations) {
        const error = `${deviation.code}: ${deviation.message}`;
        services.log.info({ cp: conn.chargePointId, action, deviation: deviation.message }, 'lenient: schema deviation accepted');
        services.events.emit('charger.deviation', { chargePointId: conn.chargePointId, action, error });
        void services.writer
          .runLazy('deviation', { chargePointId: conn.chargePointId, action, direction: 'in', error, payload: received, at })
          .catch((err) => services.log.error({ err }, 'could not record deviation'));
      }
    } else {
      validator.check(requestSchemaId(action), payload);
    }
    const handler = table.handlers[action]!;
    const result = await handler(
      new CallContext(
        entryOf(contexts, conn, () => ({ ...services, conn, chargePointId: conn.chargePointId })),
        Date.now(),
      ),
      payload as never,
    );
    try {
      validator.check(confSchemaId(action), result);
    } catch (err) {
      services.log.error({ cp: conn.chargePointId, action, err: (err as Error).message }, 'our own answer failed its schema');
      throw new RpcError('InternalError', 'central system produced an invalid answer', {}, { cause: err });
    }
    return result;
  };
}
