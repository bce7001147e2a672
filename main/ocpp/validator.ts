import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { RpcError, type RpcErrorCode } from './rpc.js';
import { type OcppSchema, ocpp16Schemas, schemaKey } from './schema/schemas.js';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

/** ajv keyword -> the OCPP 1.6 CALLERROR code that describes it. */
const CODE_BY_KEYWORD: Record<string, RpcErrorCode> = {
  type: 'TypeConstraintViolation',
  required: 'OccurenceConstraintViolation',
  minItems: 'OccurenceConstraintViolation',
  maxItems: 'OccurenceConstraintViolation',
  additionalProperties: 'FormationViolation',
  enum: 'PropertyConstraintViolation',
  format: 'PropertyConstraintViolation',
  maxLength: 'PropertyConstraintViolation',
  minLength: 'PropertyConstraintViolation',
  minimum: 'PropertyConstraintViolation',
  maximum: 'PropertyConstraintViolation',
  exclusiveMinimum: 'PropertyConstraintViolation',
  exclusiveMaximum: 'PropertyConstraintViolation',
  multipleOf: 'PropertyConstraintViolation',
  pattern: 'PropertyConstraintViolation',
};

// Order matters when several keywords fail: report the most structural problem first.
const SEVERITY: RpcErrorCode[] = ['FormationViolation', 'OccurenceConstraintViolation', 'TypeConstraintViolation', 'PropertyConstraintViolation'];

export function errorCodeFor(errors: ErrorObject[]): RpcErrorCode {
  const codes = errors.map((e) => CODE_BY_KEYWORD[e.keyword] ?? 'FormationViolation');
  return SEVERITY.find((c) => codes.includes(c)) ?? 'FormationViolation';
}

function describe(errors: ErrorObject[]): string {
  return errors
    .slice(0, 3)
    .map((e) => {
      const extra = e.keyword === 'additionalProperties' ? ` (${e.params.additionalProperty})` : e.keyword === 'enum' ? ` (${(e.params.allowedValues as string[]).join('|')})` : '';
      return `${e.instancePath || '/'} ${e.message}${extra}`;
    })
    .join('; ');
}

/** Lenient copy of a schema: enums, lengths, formats and unknown properties no longer fail. */
function relax(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(relax);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'enum' || k === 'maxLength' || k === 'format' || k === 'multipleOf') continue;
    if (k === 'additionalProperties' && v === false) continue;
    out[k] = relax(v);
  }
  return out;
}

/**
 * Ranges OCPP 1.6 states in its text but the official JSON schemas leave out; without them
 * a charger's `connectorId: -1` or `meterStart: 1e300` passed and was stored as is (found by
 * test/fuzz/ocpp-frames.test.ts). Strict mode only; a lenient charger gets them as deviations.
 * - OCPP-J 1.6 data types: `integer` is 32 bit signed. A larger JSON integer has the right
 *   type but a value the field cannot hold: PropertyConstraintViolation (minimum/maximum),
 *   not TypeConstraintViolation, which is for a JSON value of the wrong kind ("1", 1.5).
 * - connectorId >= 0 in MeterValues.req and StatusNotification.req (0 = the charger itself),
 *   > 0 in StartTransaction.req (a transaction is always on a real connector).
 */
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Lower bounds the spec text puts on top-level id fields, per schema: `{ 'StatusNotification.req': { connectorId: 0 } }`. */
export type IdMinimums = Readonly<Record<string, Readonly<Record<string, number>>>>;

const OCPP16_ID_MINIMUMS: IdMinimums = { 'MeterValues.req': { connectorId: 0 }, 'StatusNotification.req': { connectorId: 0 }, 'StartTransaction.req': { connectorId: 1 } };

function withSpecRanges(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withSpecRanges);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = withSpecRanges(v);
  if (out.type === 'integer') {
    out.minimum = Math.max(INT32_MIN, typeof out.minimum === 'number' ? out.minimum : INT32_MIN);
    out.maximum = Math.min(INT32_MAX, typeof out.maximum === 'number' ? out.maximum : INT32_MAX);
  }
  return out;
}

function strictSchema(key: string, schema: Record<string, unknown>, minimums: IdMinimums): Record<string, unknown> {
  const out = withSpecRanges(schema) as Record<string, unknown> & { properties?: Record<string, Record<string, unknown>> };
  for (const [field, min] of Object.entries(minimums[key] ?? {})) {
    const prop = out.properties?.[field];
    if (prop) prop.minimum = min;
  }
  return out;
}

function build(schemas: readonly OcppSchema[], minimums: IdMinimums, lenient: boolean, allErrors = false): Ajv {
  // allErrors off: the first failure is enough to answer, and it is much faster. (On only for
  // listing a lenient charger's deviations, which is off the hot path.)
  const ajv = new Ajv({ strict: false, allErrors, coerceTypes: lenient, removeAdditional: lenient ? 'all' : false });
  if (!lenient) addFormats(ajv);
  // Floating point: 0.1 steps must accept 1.7 (ajv's multipleOf fails on 1.7/0.1).
  ajv.removeKeyword('multipleOf');
  ajv.addKeyword({
    keyword: 'multipleOf',
    type: 'number',
    errors: false,
    compile: (step: number) => (data: number) => Math.abs(Math.round(data / step) - data / step) < 1e-6,
  });
  // The ids (`urn:Authorize.req`) are not URNs ajv's URI parser accepts: key by `Authorize.req`.
  for (const { $id, ...schema } of schemas) ajv.addSchema(lenient ? (relax(schema) as object) : strictSchema(schemaKey($id), schema, minimums), schemaKey($id));
  return ajv;
}

export interface Validation {
  ok: boolean;
  error?: RpcError;
}

export interface LenientResult {
  /** The first strict failure, when there was one (kept for callers that log one line). */
  deviation?: RpcError;
  /** Every way the payload broke the strict schema, one error each; empty when it was valid. */
  deviations: RpcError[];
  /** A copy of the payload as received, before coercion and dropped fields (only with deviations). */
  original?: unknown;
}

/**
 * Checks payloads against the official schemas of one protocol version (1.6 unless given). In
 * lenient mode a payload that fails strict validation is retried against a relaxed schema
 * (types coerced, unknown fields dropped, enums and lengths not enforced); `deviation` then
 * says what the firmware got wrong.
 */
export class OcppValidator {
  private readonly strict: Ajv;
  private readonly loose: Ajv;
  private readonly known: ReadonlySet<string>;
  private readonly cache = new Map<string, ValidateFunction | null>();
  private readonly looseCache = new Map<string, ValidateFunction | null>();
  private strictAll: Ajv | undefined;
  private readonly allCache = new Map<string, ValidateFunction | null>();

  constructor(
    private readonly schemas: readonly OcppSchema[] = ocpp16Schemas,
    private readonly minimums: IdMinimums = OCPP16_ID_MINIMUMS,
  ) {
    this.strict = build(schemas, minimums, false);
    this.loose = build(schemas, minimums, true);
    this.known = new Set(schemas.map((s) => schemaKey(s.$id)));
  }

  has(schemaId: string): boolean {
    return this.get(this.strict, this.cache, schemaId) !== null;
  }

  /**
   * Only ids of the shipped schemas reach ajv and the caches. Found by the fuzz test: an
   * unknown action such as "b,:a" made ajv.getSchema throw while resolving it as a URI
   * (answered InternalError instead of NotImplemented), and every distinct unknown action
   * added a cache entry for good (a charger sending random action names grew the heap).
   */
  private get(ajv: Ajv, cache: Map<string, ValidateFunction | null>, id: string): ValidateFunction | null {
    if (!this.known.has(id)) return null;
    let fn = cache.get(id);
    if (fn === undefined) {
      fn = ajv.getSchema(id) ?? null;
      cache.set(id, fn);
    }
    return fn;
  }

  /** Strict check; throws RpcError with the matching CALLERROR code. */
  check(schemaId: string, payload: unknown): void {
    const fn = this.get(this.strict, this.cache, schemaId);
    if (!fn) throw new RpcError('NotImplemented', `no schema ${schemaId}`);
    if (!fn(payload)) {
      const errors = fn.errors ?? [];
      throw new RpcError(errorCodeFor(errors), describe(errors), { schema: schemaId });
    }
  }

  /**
   * Lenient check: mutates `payload` into shape where it can (coercion, dropped fields).
   * Returns the strict error as a deviation when strict failed but lenient passed.
   */
  checkLenient(schemaId: string, payload: unknown): LenientResult {
    try {
      this.check(schemaId, payload);
      return { deviations: [] };
    } catch (strictErr) {
      // The loose pass mutates the payload (coercion, dropped fields): keep what was received,
      // so the deviation record shows what the firmware really sent.
      const original = structuredClone(payload);
      const fn = this.get(this.loose, this.looseCache, schemaId);
      if (!fn) throw strictErr;
      if (!fn(payload)) {
        // Report why it could not be repaired, not the first thing lenient mode would forgive.
        const errors = fn.errors ?? [];
        throw new RpcError(errorCodeFor(errors), describe(errors), { schema: schemaId });
      }
      // With allErrors off only the first problem was known; a lenient charger's record lists
      // every one (an extra field, a number sent as a string and a non-enum value all at once).
      const all = this.allStrictErrors(schemaId, original);
      return { deviation: strictErr as RpcError, deviations: all.length ? all : [strictErr as RpcError], original };
    }
  }

  private allStrictErrors(schemaId: string, payload: unknown): RpcError[] {
    this.strictAll ??= build(this.schemas, this.minimums, false, true);
    const fn = this.get(this.strictAll, this.allCache, schemaId);
    if (!fn || fn(payload)) return [];
    const seen = new Set<string>();
    const out: RpcError[] = [];
    for (const e of fn.errors ?? []) {
      const key = `${e.instancePath}|${e.keyword}|${String(e.params.additionalProperty ?? '')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(new RpcError(errorCodeFor([e]), describe([e]), { schema: schemaId }));
    }
    return out;
  }
}
