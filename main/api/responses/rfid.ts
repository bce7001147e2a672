import { Type } from '@sinclair/typebox';
import { Instant, Nullable, NullableString } from './common.js';

/** An RFID card (main/store/queries/id-tags.ts IdTag). */
export const RfidCard = Type.Object({
  tagId: Type.String(),
  status: Type.Union([Type.Literal('Active'), Type.Literal('Blocked')]),
  validUntil: Nullable(Instant),
  parentIdTag: NullableString,
  description: NullableString,
  maxConcurrentSessions: Type.Integer({ description: 'Sessions the card may run at once: 1 one at a time, 0 unlimited' }),
  source: Type.Union([Type.Literal('local'), Type.Literal('headoffice')]),
  createdAt: Instant,
  updatedAt: Instant,
});

/** POST /api/ui/rfid/import: the per-row report. */
export const ImportReport = Type.Object({
  rows: Type.Array(Type.Object({ line: Type.Integer(), tagId: Type.String(), ok: Type.Boolean(), error: Type.Optional(Type.String()), field: Type.Optional(Type.String()) })),
  valid: Type.Integer(),
  invalid: Type.Integer(),
  imported: Type.Integer(),
});
