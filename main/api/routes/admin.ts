import { type TSchema, Type } from '@sinclair/typebox';
import type { CommandService } from '../../commands/service.js';
import { V201_TRANSLATIONS } from '../../commands/v201.js';
import { OUTBOUND_ACTIONS, type OutboundAction } from '../../ocpp/actions.js';
import { ocpp16Schemas, requestSchemaId, schemaKey } from '../../ocpp/schema/schemas.js';
import { CommandOutcome } from '../responses/chargers.js';
import type { Route } from '../router.js';
import { actor, asHttp } from './command-errors.js';

/** Seed 001 names for the remote-start/stop routes; the rest are the action in kebab case. */
const PATHS: Partial<Record<OutboundAction, string>> = {
  RemoteStartTransaction: 'start-transaction',
  RemoteStopTransaction: 'stop-transaction',
};
export const commandPath = (a: OutboundAction): string => PATHS[a] ?? a.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

/** The official OCPP 1.6 request schema of an action, usable as a request body schema. */
export function officialRequestSchema(action: OutboundAction): TSchema {
  const found = ocpp16Schemas.find((s) => schemaKey(s.$id) === requestSchemaId(action));
  if (!found) throw new Error(`no schema for ${action}`);
  const { $id: _id, $schema: _s, ...schema } = found;
  return schema as TSchema;
}

/** What the body means to each version (issue 14): the 1.6 request as is, translated for 2.0.1. */
const versionNote = (action: OutboundAction): string => {
  const t = V201_TRANSLATIONS[action];
  return `OCPP 1.6: the ${action}.req payload. OCPP 2.0.1 stations get ${t.action}: ${t.doc}`;
};

/** ReserveNow from REST: we assign the reservationId unless the caller insists on one. */
function reserveNowBody(): TSchema {
  const s = officialRequestSchema('ReserveNow') as TSchema & { required: string[] };
  return { ...s, required: s.required.filter((r) => r !== 'reservationId'), description: versionNote('ReserveNow') } as TSchema;
}

const SendLocalListBody = Type.Object(
  { updateType: Type.Union([Type.Literal('Full'), Type.Literal('Differential')], { description: 'Full: the whole RFID table; Differential: changes since the list the charger last accepted' }) },
  { additionalProperties: false, description: `Either version. OCPP 2.0.1 stations get SendLocalList: ${V201_TRANSLATIONS.SendLocalList.doc}` },
);

/**
 * Every CS->CP command as POST /api/admin/:cpId/<command>, for chargers of either version (the
 * body is the 1.6 request, translated for 2.0.1 stations); answers carry the charger's reply.
 */
export function adminRoutes(commands: CommandService): Route[] {
  return OUTBOUND_ACTIONS.map((action): Route => {
    if (action === 'SendLocalList') {
      return {
        method: 'POST',
        path: `/api/admin/:cpId/${commandPath(action)}`,
        response: CommandOutcome,
        summary: 'SendLocalList built from the local RFID table (Full or Differential)',
        body: SendLocalListBody,
        handler: ({ params, body, req }) => asHttp(() => commands.syncLocalList(params.cpId!, (body as { updateType: 'Full' | 'Differential' }).updateType, actor(req.headers))),
      };
    }
    return {
      method: 'POST',
      path: `/api/admin/:cpId/${commandPath(action)}`,
      response: CommandOutcome,
      summary:
        action === 'RemoteStartTransaction'
          ? 'RemoteStartTransaction (OCPP 1.6 and 2.0.1); the answer carries the transactionId once the charger starts'
          : `${action} (OCPP 1.6 and 2.0.1); body is the 1.6 ${action}.req payload`,
      body: action === 'ReserveNow' ? reserveNowBody() : { ...officialRequestSchema(action), description: versionNote(action) },
      handler: ({ params, body, req }) => asHttp(() => commands.execute(params.cpId!, action, (body ?? {}) as never, actor(req.headers))),
    };
  });
}
