import { Type } from '@sinclair/typebox';
import type { CommandService } from '../../commands/service.js';
import { OUTBOUND_ACTIONS, type OutboundAction } from '../../ocpp/actions.js';
import type { OcppServer } from '../../ocpp/server.js';
import { HttpError, type Route } from '../router.js';
import { actor, asHttp } from './command-errors.js';

const SendBody = Type.Object(
  {
    action: Type.Union(OUTBOUND_ACTIONS.map((a) => Type.Literal(a))),
    payload: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'the OCPP request payload of the action' })),
  },
  { additionalProperties: false },
);

/** Seed 003's operations endpoints: live connections, statistics, send, disconnect. */
export function connectionRoutes(ocpp: OcppServer, commands: CommandService): Route[] {
  return [
    {
      method: 'GET',
      path: '/connections',
      summary: 'Live charger connections',
      handler: () =>
        ocpp.connectedIds.map((id) => {
          const c = ocpp.connection(id)!;
          return {
            chargePointId: id,
            remoteAddress: c.remoteAddress,
            remotePort: c.remotePort,
            connectedAt: c.connectedAt.toISOString(),
            lastSeen: new Date(c.lastSeenMs).toISOString(),
            bootState: c.bootState,
            pendingCalls: c.pendingCalls,
            lenient: c.lenient,
          };
        }),
    },
    { method: 'GET', path: '/statistics', summary: 'Message counts by action, error rates, response times, active connections', handler: () => ocpp.stats.snapshot(ocpp.connectedIds.length) },
    {
      method: 'POST',
      path: '/connections/:cpId/send',
      summary: 'Send an OCPP command to a connected charger: {action, payload}',
      body: SendBody,
      handler: ({ params, body, req }) => {
        const b = body as { action: OutboundAction; payload?: object };
        return asHttp(() => commands.execute(params.cpId!, b.action, (b.payload ?? {}) as never, actor(req.headers)));
      },
    },
    {
      method: 'DELETE',
      path: '/connections/:cpId',
      summary: 'Close a charger connection (it will reconnect by itself)',
      handler: ({ params }) => {
        if (!ocpp.disconnect(params.cpId!)) throw new HttpError(404, `${params.cpId} is not connected`, 'cpId');
        return { chargePointId: params.cpId, disconnected: true };
      },
    },
  ];
}
