import type { HandlerContext } from '../context.js';
import type { InboundAction } from './actions.js';
import type { ActionTypes } from './ocpp201.js';

/** A 2.0.1 station -> controller handler: the same context as 1.6's, the 2.0.1 message types. */
export type Handler<A extends InboundAction> = (ctx: HandlerContext, req: ActionTypes[A]['request']) => Promise<ActionTypes[A]['response']> | ActionTypes[A]['response'];
