import type { OutboundAction } from '../ocpp/actions.js';
import type { ActionTypes } from '../ocpp/schema/ocpp16.js';
import type { OcppServer } from '../ocpp/server.js';
import type { OcppVersion } from '../ocpp/versions.js';
import type { Db } from '../store/db.js';
import { variableMutability } from '../store/queries/device-model.js';
import { getTransaction } from '../store/queries/transactions.js';
import { v16Sender } from './v16.js';
import { v201Sender } from './v201.js';

/**
 * How a version-neutral command reaches a charger of one OCPP version: the neutral request in,
 * the neutral answer out (`sentAs`: the version's own message, when it is another one).
 */
export interface CommandSender {
  send<A extends OutboundAction>(chargePointId: string, action: A, request: ActionTypes[A]['request']): Promise<{ response: ActionTypes[A]['response']; sentAs?: string }>;
}

/** One sender per version; the command service picks the one of the charger's connection. */
export function commandSenders(ocpp: Pick<OcppServer, 'call' | 'callV201'>, db: Db): Readonly<Record<OcppVersion, CommandSender>> {
  // Ids the station reports progress under (remoteStartId, requestId): distinct across restarts.
  let requestId = Math.floor(Date.now() / 1000) % 1_000_000_000;
  return {
    '1.6': v16Sender(ocpp),
    '2.0.1': v201Sender(ocpp, {
      chargerTransactionId: (cp, id) => {
        const t = getTransaction(db, id);
        return t?.chargePointId === cp ? t.chargerTransactionId : undefined;
      },
      nextRequestId: () => (requestId = (requestId % 2_000_000_000) + 1),
      readOnly: (cp, ref) => variableMutability(db, cp, ref) === 'ReadOnly',
    }),
  };
}
