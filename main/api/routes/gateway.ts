import { Type } from '@sinclair/typebox';
import type { CommandService } from '../../commands/service.js';
import { OUTBOUND_ACTIONS, type OutboundAction } from '../../ocpp/actions.js';
import type { OcppServer } from '../../ocpp/server.js';
import type { Db } from '../../store/db.js';
import { listChargers } from '../../store/queries/chargers.js';
import type { Route } from '../router.js';
import { actor, asHttp } from './command-errors.js';

const ActionName = Type.Union(
  OUTBOUND_ACTIONS.map((a) => Type.Literal(a)),
  { description: 'OCPP 1.6 central-system command' },
);

const SendBody = Type.Object(
  {
    chargePointId: Type.String({ minLength: 1, maxLength: 48 }),
    command: Type.Object({ action: ActionName }, { additionalProperties: true, description: 'action plus the fields of its OCPP request payload' }),
  },
  { additionalProperties: false },
);

/** Seed 000's gateway endpoints: a generic command and the connected-charger list. */
export function gatewayRoutes(db: Db, ocpp: OcppServer, commands: CommandService): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/ocpp/send',
      summary: 'Send any OCPP 1.6 command: {chargePointId, command: {action, ...payload}}',
      body: SendBody,
      handler: ({ body, req }) => {
        const { chargePointId, command } = body as { chargePointId: string; command: { action: OutboundAction } & Record<string, unknown> };
        const { action, ...payload } = command;
        return asHttp(() => commands.execute(chargePointId, action, payload as never, actor(req.headers)));
      },
    },
    {
      method: 'GET',
      path: '/api/ocpp/chargers',
      summary: 'Chargers with their connection state: [{chargePointId, isConnected}]',
      handler: () => {
        const live = new Set(ocpp.connectedIds);
        return listChargers(db).map((c) => ({ chargePointId: c.chargePointId, isConnected: live.has(c.chargePointId), lastSeen: c.lastSeen }));
      },
    },
  ];
}
