import type { Route } from './router.js';

/**
 * The OpenAPI 3.0 document, built from the same route table and body schemas that validate
 * requests, so the document cannot drift from what the server accepts.
 */
export function buildOpenApi(routes: readonly Route[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const names = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
    const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const op: Record<string, unknown> = {
      summary: r.summary,
      operationId: `${r.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(names.length && { parameters: names.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })) }),
      ...(r.body && { requestBody: { required: true, content: { 'application/json': { schema: toOpenApiSchema(r.body) } } } }),
      responses: {
        [r.method === 'POST' && /\/api\/(rfid|charger)$/.test(r.path) ? '201' : '200']: { description: 'Success', content: { 'application/json': { schema: {} } } },
        '400': { $ref: '#/components/responses/Error' },
        ...(!r.open && { '401': { $ref: '#/components/responses/Error' } }),
        '404': { $ref: '#/components/responses/Error' },
      },
      ...(r.open ? { security: [] } : {}),
    };
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.0.3',
    info: { title: 'OCPP Edge API', version, description: 'Depot edge controller: OCPP 1.6J central system, sessions, RFID cards, remote commands.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      responses: {
        Error: {
          description: 'Error',
          content: { 'application/json': { schema: { type: 'object', properties: { error: { type: 'string' }, field: { type: 'string' } }, required: ['error'] } } },
        },
      },
    },
    security: [{ bearer: [] }],
    paths,
  };
}

/**
 * JSON Schema (TypeBox / OCPP draft-07) -> OpenAPI 3.0 schema: drop $id/$schema and TypeBox
 * symbols, turn `type: 'null'` unions into `nullable`, `const` into a one-value enum.
 */
export function toOpenApiSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toOpenApiSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const s = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$id' || k === '$schema') continue;
    if (k === 'const') out.enum = [v];
    else if (k === 'anyOf' || k === 'oneOf') {
      const variants = (v as Array<Record<string, unknown>>).filter((x) => x.type !== 'null');
      if (variants.length !== (v as unknown[]).length) out.nullable = true;
      const converted = variants.map(toOpenApiSchema) as Array<Record<string, unknown>>;
      if (converted.length === 1) Object.assign(out, converted[0]);
      else if (converted.every((c) => Array.isArray(c.enum) && c.type === converted[0]!.type)) Object.assign(out, { type: converted[0]!.type, enum: converted.flatMap((c) => c.enum as unknown[]) });
      else out.anyOf = converted;
    } else out[k] = toOpenApiSchema(v);
  }
  return out;
}
