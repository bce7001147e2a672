import type { Config } from '../config/schema.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log/logger.js';
import { OUTBOUND_ACTIONS, type OutboundAction } from '../ocpp/actions.js';
import { CallTimeoutError, NotConnectedError, TooManyPendingCallsError } from '../ocpp/connection.js';
import { RpcError } from '../ocpp/rpc.js';
import type { ActionTypes } from '../ocpp/schema/ocpp16.js';
import type { OcppServer } from '../ocpp/server.js';
import { OUTBOUND_ACTIONS as V201_OUTBOUND_ACTIONS, type OutboundAction as V201OutboundAction } from '../ocpp/v201/actions.js';
import type { OcppVersion } from '../ocpp/versions.js';
import type { AdminWriter } from '../store/admin-ops.js';
import type { Db } from '../store/db.js';
import { getChargerAuth } from '../store/queries/chargers.js';
import { StoreWriteError } from '../store/writer.js';
import { type EffectDeps, effects } from './effects/index.js';
import { localListOutdated, syncLocalList } from './effects/local-list.js';
import { CommandError } from './errors.js';
import { maskSecrets } from './secrets.js';
import { type CommandSender, commandSenders } from './sender.js';

export interface CommandDeps {
  config: Config;
  /** Reads only; every write goes through the writer (store/admin-ops.ts). */
  db: Db;
  writer: AdminWriter;
  ocpp: OcppServer;
  events: EventBus;
  log: Logger;
}

/** What a command returns: the charger's answer plus what we learned from it (e.g. a transactionId). */
export interface CommandOutcome<A extends OutboundAction = OutboundAction> {
  chargePointId: string;
  action: A;
  request: ActionTypes[A]['request'];
  response: ActionTypes[A]['response'];
  [extra: string]: unknown;
}

/** A raw message's outcome: the station's answer as it gave it. */
export interface RawOutcome {
  chargePointId: string;
  action: string;
  ocppVersion: OcppVersion;
  request: unknown;
  response: unknown;
}

/** 1.6 §4.2 (2.0.1 B02): a Pending charger may only be configured and asked to trigger messages. */
const ALLOWED_WHILE_PENDING = new Set<string>(['GetConfiguration', 'ChangeConfiguration', 'TriggerMessage', 'GetVariables', 'SetVariables', 'GetBaseReport']);
const outbound201 = new Set<string>(V201_OUTBOUND_ACTIONS);
const outbound = new Set<string>(OUTBOUND_ACTIONS);

/**
 * The one place CS->CP commands are executed, for REST, the desktop IPC and the scheduler:
 * state checks, schema validation, the call, its side effects in the store, and an audit row.
 */
export class CommandService {
  private readonly effectDeps: EffectDeps;
  private readonly cleanups: Array<() => void> = [];
  private readonly senders: Readonly<Record<OcppVersion, CommandSender>>;

  constructor(private readonly d: CommandDeps) {
    this.senders = commandSenders(d.ocpp, d.db);
    this.effectDeps = {
      ...d,
      execute: (cp, action, payload, by) => this.execute(cp, action, payload, by),
      recordRefusal: (cp, action, request, by, err) => {
        const started = Date.now();
        return this.record(cp, action, request, by, new Date(started).toISOString(), started, { ok: false, error: err.message });
      },
    };
    for (const e of Object.values(effects)) {
      const cleanup = (e.subscribe as ((d: EffectDeps) => (() => void) | undefined) | undefined)?.(this.effectDeps);
      if (cleanup) this.cleanups.push(cleanup);
    }
  }

  /** SendLocalList built from the RFID table (Full, or Differential since the last accepted list). */
  syncLocalList(chargePointId: string, updateType: 'Full' | 'Differential', by: string): Promise<CommandOutcome<'SendLocalList'>> {
    return syncLocalList(this.effectDeps, chargePointId, updateType, by);
  }

  /** Whether syncLocalList would change the charger's list (used to bring reconnecting chargers up to date). */
  localListOutdated(chargePointId: string): boolean {
    return localListOutdated(this.effectDeps, chargePointId);
  }

  close(): void {
    for (const c of this.cleanups.splice(0)) c();
  }

  isCommand(action: string): action is OutboundAction {
    return outbound.has(action);
  }

  async execute<A extends OutboundAction>(chargePointId: string, action: A, payload: ActionTypes[A]['request'], by: string): Promise<CommandOutcome<A>> {
    const started = Date.now();
    const at = new Date(started).toISOString();
    let request = payload;
    let answered = false;
    try {
      if (!this.isCommand(action)) throw new CommandError('invalid', `${action} is not an OCPP 1.6 central-system command`, { field: 'action' });
      this.checkState(chargePointId, action);
      const effect = effects[action] as EffectOf<A> | undefined;
      if (effect?.prepare) {
        request = await effect.prepare(this.effectDeps, chargePointId, payload);
        // The charger may have dropped or been rejected while prepare awaited (e.g. a key hash).
        this.checkState(chargePointId, action);
      }
      // Translated for the version the charger's connection speaks (checkState: it is connected).
      const version = this.d.ocpp.versionOf(chargePointId) ?? '1.6';
      const { response, sentAs } = await this.senders[version].send(chargePointId, action, request);
      answered = true;
      const extra = { ...(sentAs && { ocppVersion: version, sentAs }), ...(await effect?.after?.(this.effectDeps, chargePointId, request, response)) };
      // An AuthorizationKey (sent or read back) is never echoed, audited nor broadcast.
      const shown = maskSecrets(action, request);
      const shownResponse = maskSecrets(action, response);
      const outcome: CommandOutcome<A> = { chargePointId, action, request: shown, response: shownResponse, ...extra };
      await this.record(chargePointId, action, shown, by, at, started, { ok: true, result: { response: shownResponse, ...extra } });
      return outcome;
    } catch (err) {
      const e = toCommandError(err, chargePointId, action, answered);
      try {
        await (effects[action] as EffectOf<A> | undefined)?.failed?.(this.effectDeps, chargePointId, request, e);
      } catch (failedErr) {
        this.d.log.error({ err: failedErr, cp: chargePointId, action }, 'could not record the failure of a command');
      }
      await this.record(chargePointId, action, maskSecrets(action, request), by, at, started, { ok: false, error: e.message });
      throw e;
    }
  }

  /**
   * A message in the charger's own version, sent as given (audited, no store effects): what the
   * neutral commands do not cover, e.g. GetBaseReport to a 2.0.1 station. A 1.6 charger's
   * message is its neutral command (with its effects).
   */
  async sendRaw(chargePointId: string, action: string, payload: Record<string, unknown>, by: string): Promise<CommandOutcome | RawOutcome> {
    if (this.d.ocpp.versionOf(chargePointId) !== '2.0.1') return this.execute(chargePointId, action as OutboundAction, payload as never, by);
    const started = Date.now();
    const at = new Date(started).toISOString();
    try {
      if (!outbound201.has(action)) throw new CommandError('invalid', `${action} is not an OCPP 2.0.1 message to a station`, { field: 'action' });
      // The password goes by AuthorizationKey only: rolled out safely and never echoed.
      if (JSON.stringify(payload).includes('"BasicAuthPassword"')) throw new CommandError('invalid', 'set the password with change-configuration AuthorizationKey', { field: 'payload' });
      this.checkState(chargePointId, action);
      const response = await this.d.ocpp.callV201(chargePointId, action as V201OutboundAction, payload as never);
      await this.record(chargePointId, action, payload, by, at, started, { ok: true, result: { response } });
      return { chargePointId, action, ocppVersion: '2.0.1', request: payload, response };
    } catch (err) {
      const e = toCommandError(err, chargePointId, action, false);
      await this.record(chargePointId, action, payload, by, at, started, { ok: false, error: e.message });
      throw e;
    }
  }

  private checkState(chargePointId: string, action: string): void {
    const conn = this.d.ocpp.connection(chargePointId);
    if (!conn) throw new CommandError('not-connected', `${chargePointId} is not connected`);
    // After our own restart a charger does not boot again: its registry status stands in.
    const state = conn.bootState === 'Unknown' ? (getChargerAuth(this.d.db, chargePointId)?.registrationStatus ?? 'Accepted') : conn.bootState;
    if (state === 'Rejected') throw new CommandError('not-allowed', `${chargePointId} was rejected at boot: no commands may be sent`);
    if (state === 'Pending' && !ALLOWED_WHILE_PENDING.has(action)) {
      throw new CommandError('not-allowed', `${chargePointId} is in Pending boot state: only GetConfiguration, ChangeConfiguration and TriggerMessage are allowed`);
    }
  }

  private async record(chargePointId: string, action: string, request: unknown, by: string, at: string, started: number, r: { ok: boolean; result?: unknown; error?: string }): Promise<void> {
    try {
      await this.d.writer.run('auditCommand', {
        at,
        by,
        chargePointId,
        action,
        payload: JSON.stringify(request ?? {}),
        ok: r.ok,
        result: r.result === undefined ? null : JSON.stringify(r.result),
        error: r.error ?? null,
        durationMs: Date.now() - started,
      });
    } catch (err) {
      this.d.log.error({ err, cp: chargePointId, action }, 'could not write command audit');
    }
    this.d.events.emit('command.result', {
      chargePointId,
      action,
      ok: r.ok,
      ...(r.result !== undefined && { result: r.result }),
      ...(r.error !== undefined && { error: r.error }),
      by,
      at,
    });
  }
}

type EffectOf<A extends OutboundAction> = import('./effects/types.js').CommandEffect<A>;

function toCommandError(err: unknown, chargePointId: string, action: string, answered: boolean): CommandError {
  if (err instanceof CommandError) return err;
  if (err instanceof StoreWriteError) {
    // Before the call nothing went out; after it, the charger acted on a command we could not record.
    const sent = answered ? `; ${chargePointId} answered ${action} but its effect could not be recorded` : `; ${action} was not sent`;
    return new CommandError('store-unavailable', err.unavailable + sent, {}, { cause: err });
  }
  if (err instanceof NotConnectedError) return new CommandError('not-connected', err.message, {}, { cause: err });
  if (err instanceof CallTimeoutError) return new CommandError('timeout', err.message, {}, { cause: err });
  if (err instanceof TooManyPendingCallsError) return new CommandError('busy', err.message, {}, { cause: err });
  if (err instanceof RpcError) {
    // Our validation of the request throws before sending; the charger's CALLERROR comes back after.
    if (err.details.schema && String(err.details.schema).endsWith('.req')) {
      const field = /^\/([^\s]*)/.exec(err.message)?.[1]?.replace(/\//g, '.') || undefined;
      return new CommandError('invalid', `${action} payload invalid: ${err.message}`, { rpcCode: err.code, ...(field && { field }) }, { cause: err });
    }
    if (err.details.schema) return new CommandError('call-error', `${chargePointId} answered ${action} with an invalid payload: ${err.message}`, { rpcCode: err.code }, { cause: err });
    return new CommandError('call-error', `${chargePointId} answered ${action} with CALLERROR ${err.code}: ${err.message}`, { rpcCode: err.code }, { cause: err });
  }
  return new CommandError('call-error', `${action} failed: ${(err as Error)?.message ?? String(err)}`, {}, { cause: err });
}
