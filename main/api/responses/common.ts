import { type TSchema, Type } from '@sinclair/typebox';

/**
 * Response schemas: the JSON the API answers, one module per area. Fastify serialises with them
 * (a property not named here is left out of the answer), and the OpenAPI document publishes them
 * for the UI's generated client types. Every object names all the fields its handler returns
 * (test/ui/api-responses.test.ts compares each answer with what its handler returned).
 */

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const NullableString = Nullable(Type.String());
export const NullableNumber = Nullable(Type.Number());
/**
 * An instant as ISO 8601 UTC text. No `format`: in a nullable field the serialiser would check
 * it, and one odd timestamp a lenient charger got stored would turn the whole answer into a 500.
 */
export const Instant = Type.String({ description: 'ISO 8601 UTC instant, e.g. 2026-12-02T10:00:00.000Z' });

/** The answer of a DELETE: what was deleted, by the key it was named with. */
export const Deleted = <K extends string>(key: K, value: TSchema = Type.String()) => Type.Object({ [key]: value, deleted: Type.Literal(true) } as Record<K, TSchema> & { deleted: TSchema });
