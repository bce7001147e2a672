import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsImport from 'ajv-formats';

// ajv-formats ships CommonJS with a default export that NodeNext sees as a namespace.
const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

/** One ajv for app-level schemas (config, REST bodies); OCPP has its own in ocpp/validator. */
const ajv = addFormats(new Ajv({ allErrors: false, strict: false, useDefaults: false }));

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string; field: string };

/** Names the failing field the way an API user would write it: `body.idTag`, `port`. */
export function describeAjvError(e: ErrorObject, root = ''): { field: string; message: string } {
  let path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (e.keyword === 'required') path = path ? `${path}.${e.params.missingProperty}` : String(e.params.missingProperty);
  if (e.keyword === 'additionalProperties') path = path ? `${path}.${e.params.additionalProperty}` : String(e.params.additionalProperty);
  const field = [root, path].filter(Boolean).join('.') || root || '(value)';
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') message = 'is not a known field';
  if (e.keyword === 'required') message = 'is required';
  if (e.keyword === 'enum') message = `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
  return { field, message };
}

export function compileSchema<T>(schema: TSchema, root = ''): (value: unknown) => Checked<T> {
  const validate = ajv.compile(schema);
  return (value) => {
    if (validate(value)) return { ok: true, value: value as T };
    const errors = validate.errors ?? [];
    const first = errors[0];
    if (!first) return { ok: false, error: 'invalid value', field: root };
    const { field, message } = describeAjvError(first, root);
    return { ok: false, error: `${field} ${describeUnion(errors, first) ?? message}`, field };
  };
}

/**
 * A value matching no branch of a union of literals / scalar types: "must be one of a, b"
 * or "must be string or null", instead of what the first branch alone said.
 */
function describeUnion(errors: ErrorObject[], first: ErrorObject): string | undefined {
  const anyOf = errors.find((e) => e.keyword === 'anyOf' && e.instancePath === first.instancePath);
  if (!anyOf) return undefined;
  const branches = errors.filter((e) => e !== anyOf && e.schemaPath.startsWith(anyOf.schemaPath.replace(/\/anyOf$/, '/anyOf/')));
  if (!branches.length || branches.some((e) => e.instancePath !== first.instancePath)) return undefined;
  if (branches.every((e) => e.keyword === 'const')) return `must be one of ${branches.map((e) => String(e.params.allowedValue)).join(', ')}`;
  const consts = branches.filter((e) => e.keyword === 'const').map((e) => JSON.stringify(e.params.allowedValue));
  const types = branches.filter((e) => e.keyword === 'type').map((e) => String(e.params.type));
  if (consts.length + types.length === branches.length) return `must be ${[...types, ...consts].join(' or ')}`;
  return undefined;
}
