import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { floorToResolution } from '../../loadmgmt/allocate.js';
import type { LoadController } from '../../loadmgmt/controller.js';
import { NOMINAL_VOLTS } from '../../loadmgmt/profiles.js';
import type { Db } from '../../store/db.js';
import type { LoadWriter } from '../../store/load-ops.js';
import { getCharger, listChargers } from '../../store/queries/chargers.js';
import { type CircuitFields, chargerLoadSettings, getCircuit, getCircuitByName, listCircuits, type StoredCircuit, tagPriorities } from '../../store/queries/load-management.js';
import { Created } from '../http-server.js';
import { Deleted } from '../responses/common.js';
import { ChargerLoadSettings, Circuit, LoadState, TagPriority } from '../responses/load.js';
import { HttpError, type Route } from '../router.js';

const Amps = (description: string) => Type.Number({ minimum: 0, maximum: 100000, description });
const PhasesSchema = Type.Union([Type.Literal(1), Type.Literal(3)], { description: 'Phases (1 or 3)' });
const nullable = <T extends TSchema>(t: T) => Type.Optional(Type.Union([t, Type.Null()]));

const SiteBody = Type.Object(
  {
    limitAmps: nullable(Amps('Grid connection limit in amps per phase; null removes it (load management off); 0 pauses every session')),
    limitKw: Type.Optional(Type.Number({ minimum: 0, maximum: 100000, description: 'The limit in kW instead (converted at 230 V per phase)' })),
    phases: Type.Optional(PhasesSchema),
  },
  { additionalProperties: false },
);

const CircuitBase = {
  limitAmps: Amps('Breaker limit in amps per phase (above the site limit it is capped by it)'),
  targetGroup: nullable(Type.String({ minLength: 1, maxLength: 64, description: "Members: the chargers of this target group (the registry's targetGroup)" })),
  chargePointIds: nullable(Type.Array(Type.String({ minLength: 1, maxLength: 48 }), { minItems: 1, maxItems: 1000, uniqueItems: true, description: 'Members: these chargers' })),
};
const CreateCircuitBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }), ...CircuitBase }, { additionalProperties: false });
const UpdateCircuitBody = Type.Partial(CreateCircuitBody, { additionalProperties: false });

const ChargerSettingsBody = Type.Object(
  {
    priority: nullable(Type.Integer({ minimum: -1000, maximum: 1000, description: 'Higher is served first (default 0); a tag priority wins over it' })),
    minAmps: nullable(Type.Number({ minimum: 0, maximum: 100, description: 'Least current a session here charges with (default loadMinAmps)' })),
    phases: nullable(PhasesSchema),
  },
  { additionalProperties: false },
);
const TagPriorityBody = Type.Object(
  { priority: Type.Union([Type.Integer({ minimum: -1000, maximum: 1000 }), Type.Null()], { description: 'Higher is served first; null removes it' }) },
  { additionalProperties: false },
);

type CircuitBody = Static<typeof UpdateCircuitBody>;

/** Issue 13: site limit, circuits, priorities, and the shares in force. */
export function loadRoutes(db: Db, writer: LoadWriter, load: LoadController): Route[] {
  const circuit = (raw: string): StoredCircuit => {
    const id = Number(raw);
    const c = Number.isInteger(id) && id > 0 ? getCircuit(db, id) : undefined;
    if (!c) throw new HttpError(404, `no circuit ${raw}`, 'id');
    return c;
  };
  /** A change committed, then the controller recomputes, then the answer is read. */
  const changed = async <T>(write: Promise<unknown>, answer: () => T): Promise<T> => {
    await write;
    load.limitsChanged();
    return answer();
  };
  /** Exactly one way of naming members; every named charger registered; no charger in two circuits. */
  const checkCircuit = (c: CircuitFields, selfId: number | null) => {
    if ((c.targetGroup === null) === (c.chargePointIds === null)) throw new HttpError(400, 'a circuit needs either targetGroup or chargePointIds (exactly one)', 'targetGroup');
    for (const id of c.chargePointIds ?? []) if (!getCharger(db, id)) throw new HttpError(400, `no charger ${id} in the registry`, 'chargePointIds');
    const named = getCircuitByName(db, c.name);
    if (named && named.id !== selfId) throw new HttpError(409, `a circuit named ${c.name} already exists`, 'name');
    const chargers = listChargers(db);
    const members = (k: CircuitFields) => new Set(k.chargePointIds ?? chargers.filter((x) => x.targetGroup === k.targetGroup).map((x) => x.chargePointId));
    const mine = members(c);
    for (const other of listCircuits(db)) {
      if (other.id === selfId) continue;
      if (c.targetGroup !== null && other.targetGroup === c.targetGroup) throw new HttpError(409, `circuit ${other.name} already holds target group ${c.targetGroup}`, 'targetGroup');
      const shared = [...members(other)].find((id) => mine.has(id));
      if (shared) throw new HttpError(409, `charger ${shared} is already in circuit ${other.name}: a charger sits under one circuit`, c.targetGroup !== null ? 'targetGroup' : 'chargePointIds');
    }
  };
  const fields = (b: CircuitBody, base?: StoredCircuit): CircuitFields => {
    if (b.targetGroup != null && b.chargePointIds != null) throw new HttpError(400, 'a circuit needs either targetGroup or chargePointIds (exactly one)', 'targetGroup');
    const f = { name: b.name ?? base!.name, limitAmps: b.limitAmps ?? base!.limitAmps, targetGroup: base?.targetGroup ?? null, chargePointIds: base?.chargePointIds ?? null };
    // Naming members one way drops the other.
    if (b.targetGroup !== undefined) [f.targetGroup, f.chargePointIds] = [b.targetGroup, b.targetGroup === null ? f.chargePointIds : null];
    if (b.chargePointIds !== undefined) [f.chargePointIds, f.targetGroup] = [b.chargePointIds, b.chargePointIds === null ? f.targetGroup : null];
    return f;
  };

  return [
    // Typed by its schema: a field the schema names that LoadState lacks or types otherwise fails the build.
    {
      method: 'GET',
      path: '/api/load',
      response: LoadState,
      summary: 'Load management: site limit, allocated and measured current, per charger and circuit',
      handler: (): Static<typeof LoadState> => load.state(),
    },
    {
      method: 'PUT',
      path: '/api/load/site',
      response: LoadState,
      summary: 'Set the site (grid connection) limit: {"limitAmps": 100, "phases": 3} or {"limitKw": 69}; {"limitAmps": null} turns load management off',
      body: SiteBody,
      handler: ({ body }) => {
        const b = body as Static<typeof SiteBody>;
        if ((b.limitAmps === undefined) === (b.limitKw === undefined)) throw new HttpError(400, 'give the limit as either limitAmps or limitKw', 'limitAmps');
        const phases = b.phases ?? 3;
        const limitAmps = b.limitKw !== undefined ? floorToResolution((b.limitKw * 1000) / (NOMINAL_VOLTS * phases)) : b.limitAmps!;
        return changed(writer.run('setLoadSite', { limitAmps, phases }), () => load.state());
      },
    },
    { method: 'GET', path: '/api/load/circuits', response: Type.Array(Circuit), summary: 'Circuits beneath the site, each with its breaker limit and members', handler: () => listCircuits(db) },
    { method: 'GET', path: '/api/load/circuits/:id', response: Circuit, summary: 'One circuit', handler: ({ params }) => circuit(params.id!) },
    {
      method: 'POST',
      path: '/api/load/circuits',
      response: Circuit,
      summary: 'Add a circuit: name, limitAmps and its members (targetGroup or chargePointIds)',
      created: true,
      body: CreateCircuitBody,
      handler: ({ body }) => {
        const f = fields(body as CircuitBody, undefined);
        checkCircuit(f, null);
        const id = writer.run('createCircuit', f);
        return changed(id, async () => new Created(getCircuit(db, await id)));
      },
    },
    {
      method: 'PATCH',
      path: '/api/load/circuits/:id',
      response: Circuit,
      summary: 'Change a circuit (naming members one way replaces the other)',
      body: UpdateCircuitBody,
      handler: ({ params, body }) => {
        const base = circuit(params.id!);
        const f = fields(body as CircuitBody, base);
        checkCircuit(f, base.id);
        return changed(writer.run('updateCircuit', { id: base.id, fields: f }), () => getCircuit(db, base.id));
      },
    },
    {
      method: 'DELETE',
      path: '/api/load/circuits/:id',
      response: Deleted('id', Type.Integer()),
      summary: 'Remove a circuit (its chargers sit directly under the site)',
      handler: ({ params }) => {
        const c = circuit(params.id!);
        return changed(writer.run('deleteCircuit', { id: c.id }), () => ({ id: c.id, deleted: true }));
      },
    },
    {
      method: 'PUT',
      path: '/api/load/chargers/:cpId',
      response: ChargerLoadSettings,
      summary: "A charger's load settings: priority, minAmps, phases (null: the default)",
      body: ChargerSettingsBody,
      handler: ({ params, body }) => {
        const cp = params.cpId!;
        if (!getCharger(db, cp)) throw new HttpError(404, `no charger ${cp}`, 'cpId');
        const b = body as Static<typeof ChargerSettingsBody>;
        const now = chargerLoadSettings(db).get(cp) ?? { priority: null, minAmps: null, phases: null };
        const next = {
          priority: b.priority !== undefined ? b.priority : now.priority,
          minAmps: b.minAmps !== undefined ? b.minAmps : now.minAmps,
          phases: b.phases !== undefined ? b.phases : now.phases,
        };
        return changed(writer.run('setChargerLoadSettings', { chargePointId: cp, settings: next }), () => ({ chargePointId: cp, ...next }));
      },
    },
    {
      method: 'GET',
      path: '/api/load/tags',
      response: Type.Array(TagPriority),
      summary: 'Priorities per idTag (e.g. the buses that leave first)',
      handler: () => [...tagPriorities(db)].map(([idTag, priority]) => ({ idTag, priority })),
    },
    {
      method: 'PUT',
      path: '/api/load/tags/:idTag',
      response: TagPriority,
      summary: "Set an idTag's priority (null removes it); it wins over the charger's",
      body: TagPriorityBody,
      handler: ({ params, body }) => {
        const { priority } = body as Static<typeof TagPriorityBody>;
        return changed(writer.run('setTagPriority', { idTag: params.idTag!, priority }), () => ({ idTag: params.idTag, priority }));
      },
    },
  ];
}
