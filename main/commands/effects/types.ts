import type { OutboundAction } from '../../ocpp/actions.js';
import type { ActionTypes } from '../../ocpp/schema/ocpp16.js';
import type { CommandError } from '../errors.js';
import type { CommandDeps, CommandOutcome } from '../service.js';

export interface EffectDeps extends CommandDeps {
  /** Runs another command through the service (audited like any other). */
  execute<A extends OutboundAction>(chargePointId: string, action: A, payload: ActionTypes[A]['request'], by: string): Promise<CommandOutcome<A>>;
  /** Audits a command refused before any call went out (e.g. a local list too large for the charger). */
  recordRefusal(chargePointId: string, action: OutboundAction, request: unknown, by: string, err: CommandError): Promise<void>;
}

/** What a command does to the store around the call itself. */
export interface CommandEffect<A extends OutboundAction> {
  /** May complete the payload (e.g. assign a reservationId) before it is validated and sent. */
  prepare?(d: EffectDeps, chargePointId: string, payload: ActionTypes[A]['request']): ActionTypes[A]['request'] | Promise<ActionTypes[A]['request']>;
  /** Records the answer; returned fields are added to the command's outcome. */
  after?(
    d: EffectDeps,
    chargePointId: string,
    request: ActionTypes[A]['request'],
    response: ActionTypes[A]['response'],
  ): Record<string, unknown> | void | Promise<Record<string, unknown> | undefined> | Promise<void>;
  failed?(d: EffectDeps, chargePointId: string, request: ActionTypes[A]['request'], err: CommandError): void | Promise<void>;
  /** Listens to charger events the command's state depends on (called once at start); returns its cleanup. */
  subscribe?(d: EffectDeps): (() => void) | undefined;
}

export const nowIso = (): string => new Date().toISOString();
