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

/** What every call of one connection shares: made once per connection, not per message. */
export interface ConnectionContext extends OcppServices {
  conn: Connection;
  chargePointId: string;
}

export interface HandlerContext extends ConnectionContext {
  /** When the frame arrived (ISO), for received-at columns. */
  readonly receivedAt: string;
}

/** One call's context: its connection's shared one, and its arrival time, formatted only if a handler asks. */
export class CallContext implements HandlerContext {
  private iso: string | undefined;
  constructor(
    private readonly c: ConnectionContext,
    private readonly atMs: number,
  ) {}
  get receivedAt(): string {
    this.iso ??= new Date(this.atMs).toISOString();
    return this.iso;
  }
  get config() {
    return this.c.config;
  }
  get db() {
    return this.c.db;
  }
  get writer() {
    return this.c.writer;
  }
  get events() {
    return this.c.events;
  }
  get log() {
    return this.c.log;
  }
  get dataTransferHandlers() {
    return this.c.dataTransferHandlers;
  }
  get conn() {
    return this.c.conn;
  }
  get chargePointId() {
    return this.c.chargePointId;
  }
}

export type Handler<A extends InboundAction> = (ctx: HandlerContext, req: ActionTypes[A]['request']) => Promise<ActionTypes[A]['response']> | ActionTypes[A]['response'];
