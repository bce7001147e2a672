import { Type } from '@sinclair/typebox';
import type { CommandService } from '../../commands/service.js';
import { OUTBOUND_ACTIONS } from '../../ocpp/actions.js';
import type { OcppServer } from '../../ocpp/server.js';
import { OUTBOUND_ACTIONS as V201_OUTBOUND_ACTIONS } from '../../ocpp/v201/actions.js';
import { HttpError, type Route } from '../router.js';
import { actor, asHttp } from './command-errors.js';

const SendBody = Type.Object(
  {
    action: Type.Union(
      [...new Set<string>([...OUTBOUND_ACTIONS, ...V201_OUTBOUND_ACTIONS])].map((a) => Type.Literal(a)),
      { description: "a message of the charger's own OCPP version (1.6 or 2.0.1)" },
    ),
    payload: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'the OCPP request payload of the action, in that version' })),
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
      summary: 'Send an OCPP message to a connected charger in its own version, {action, payload}: a 1.6 command (with its store effects), or a 2.0.1 message as given (e.g. GetBaseReport)',
      body: SendBody,
      handler: ({ params, body, req }) => {
        const b = body as { action: string; payload?: Record<string, unknown> };
        return asHttp(() => commands.sendRaw(params.cpId!, b.action, b.payload ?? {}, actor(req.headers)));
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
