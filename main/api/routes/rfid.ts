import { type Static, Type } from '@sinclair/typebox';
import type { AdminWriter } from '../../store/admin-ops.js';
import type { Db } from '../../store/db.js';
import { getIdTag, type IdTag, listIdTags } from '../../store/queries/id-tags.js';
import { Created } from '../http-server.js';
import { Deleted } from '../responses/common.js';
import { RfidCard } from '../responses/rfid.js';
import { HttpError, type Route } from '../router.js';
import { isoDateTime } from './params.js';

/** OCPP idTag: CiString20. */
const TagId = Type.String({ minLength: 1, maxLength: 20, pattern: '^[\\x21-\\x7E]+$', description: 'RFID tag id (OCPP idToken, up to 20 printable characters)' });

/** Card fields an operator sets (null clears a field). */
const CardFields = {
  status: Type.Optional(Type.Union([Type.Literal('Active'), Type.Literal('Blocked')])),
  validUntil: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  parentIdTag: Type.Optional(Type.Union([TagId, Type.Null()])),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  maxConcurrentSessions: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 1000,
      description: 'Sessions the card may run at once (fleet cards); beyond it Authorize/StartTransaction answer ConcurrentTx. 1 (default) = one at a time, 0 = unlimited',
    }),
  ),
};

export const CreateRfidBody = Type.Object({ tagId: TagId, ...CardFields }, { additionalProperties: false });
export const UpdateRfidBody = Type.Object(CardFields, { additionalProperties: false });
type CardUpdate = Static<typeof UpdateRfidBody>;

/** Seed 001 RFID card management: the local authorization list used offline. */
export function rfidRoutes(db: Db, writer: AdminWriter): Route[] {
  const missing = (tagId: string) => new HttpError(404, `no RFID card ${tagId}`, 'tagId');
  const found = (tagId: string, tag: IdTag | undefined) => {
    if (!tag) throw missing(tagId);
    return tag;
  };
  const get = (tagId: string) => found(tagId, getIdTag(db, tagId));
  const update = async (tagId: string, fields: CardUpdate) => found(tagId, await writer.run('updateIdTag', { tagId, fields }));
  return [
    { method: 'GET', path: '/api/rfid', response: Type.Array(RfidCard), summary: 'List RFID cards', handler: () => listIdTags(db) },
    { method: 'GET', path: '/api/rfid/:tagId', response: RfidCard, summary: 'RFID card details', handler: ({ params }) => get(params.tagId!) },
    {
      method: 'POST',
      path: '/api/rfid',
      response: RfidCard,
      summary: 'Create an RFID card',
      created: true,
      body: CreateRfidBody,
      handler: async ({ body }) => {
        const b = body as { tagId: string; validUntil?: string | null };
        const validUntil = b.validUntil ? isoDateTime(b.validUntil, 'validUntil') : null;
        // OCPP idTags are case-insensitive: ABC and abc would be one card to a charger.
        const r = await writer.run('createIdTag', { ...(body as object), tagId: b.tagId, validUntil });
        if ('clash' in r) throw new HttpError(409, `RFID card ${r.clash.tagId} already exists${r.clash.tagId !== b.tagId ? ' (idTags ignore case)' : ''}`, 'tagId');
        return new Created(r.created);
      },
    },
    {
      method: 'PATCH',
      path: '/api/rfid/:tagId',
      response: RfidCard,
      summary: 'Update an RFID card (status, validUntil, parentIdTag, description, maxConcurrentSessions; null clears)',
      body: UpdateRfidBody,
      handler: ({ params, body }) => {
        get(params.tagId!);
        const b = body as CardUpdate;
        const validUntil = b.validUntil ? isoDateTime(b.validUntil, 'validUntil') : b.validUntil;
        return update(params.tagId!, { ...b, validUntil });
      },
    },
    { method: 'POST', path: '/api/rfid/:tagId/block', response: RfidCard, summary: 'Block an RFID card', handler: ({ params }) => update(params.tagId!, { status: 'Blocked' }) },
    { method: 'POST', path: '/api/rfid/:tagId/activate', response: RfidCard, summary: 'Activate an RFID card', handler: ({ params }) => update(params.tagId!, { status: 'Active' }) },
    {
      method: 'DELETE',
      path: '/api/rfid/:tagId',
      response: Deleted('tagId'),
      summary: "Delete an RFID card (chargers' local lists drop it on their next SendLocalList)",
      handler: async ({ params }) => {
        if (!(await writer.run('deleteIdTag', { tagId: params.tagId! }))) throw missing(params.tagId!);
        return { tagId: params.tagId, deleted: true };
      },
    },
  ];
}
