import type { Config } from '../config/schema.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log/logger.js';
import type { Db } from '../store/db.js';
import type { GroupCommitWriter } from '../store/writer.js';
import type { InboundAction } from './actions.js';
import type { Connection } from './connection.js';
import type { WriteOps } from './ops.js';
import type { ActionTypes } from './schema/ocpp16.js';

/** A vendor's DataTransfer handler, registered by vendorId. */
export type DataTransferHandler = (
  chargePointId: string,
  messageId: string | undefined,
  data: string | undefined,
) => Promise<ActionTypes['DataTransfer']['response']> | ActionTypes['DataTransfer']['response'];

export interface OcppServices {
  config: Config;
  /** For reads; all writes go through `writer`. */
  db: Db;
  writer: GroupCommitWriter<WriteOps>;
  events: EventBus;
  log: Logger;
  dataTransferHandlers: Map<string, DataTransferHandler>;
}

export interface HandlerContext extends OcppServices {
  conn: Connection;
  chargePointId: string;
  /** When the frame arrived (ISO), for received-at columns. */
  receivedAt: string;
}

export type Handler<A extends InboundAction> = (ctx: HandlerContext, req: ActionTypes[A]['request']) => Promise<ActionTypes[A]['response']> | ActionTypes[A]['response'];
