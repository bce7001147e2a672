/**
 * Generators and oracle for test/fuzz/ocpp-frames.test.ts (not a test file itself): frames a
 * broken or hostile charger might send, each paired with the answer OCPP-J 1.6 prescribes.
 * Payloads are built valid from the official 1.6 schemas and then mutated; each mutation names
 * the CALLERROR code it calls for.
 *
 * Where the specification leaves the answer open, the strict reading taken here (and by the server):
 *  - null for a field: TypeConstraintViolation (a value of the wrong type, not an absent field);
 *  - 1.5 for an integer: TypeConstraintViolation; 2147483648, 10^30 or 1e400: an integer outside
 *    the 32 bits of an OCPP-J integer, PropertyConstraintViolation; 1.0 is the integer 1 (JSON Schema);
 *  - connectorId below 0 (below 1 in StartTransaction): PropertyConstraintViolation;
 *  - several mutations in one payload: any of their codes (the first problem met is reported);
 *  - a CALLRESULT or CALLERROR, however malformed: no answer (an answer is never answered);
 *  - a message type that is not a number ("2"): FormationViolation under the id when usable;
 *    [2,"id"] is FormationViolation under "id"; [2] or anything not an array, under "-1";
 *  - unknown message type numbers: ignored, with or without an id (OCPP-J 4.1.3);
 *  - binary frames: ignored (OCPP-J messages are text frames);
 *  - duplicate ids: each CALL answered (see duplicateTemplate).
 */
import fc from 'fast-check';
import { entryOf } from '../../main/map-entry.js';
import { INBOUND_ACTIONS } from '../../main/ocpp/actions.js';
import { RPC_ERROR_CODES } from '../../main/ocpp/rpc.js';
import { ocpp16Schemas, schemaKey } from '../../main/ocpp/schema/schemas.js';

export type Code = (typeof RPC_ERROR_CODES)[number];
export const VALIDATION_CODES: Code[] = ['FormationViolation', 'OccurenceConstraintViolation', 'TypeConstraintViolation', 'PropertyConstraintViolation'];

// ---------------------------------------------------------------------------------------------
// The official schemas, and the ranges the 1.6 text adds to them
// ---------------------------------------------------------------------------------------------

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: string[];
  maxLength?: number;
  format?: string;
}

export const REQUEST_SCHEMAS = new Map(ocpp16Schemas.filter((s) => s.$id.endsWith('.req')).map((s) => [schemaKey(s.$id).replace(/\.req$/, ''), s as unknown as Schema]));
export const requestSchema = (action: string): Schema => REQUEST_SCHEMAS.get(action)!;
export const INBOUND = new Set<string>(INBOUND_ACTIONS);

/** OCPP-J 1.6: `integer` is 32 bit signed. */
export const INT32: [number, number] = [-2147483648, 2147483647];
/** OCPP 1.6 message tables: connectorId >= 0 (0 = the charger), > 0 for a transaction. */
export const CONNECTOR_MIN: Record<string, number> = { MeterValues: 0, StatusNotification: 0, StartTransaction: 1 };
export const intRange = (action: string, field: string | undefined): [number, number] => (field === 'connectorId' && CONNECTOR_MIN[action] !== undefined ? [CONNECTOR_MIN[action]!, INT32[1]] : INT32);

// ---------------------------------------------------------------------------------------------
// Valid payloads from a schema
// ---------------------------------------------------------------------------------------------

/**
 * Any code point, lone surrogates included (sent escaped, as JSON allows), and 0-127 with the
 * control characters. (fast-check's own 'binary' units build a 1.1-million-entry reverse
 * map per use, which made generation ten times slower.)
 */
const ANY_CHAR = fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c));
const LOW_CHAR = fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c));

/** Text of at most `max` code points (JSON Schema maxLength counts code points). */
export const text = (max: number) =>
  fc.oneof(
    { arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: Math.min(max, 24) }), weight: 4 },
    { arbitrary: fc.string({ unit: ANY_CHAR, maxLength: Math.min(max, 24) }), weight: 2 },
    { arbitrary: fc.string({ unit: LOW_CHAR, maxLength: Math.min(max, 24) }), weight: 1 },
    // exactly at the limit is still valid
    { arbitrary: fc.constantFrom('x', '😀', 'ü', '\u0000').map((c) => c.repeat(Math.min(max, 500))), weight: 1 },
  );

export const pad2 = (n: number) => String(n).padStart(2, '0');
/** RFC 3339 date-times the schema's `format: date-time` accepts (Z, offsets, fractions, t/z, space, leap second). */
export const validDateTime = fc.oneof(
  { arbitrary: fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()), weight: 6 },
  { arbitrary: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().replace(/\.\d+Z$/, 'Z')), weight: 2 },
  {
    arbitrary: fc.tuple(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: -12 * 4, max: 14 * 4 })).map(([d, q]) => {
      const off = q * 15;
      const local = new Date(d.getTime() + off * 60000).toISOString().slice(0, 19);
      const sign = off < 0 ? '-' : '+';
      return `${local}${sign}${pad2(Math.floor(Math.abs(off) / 60))}:${pad2(Math.abs(off) % 60)}`;
    }),
    weight: 2,
  },
  {
    arbitrary: fc.constantFrom(
      '2016-12-31T23:59:60Z', // a real leap second
      '2024-02-29T12:00:00Z',
      '2024-05-01t10:00:00z',
      '2024-05-01 10:00:00Z',
      '2024-05-01T10:00:00.123456789Z',
      '2024-05-01T10:00:00+0200',
      '1970-01-01T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
    ),
    weight: 1,
  },
);

export const meterValueString = fc.oneof(
  fc.integer({ min: 0, max: 10_000_000 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map(String),
  fc.constantFrom('', '1e400', '-0', '0x10', ' 12 ', 'NaN', 'Infinity', '12,5', '١٢٣'),
  fc.string({ maxLength: 40 }),
);

export function validArb(s: Schema, action: string, field?: string): fc.Arbitrary<unknown> {
  switch (s.type) {
    case 'object': {
      const props = Object.entries(s.properties ?? {});
      const model = Object.fromEntries(props.map(([k, p]) => [k, validArb(p, action, k)]));
      return fc.record(model, { requiredKeys: s.required ?? [] });
    }
    case 'array':
      return fc.array(validArb(s.items!, action, field), { maxLength: 3 });
    case 'integer': {
      const [min, max] = intRange(action, field);
      return fc.oneof(fc.integer({ min, max }), fc.integer({ min: Math.max(min, 0), max: Math.min(max, 10) }));
    }
    case 'string':
      if (s.enum) return fc.constantFrom(...s.enum);
      if (s.format === 'date-time') return validDateTime;
      if (field === 'value') return meterValueString;
      return text(s.maxLength ?? 300);
    default:
      throw new Error(`schema type ${s.type} not covered`);
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations, each with the CALLERROR code a strict 1.6 central system answers
// ---------------------------------------------------------------------------------------------

/** A number literal written into the JSON text as is (1e400 has no JS value of its own). */
export class RawNumber {
  constructor(readonly literal: string) {}
}

export type Path = Array<string | number>;
export interface Site {
  path: Path;
  schema: Schema;
  field: string | undefined;
}

export const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RawNumber);
export const conforms = (v: unknown, s: Schema) =>
  s.type === 'object' ? isPlain(v) : s.type === 'array' ? Array.isArray(v) : s.type === 'integer' ? Number.isInteger(v) : s.type === 'string' ? typeof v === 'string' : false;

/** Every node of `value` that still has the shape its schema says (mutated subtrees are not entered). */
export function sitesOf(value: unknown, s: Schema, path: Path = [], field?: string, out: Site[] = []): Site[] {
  out.push({ path, schema: s, field });
  if (!conforms(value, s)) return out;
  if (s.type === 'object') {
    for (const [k, p] of Object.entries(s.properties ?? {})) if (Object.hasOwn(value as object, k)) sitesOf((value as Record<string, unknown>)[k], p, [...path, k], k, out);
  } else if (s.type === 'array') {
    for (const [i, item] of (value as unknown[]).entries()) sitesOf(item, s.items!, [...path, i], field, out);
  }
  return out;
}

export const setOwn = (o: Record<string, unknown>, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

const JSON1 = fc.jsonValue({ maxDepth: 1 });
const JSON2 = fc.jsonValue({ maxDepth: 2 });

/** A JSON value whose type is not `type` (null included: a strict 1.6 system treats null as a wrong type, not as absent). */
function otherType(type: string): fc.Arbitrary<unknown> {
  const arbs: fc.Arbitrary<unknown>[] = [fc.constant(null), fc.boolean()];
  if (type !== 'string') arbs.push(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('1', '0', '-1', 'true', 'null', '')));
  if (type !== 'integer') arbs.push(fc.integer({ min: -5, max: 100000 }));
  // 1.5 is a JSON number but not an integer: a type violation, not a range one
  if (type === 'integer') arbs.push(fc.constantFrom(0.5, 1.5, -0.1, 1e-7, 2147483646.5, Math.PI));
  if (type !== 'array') arbs.push(fc.array(JSON1, { maxLength: 3 }));
  if (type !== 'object') arbs.push(fc.dictionary(fc.string({ maxLength: 6 }), JSON1, { maxKeys: 3 }));
  return fc.oneof(...arbs);
}

/** Date-times `format: date-time` (RFC 3339) refuses. */
export const BAD_DATE_TIMES = [
  '',
  'yesterday',
  'Invalid Date',
  '1714557600',
  '2024-05-01',
  '2024-05-01T10:00', // no seconds
  '2024-05-01T10:00:00', // no time zone
  '2024-05-01T10:00:00.Z',
  '2024-02-30T10:00:00Z',
  '2023-02-29T10:00:00Z',
  '2024-13-01T10:00:00Z',
  '2024-05-01T24:00:00Z',
  '2024-05-01T23:58:60Z', // a leap second is only 23:59:60
  '2024-05-01T10:00:00+24:00',
  ' 2024-05-01T10:00:00Z',
  '2024-05-01T10:00:00Z ',
  '2024-05-01T10:00:00Z\n',
  '+002024-05-01T10:00:00Z',
  '2024-5-1T10:00:00Z',
  '２０２４-05-01T10:00:00Z',
  'Wed, 01 May 2024 10:00:00 GMT',
];

/** One way to break (or, code null, to stretch without breaking) a node. */
interface Recipe {
  kind: string;
  code: Code | null;
  /** New value for the node. */
  value?: unknown;
  /** A field added to the object node. */
  extra?: [string, unknown];
  /** Removes a required field of the object node (index among those present). */
  remove?: number;
}

interface NodeMutations {
  /** Always possible (wrong type; not at the root). */
  any: fc.Arbitrary<Recipe>[];
  /** Need the node to still have its schema type. */
  typed: fc.Arbitrary<Recipe>[];
  /** Leave the node valid: only where no earlier mutation sits at or below it (it could undo that one). */
  harmless: fc.Arbitrary<Recipe>[];
  /** The missing-required one (among `typed`), left out when no required field is there. */
  removal?: fc.Arbitrary<Recipe>;
}

const recipe = (kind: string, code: Code | null, arb: fc.Arbitrary<unknown>): fc.Arbitrary<Recipe> => arb.map((value) => ({ kind, code, value }));

/** The mutations of one schema node, built once (fast-check arbitraries are costly to build). */
function buildNodeMutations(s: Schema, action: string, field: string | undefined, root: boolean): NodeMutations {
  const m: NodeMutations = { any: [], typed: [], harmless: [] };
  if (!root) m.any.push(recipe('wrong-type', 'TypeConstraintViolation', otherType(s.type!)));
  if (s.type === 'object') {
    const names = new Set(Object.keys(s.properties ?? {}));
    const key = fc
      .oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'id', 'ConnectorId', 'connectorid', 'idtag', 'Timestamp', 'transaction_id', 'vendorInfo', ' connectorId'),
      )
      .filter((k) => !names.has(k));
    m.typed.push(fc.tuple(key, JSON2).map((extra): Recipe => ({ kind: 'extra-field', code: 'FormationViolation', extra })));
    if (s.required?.length) {
      m.removal = fc.nat().map((remove): Recipe => ({ kind: 'missing-required', code: 'OccurenceConstraintViolation', remove }));
      m.typed.push(m.removal);
    }
  }
  if (s.type === 'integer') {
    const [min, max] = intRange(action, field);
    m.typed.push(
      recipe(
        'out-of-range',
        'PropertyConstraintViolation',
        fc.oneof(
          fc.constantFrom(max + 1, INT32[0] - 1, min - 1, 2 ** 53, -(2 ** 53), 1e15, 1e300, -1e300, Number.MAX_SAFE_INTEGER),
          fc.integer({ min: max + 1, max: Number.MAX_SAFE_INTEGER }),
          fc.integer({ min: Number.MIN_SAFE_INTEGER, max: min - 1 }),
        ),
      ),
    );
    // Literals as written on the wire, judged by the number they denote (JSON Schema: 1.0 is
    // the integer 1). 1e400 is an integer, just not one of 32 bits: PropertyConstraintViolation,
    // though a JS parser turns it into Infinity (which then must not pass as an integer).
    const literals: Array<[string, number]> = [
      ['1e400', Infinity],
      ['-1e400', -Infinity],
      ['123456789012345678901234567890', 1.2345678901234568e29],
      ['-99999999999999999999', -1e20],
      ['1.0', 1],
      ['1E1', 10],
      ['0.1e1', 1],
      ['2147483647.0', 2147483647],
      ['5e-1', 0.5],
      ['1.5e0', 1.5],
    ];
    const judged = literals.map(([lit, v]): Recipe => {
      const integer = !Number.isFinite(v) || Number.isInteger(v);
      return { kind: `literal ${lit}`, code: !integer ? 'TypeConstraintViolation' : v < min || v > max ? 'PropertyConstraintViolation' : null, value: new RawNumber(lit) };
    });
    m.typed.push(fc.constantFrom(...judged.filter((r) => r.code)));
    m.harmless.push(fc.constantFrom(...judged.filter((r) => !r.code)));
  }
  if (s.type === 'string') {
    if (s.enum) {
      const allowed = new Set(s.enum);
      const e = fc.constantFrom(...s.enum);
      m.typed.push(
        recipe(
          'bad-enum',
          'PropertyConstraintViolation',
          fc
            .oneof(
              e.map((x) => x.toLowerCase()),
              e.map((x) => x.toUpperCase()),
              e.map((x) => ` ${x}`),
              fc.constantFrom('', 'Error', 'Unknown', 'null', 'Celsius ', 'Energy.Active.Import'),
              fc.string({ maxLength: 20 }),
            )
            .filter((v) => !allowed.has(v)),
        ),
      );
    } else if (s.format === 'date-time') {
      m.typed.push(
        recipe(
          'bad-date-time',
          'PropertyConstraintViolation',
          fc.oneof(
            fc.constantFrom(...BAD_DATE_TIMES),
            fc.string({ maxLength: 30 }).filter((v) => !/\d/.test(v)),
          ),
        ),
      );
    } else if (s.maxLength !== undefined) {
      const max = s.maxLength;
      // Overlong by code points: 21 emoji are 42 UTF-16 units but still 21 characters.
      m.typed.push(
        recipe(
          'overlong',
          'PropertyConstraintViolation',
          fc.tuple(fc.constantFrom('X', 'ü', '😀', '\u0000', ' '), fc.oneof(fc.constant(max + 1), fc.integer({ min: max + 1, max: max + 3000 }))).map(([c, n]) => c.repeat(n)),
        ),
      );
      m.harmless.push(
        recipe(
          'at-max-length',
          null,
          fc.constantFrom('Y', '€', '😀').map((c) => c.repeat(max)),
        ),
      );
    }
  }
  return m;
}

const nodeMutationCache = new Map<Schema, Map<string, NodeMutations>>();
function nodeMutations(s: Schema, action: string, field: string | undefined, root: boolean): NodeMutations {
  const bySchema = entryOf(nodeMutationCache, s, () => new Map<string, NodeMutations>());
  return entryOf(bySchema, `${action}|${field}|${root}`, () => buildNodeMutations(s, action, field, root));
}

export function nodeAt(root: unknown, path: Path): { node: unknown; parent: Record<string, unknown> | unknown[] | undefined; key: string | number | undefined } {
  let parent: Record<string, unknown> | unknown[] | undefined;
  let node = root;
  let key: string | number | undefined;
  for (const k of path) {
    parent = node as Record<string, unknown>;
    key = k;
    node = (node as Record<string | number, unknown>)[k];
  }
  return { node, parent, key };
}

export interface MutatedPayload {
  action: string;
  payload: unknown;
  kinds: string[];
  /** Codes any of which may answer; empty: the payload is valid and gets a CALLRESULT. */
  codes: Code[];
}

interface Applied {
  kind: string;
  path: Path;
  code: Code | null;
}

/** Applies a recipe to a copy of `value` at `site`. */
function applyRecipe(value: unknown, site: Site, r: Recipe): { value: unknown; applied: Applied } {
  const copy = cloneWithRaw(value);
  const { node, parent, key } = nodeAt(copy, site.path);
  let path = site.path;
  if (r.extra) setOwn(node as Record<string, unknown>, r.extra[0], r.extra[1]);
  else if (r.remove !== undefined) {
    const present = (site.schema.required ?? []).filter((k) => Object.hasOwn(node as object, k));
    const k = present[r.remove % present.length]!;
    delete (node as Record<string, unknown>)[k];
    path = [...path, k];
  } else if (Array.isArray(parent)) parent[key as number] = r.value;
  else setOwn(parent!, key as string, r.value);
  return { value: copy, applied: { kind: r.kind, path, code: r.code } };
}

const mutatedCache = new Map<string, fc.Arbitrary<MutatedPayload>>();

/** A valid payload for `action` with `n` mutations applied one after the other. */
export function mutatedPayload(action: string, n: number): fc.Arbitrary<MutatedPayload> {
  const cached = mutatedCache.get(`${action}|${n}`);
  if (cached) return cached;
  const schema = requestSchema(action);
  type State = { value: unknown; applied: Applied[] };
  const step = (acc: fc.Arbitrary<State>) =>
    acc.chain(({ value, applied }) => {
      const options: fc.Arbitrary<State>[] = [];
      for (const site of sitesOf(value, schema)) {
        const node = nodeAt(value, site.path).node;
        const touched = applied.some((m) => m.path.length >= site.path.length && site.path.every((p, j) => m.path[j] === p));
        const nm = nodeMutations(site.schema, action, site.field, site.path.length === 0);
        const typed = conforms(node, site.schema);
        const arbs = [...nm.any, ...(typed ? nm.typed : []), ...(typed && !touched ? nm.harmless : [])];
        if (nm.removal && typed && !(site.schema.required ?? []).some((k) => Object.hasOwn(node as object, k))) arbs.splice(arbs.indexOf(nm.removal), 1);
        for (const arb of arbs) {
          options.push(
            arb.map((r) => {
              const out = applyRecipe(value, site, r);
              return { value: out.value, applied: [...applied, out.applied] };
            }),
          );
        }
      }
      return fc.oneof(...options);
    });
  let state: fc.Arbitrary<State> = validArb(schema, action).map((value) => ({ value, applied: [] }));
  for (let i = 0; i < n; i++) state = step(state);
  const arb = state.map(({ value, applied }) => ({
    action,
    payload: value,
    kinds: applied.map((m) => `${m.kind}@/${m.path.join('/')}`),
    codes: [...new Set(applied.map((m) => m.code).filter((c): c is Code => c !== null))],
  }));
  mutatedCache.set(`${action}|${n}`, arb);
  return arb;
}

export function cloneWithRaw<T>(v: T): T {
  if (v instanceof RawNumber) return v;
  if (Array.isArray(v)) return v.map(cloneWithRaw) as T;
  if (isPlain(v)) {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v)) setOwn(o, k, cloneWithRaw(v[k]));
    return o as T;
  }
  return v;
}

/** JSON text with RawNumber literals spliced in. */
export function toJson(v: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(v, (_k, x) => (x instanceof RawNumber ? `\u0000RAW${raws.push(x.literal) - 1}\u0000` : x));
  return raws.length ? text.replace(/"\\u0000RAW(\d+)\\u0000"/g, (_, i: string) => raws[Number(i)]!) : text;
}

// ---------------------------------------------------------------------------------------------
// Frames
// ---------------------------------------------------------------------------------------------

/** Where the message id goes: a fresh unique id, one longer than 36, or a fixed (bad) value. */
export type IdSlot = { id: 'unique' } | { id: 'long'; length: number } | { id: 'fixed'; value: unknown };
export const ID: IdSlot = { id: 'unique' };

export interface Template {
  /** Category, for the summary. */
  cat: string;
  label: string;
  /** A JSON frame: elements, with an IdSlot where the id goes (usually index 1). */
  frame?: unknown[];
  /** Text sent as is (invalid JSON, odd top-level values). */
  text?: string;
  binary?: boolean;
  /** Sent twice with the same id. */
  duplicate?: boolean;
  /** For CALLs of inbound actions: what the payload calls for (undefined: any validation outcome). */
  payload?: MutatedPayload;
}

export const SECURITY_EXT_OR_OUTBOUND = [...REQUEST_SCHEMAS.keys()].filter((a) => !INBOUND.has(a));

export const inboundAction = fc.constantFrom(...INBOUND_ACTIONS);
export const payloadTemplate = fc
  .tuple(inboundAction, fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, { arbitrary: fc.constant(1), weight: 7 }, { arbitrary: fc.integer({ min: 2, max: 4 }), weight: 3 }))
  .chain(([action, n]) => mutatedPayload(action, n))
  .map(
    (p): Template => ({
      cat: p.codes.length ? `payload, ${p.kinds.length} mutation(s)` : p.kinds.length ? 'payload, mutated but valid' : 'payload, valid',
      label: `payload ${p.action} [${p.kinds.join(', ') || 'valid'}]`,
      frame: [2, ID, p.action, p.payload],
      payload: p,
    }),
  );

export const weirdAction = fc.oneof(
  fc.constantFrom(...SECURITY_EXT_OR_OUTBOUND),
  fc.constantFrom('MakeCoffee', 'heartbeat', 'HEARTBEAT', 'Heartbeat ', 'BootNotification.req', '__proto__', 'constructor', 'toString', 'Authorise', 'x'.repeat(5000), '\u0000', '💥'),
  fc.string({ minLength: 1, maxLength: 40 }),
);
export const actionTemplate = fc
  .tuple(weirdAction, fc.oneof(fc.constant({}), fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })))
  .map(([action, payload]): Template => ({ cat: 'unknown or other-direction action', label: `action ${String(action).slice(0, 40)}`, frame: [2, ID, action, payload] }));

export const validCall = fc.oneof(
  fc.constant(['Heartbeat', {}] as const),
  fc.constant(['Authorize', { idTag: 'FUZZ' }] as const),
  fc.constant(['StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' }] as const),
);

export const INVALID_JSON = [
  ' ',
  '[',
  ']',
  '[2,"x","Heartbeat",{}',
  '[2,"x","Heartbeat",{},]',
  "[2,'x','Heartbeat',{}]",
  '[2,"x","Heartbeat",{}]]',
  '[2,"x","Heartbeat",{"a":1,}]',
  '[2,"x","Heartbeat",NaN]',
  '[2,"x","Heartbeat",Infinity]',
  '[2,"x","Heartbeat",undefined]',
  '\ufeff[2,"x","Heartbeat",{}]',
  '{"a":1}{"b":2}',
  '[2,"x","Heartbeat",{}] // comment',
  '[2,"x\u0001","Heartbeat",{}]',
  '[2,"x","Heartbeat",{"idTag":"\\ud8"}]',
  '[0x2,"x","Heartbeat",{}]',
  '[02,"x","Heartbeat",{}]',
  '[+2,"x","Heartbeat",{}]',
  '[.5]',
  'null null',
  'True',
  '"unterminated',
];
export const notJson = (s: string) => {
  try {
    JSON.parse(s);
    return false;
  } catch {
    return true;
  }
};
export const invalidJsonTemplate = fc
  .oneof(
    fc.constantFrom(...INVALID_JSON),
    fc.string({ maxLength: 60 }).filter(notJson),
    fc.string({ unit: ANY_CHAR, maxLength: 60 }).filter(notJson),
    // a real frame cut short
    fc.tuple(payloadTemplate, fc.nat()).map(([t, n]) => {
      const full = toJson([2, 'cut', t.frame![2], t.frame![3]]);
      return full.slice(0, n % full.length);
    }),
  )
  // An empty frame is ignored, not answered (issue 8, a vendor quirk): not invalid JSON here.
  .filter((text) => text.length > 0 && notJson(text))
  .map((text): Template => ({ cat: 'invalid JSON', label: 'invalid JSON', text }));

export const notArrayTemplate = fc
  .oneof(
    fc.jsonValue({ maxDepth: 2 }).filter((v) => !Array.isArray(v)),
    fc.constantFrom<unknown>({ messageTypeId: 2, uniqueId: 'x', action: 'Heartbeat', payload: {} }, '[2,"x","Heartbeat",{}]', 2, null, true, [], [2], [3], [4], [null], [[2, 'x', 'Heartbeat', {}]]),
  )
  .map((v): Template => ({ cat: 'not an OCPP array', label: 'not an OCPP array', text: JSON.stringify(v) ?? 'null' }));

export const unknownTypeTemplate = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: -1000, max: 1000 }).filter((n) => n < 2 || n > 4),
      fc.constantFrom(0, 1, 5, 6, 9, 99, -2, 2.5, 3.000001, 1e21, -0),
    ),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
    fc.boolean(),
  )
  .map(([type, rest, withId]): Template => ({ cat: 'unknown message type', label: `unknown message type ${type}`, frame: withId ? [type, ID, ...rest] : [type, ...rest] }));

export const badIdTemplate = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: 37, max: 20000 }).map((length): IdSlot => ({ id: 'long', length })),
      fc.constantFrom<unknown>(1, 0, -1, 1.5, null, true, false, {}, [], ['x'], { id: 'x' }, '').map((value): IdSlot => ({ id: 'fixed', value })),
    ),
    validCall,
  )
  .map(
    ([slot, [action, payload]]): Template => ({
      cat: 'bad message id',
      label: `bad message id ${slot.id === 'long' ? `of ${slot.length} characters` : JSON.stringify((slot as { value: unknown }).value)}`,
      frame: [2, slot, action, payload],
    }),
  );

/**
 * Duplicate ids. OCPP-J says ids are unique per sender, but not what the receiver answers when
 * one repeats; each CALL is answered on its own, so two CALLs with one id get two answers with
 * that id. (Refusing the second with a ProtocolError would overtake the first call's answer, which
 * waits for its commit, and the charger would take the error for the answer to its call; a retry
 * with the same id is also how some firmware repeats a message, and the handlers are idempotent.)
 */
export const duplicateTemplate = fc
  .oneof(
    validCall.map(([a, p]) => [2, ID, a, p]),
    payloadTemplate.map((t) => t.frame!),
  )
  .map((frame): Template => ({ cat: 'duplicate message id (x2)', label: 'duplicate message id', frame: frame as unknown[], duplicate: true }));

export const shapeTemplate = fc
  .oneof(
    fc.constant<unknown[]>([2, ID]),
    fc.constant<unknown[]>([2, ID, 'Heartbeat']),
    fc.tuple(validCall, fc.array(fc.jsonValue({ maxDepth: 1 }), { minLength: 1, maxLength: 3 })).map(([[a, p], more]) => [2, ID, a, p, ...more]),
    fc
      .tuple(fc.oneof(fc.constant(null), fc.integer(), fc.constant(''), fc.constant(['Heartbeat']), fc.constant({ action: 'Heartbeat' }), fc.boolean()), fc.constant({}))
      .map(([a, p]) => [2, ID, a, p]),
    fc.tuple(inboundAction, fc.oneof(fc.constant(null), fc.constant([]), fc.constant([{}]), fc.string({ maxLength: 5 }), fc.integer(), fc.boolean())).map(([a, p]) => [2, ID, a, p]),
    // a message type that is not a number: the id is echoed when it is usable
    fc
      .tuple(
        fc.constantFrom<unknown>('2', null, [2], { t: 2 }, true, '', 'CALL'),
        fc.oneof(fc.constant<unknown>(ID), fc.constant<unknown>({ id: 'long', length: 60 }), fc.constant<unknown>(''), fc.constant<unknown>(7)),
        validCall,
      )
      .map(([t, id, [a, p]]) => [t, id, a, p]),
  )
  .map((frame): Template => ({ cat: 'CALL shape', label: 'CALL shape', frame }));

/** Answers nobody asked for: a central system never answers a CALLRESULT or CALLERROR. */
export const responseTemplate = fc
  .oneof(
    fc.tuple(fc.constant(3), fc.oneof(fc.constant<unknown>(ID), fc.constantFrom<unknown>(5, null, '', { id: 'long', length: 80 })), fc.jsonValue({ maxDepth: 2 })).map((t) => [...t]),
    fc.constant<unknown[]>([3, ID]),
    fc.constant<unknown[]>([3, ID, {}, 'extra']),
    fc
      .tuple(
        fc.constant(4),
        fc.oneof(fc.constant<unknown>(ID), fc.constantFrom<unknown>(5, null, '')),
        fc.constantFrom<unknown>(...RPC_ERROR_CODES, 'Nope', 7),
        fc.jsonValue({ maxDepth: 1 }),
        fc.jsonValue({ maxDepth: 1 }),
      )
      .map((t) => [...t]),
    fc.constant<unknown[]>([4, ID, 'GenericError']),
  )
  .map((frame): Template => ({ cat: 'unsolicited CALLRESULT/CALLERROR', label: 'unsolicited CALLRESULT/CALLERROR', frame }));

export const binaryTemplate = fc
  .oneof(
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
    validCall.map(([a, p]) => JSON.stringify([2, 'bin', a, p])),
  )
  .map((text): Template => ({ cat: 'binary frame', label: 'binary frame', text, binary: true }));

/** Near-miss frames from any JSON (as in test/ocpp/robustness), answered by the framing rules. */
export const anyJsonTemplate = fc
  .tuple(
    fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant('2'), fc.constant(null)),
    fc.oneof(fc.constant<unknown>(ID), fc.integer(), fc.constant(null)),
    fc.oneof(fc.constantFrom<unknown>(...INBOUND_ACTIONS, 'Reset', 'Nope', ''), fc.jsonValue({ maxDepth: 2 })),
    fc.oneof(
      fc.dictionary(fc.constantFrom('connectorId', 'idTag', 'status', 'errorCode', 'meterStart', 'timestamp', 'transactionId', 'vendorId', 'x'), fc.jsonValue({ maxDepth: 2 })),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    fc.integer({ min: 1, max: 5 }),
  )
  .map(([a, b, c, d, n]): Template => ({ cat: 'near-miss JSON frame', label: 'near-miss JSON frame', frame: [a, b, c, d].slice(0, n) }));

export const templateArb: fc.Arbitrary<Template> = fc.oneof(
  { arbitrary: payloadTemplate, weight: 60 },
  { arbitrary: actionTemplate, weight: 5 },
  { arbitrary: invalidJsonTemplate, weight: 6 },
  { arbitrary: notArrayTemplate, weight: 4 },
  { arbitrary: unknownTypeTemplate, weight: 4 },
  { arbitrary: badIdTemplate, weight: 4 },
  { arbitrary: duplicateTemplate, weight: 3 },
  { arbitrary: shapeTemplate, weight: 5 },
  { arbitrary: responseTemplate, weight: 3 },
  { arbitrary: binaryTemplate, weight: 3 },
  { arbitrary: anyJsonTemplate, weight: 3 },
);

// ---------------------------------------------------------------------------------------------
// The oracle: what OCPP-J 1.6 answers to a frame
// ---------------------------------------------------------------------------------------------

export type Expect = { kind: 'result' } | { kind: 'error'; codes: Code[] } | { kind: 'none' } | { kind: 'validated' };
export interface Expected {
  /** The id the answer carries ("-1" when the frame had no usable one); null: no answer. */
  key: string | null;
  expect: Expect;
}

export const MAX_ID = 36;
export const answerId = (id: unknown) => (typeof id === 'string' && id.length > 0 ? id.slice(0, MAX_ID) : '-1');
export const err = (key: string, code: Code): Expected => ({ key, expect: { kind: 'error', codes: [code] } });
export const NONE: Expected = { key: null, expect: { kind: 'none' } };

/**
 * OCPP-J 1.6 section 4: [2,id,action,payload] CALL, [3,id,payload] CALLRESULT, [4,...] CALLERROR.
 * The order of the checks is the order a receiver can make them in: parse, message type, id,
 * shape, action, payload.
 */
export function oracle(text: string, binary: boolean, payload: MutatedPayload | undefined): Expected {
  // RFC 6455 + OCPP-J 4.1: OCPP-J uses text frames; a binary frame is not an OCPP message.
  if (binary) return NONE;
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return err('-1', 'FormationViolation');
  }
  // 4.1.3: unknown message type numbers are ignored, whatever follows.
  if (Array.isArray(msg) && typeof msg[0] === 'number' && ![2, 3, 4].includes(msg[0])) return NONE;
  if (!Array.isArray(msg) || msg.length < 2) return err('-1', 'FormationViolation');
  const [type, id, action, body] = msg;
  if (![2, 3, 4].includes(type as number)) return err(answerId(id), 'FormationViolation');
  // A CALLRESULT or CALLERROR is never answered: here they answer nothing we asked.
  if (type !== 2) return NONE;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID) return err(answerId(id), 'ProtocolError');
  if (msg.length !== 4 || typeof action !== 'string' || action.length === 0 || typeof body !== 'object' || body === null || Array.isArray(body)) {
    return err(id, 'FormationViolation');
  }
  if (!INBOUND.has(action)) return err(id, REQUEST_SCHEMAS.has(action) ? 'NotSupported' : 'NotImplemented');
  if (!payload) return { key: id, expect: { kind: 'validated' } };
  return { key: id, expect: payload.codes.length ? { kind: 'error', codes: payload.codes } : { kind: 'result' } };
}

export function accepts(e: Expect, f: unknown[]): boolean {
  switch (e.kind) {
    case 'result':
      return f[0] === 3;
    case 'error':
      return f[0] === 4 && e.codes.includes(f[2] as Code);
    case 'validated':
      return f[0] === 3 || (f[0] === 4 && VALIDATION_CODES.includes(f[2] as Code));
    case 'none':
      return false;
  }
}

export const describeExpect = (e: Expect) => (e.kind === 'error' ? e.codes.join('|') : e.kind);

/** Every frame the server sends must be a well-formed CALLRESULT or CALLERROR. */
export function wellFormed(f: unknown): string | null {
  if (!Array.isArray(f)) return 'not an array';
  if (f[0] === 3) return f.length === 3 && typeof f[1] === 'string' && isPlain(f[2]) ? null : 'malformed CALLRESULT';
  if (f[0] === 4) {
    if (f.length !== 5 || typeof f[1] !== 'string') return 'malformed CALLERROR';
    if (!RPC_ERROR_CODES.includes(f[2] as Code)) return `unknown error code ${String(f[2])}`;
    if (typeof f[3] !== 'string' || f[3].length > 255) return 'bad error description';
    if (!isPlain(f[4])) return 'error details not an object';
    if (f[1].length > MAX_ID) return 'answer id longer than 36';
    return null;
  }
  return `unexpected frame type ${String(f[0])}`;
}

/** The frame text, with `uid` (or an id of the asked length made from it) in the id slot. */
export function render(t: Template, uid: string): { text: string; binary: boolean } {
  if (t.text !== undefined) return { text: t.text, binary: !!t.binary };
  const frame = t.frame!.map((el) => {
    if (typeof el !== 'object' || el === null || !('id' in el)) return el;
    const slot = el as IdSlot;
    if (slot.id === 'unique') return uid;
    if (slot.id === 'long') return `${uid}~`.padEnd(slot.length, 'L');
    if (slot.id === 'fixed') return slot.value;
    return el;
  });
  return { text: toJson(frame), binary: !!t.binary };
}

/** A frame ready for the socket, with the answer it calls for (plain data: crosses worker threads). */
export interface WireFrame {
  text: string;
  binary: boolean;
  /** Sent this many times in a row (2: duplicate message id). */
  times: number;
  /** The id of the answer; null: no answer at all. */
  key: string | null;
  expect: Expect;
  label: string;
  cat: string;
}

export function toWire(t: Template, uid: string): WireFrame {
  const { text, binary } = render(t, uid);
  const { key, expect } = oracle(text, binary, t.payload);
  return { text, binary, times: t.duplicate ? 2 : 1, key, expect, label: t.label, cat: t.cat };
}
