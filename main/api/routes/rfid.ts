import { Type, type Static } from '@sinclair/typebox';
import type { Db } from '../../store/db.js';
import { deleteIdTag, findIdTagForAuthorization, getIdTag, insertIdTag, listIdTags, updateIdTag } from '../../store/queries/id-tags.js';
import { Created } from '../http-server.js';
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
export function rfidRoutes(db: Db): Route[] {
  const get = (tagId: string) => {
    const tag = getIdTag(db, tagId);
    if (!tag) throw new HttpError(404, `no RFID card ${tagId}`, 'tagId');
    return tag;
  };
  const setStatus = (tagId: string, status: 'Active' | 'Blocked') => {
    get(tagId);
    return updateIdTag(db, tagId, { status });
  };
  return [
    { method: 'GET', path: '/api/rfid', summary: 'List RFID cards', handler: () => listIdTags(db) },
    { method: 'GET', path: '/api/rfid/:tagId', summary: 'RFID card details', handler: ({ params }) => get(params.tagId!) },
    {
      method: 'POST',
      path: '/api/rfid',
      summary: 'Create an RFID card',
      created: true,
      body: CreateRfidBody,
      handler: ({ body }) => {
        const b = body as { tagId: string; validUntil?: string | null };
        // OCPP idTags are case-insensitive: ABC and abc would be one card to a charger.
        const clash = findIdTagForAuthorization(db, b.tagId);
        if (clash) throw new HttpError(409, `RFID card ${clash.tagId} already exists${clash.tagId !== b.tagId ? ' (idTags ignore case)' : ''}`, 'tagId');
        const validUntil = b.validUntil ? isoDateTime(b.validUntil, 'validUntil') : null;
        return new Created(insertIdTag(db, { ...(body as object), tagId: b.tagId, validUntil }));
      },
    },
    {
      method: 'PATCH',
      path: '/api/rfid/:tagId',
      summary: 'Update an RFID card (status, validUntil, parentIdTag, description, maxConcurrentSessions; null clears)',
      body: UpdateRfidBody,
      handler: ({ params, body }) => {
        get(params.tagId!);
        const b = body as CardUpdate;
        const validUntil = b.validUntil ? isoDateTime(b.validUntil, 'validUntil') : b.validUntil;
        return updateIdTag(db, params.tagId!, { ...b, validUntil });
      },
    },
    { method: 'POST', path: '/api/rfid/:tagId/block', summary: 'Block an RFID card', handler: ({ params }) => setStatus(params.tagId!, 'Blocked') },
    { method: 'POST', path: '/api/rfid/:tagId/activate', summary: 'Activate an RFID card', handler: ({ params }) => setStatus(params.tagId!, 'Active') },
    {
      method: 'DELETE',
      path: '/api/rfid/:tagId',
      summary: "Delete an RFID card (chargers' local lists drop it on their next SendLocalList)",
      handler: ({ params }) => {
        get(params.tagId!);
        deleteIdTag(db, params.tagId!);
        return { tagId: params.tagId, deleted: true };
      },
    },
  ];
}
