import { type Static, Type } from '@sinclair/typebox';
import { hashPassword } from '../../auth/password.js';
import { applyRegistrationStatus } from '../../ocpp/registration.js';
import type { OcppServer } from '../../ocpp/server.js';
import { validateChargePointId } from '../../ocpp/url.js';
import type { AdminWriter } from '../../store/admin-ops.js';
import type { Db } from '../../store/db.js';
import { listAvailability } from '../../store/queries/availability.js';
import { getConfiguration } from '../../store/queries/charger-config.js';
import { listChargerEvents } from '../../store/queries/charger-events.js';
import { getCharger, listChargers, type ChargerFields as StoredFields } from '../../store/queries/chargers.js';
import { listChargingProfiles } from '../../store/queries/charging-profiles.js';
import { listConnectors } from '../../store/queries/connectors.js';
import { listDeviceVariables } from '../../store/queries/device-model.js';
import { listEvses } from '../../store/queries/evse-connectors.js';
import { getLocalListVersion, getSentEntries } from '../../store/queries/local-list.js';
import { listJobs } from '../../store/queries/maintenance.js';
import { listDeviations } from '../../store/queries/message-log.js';
import { Created } from '../http-server.js';
import { HttpError, type Route } from '../router.js';
import { isoDateTime } from './params.js';

const nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Optional(Type.Union([t, Type.Null()]));
const text = (max: number, description: string) => nullable(Type.String({ maxLength: max, description }) as ReturnType<typeof Type.String>);
const amount = (description: string) => Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 100000, description }), Type.Null()]));

/** Seed 000/004 charger fields an operator sets. */
const ChargerFields = {
  serialNumber: text(64, 'Hardware serial, e.g. JAAL34S021'),
  catalogNumber: text(64, 'Catalog number, e.g. 8EM1310-3EJ04-0GA0'),
  vendor: text(64, 'Manufacturer, e.g. Siemens'),
  model: text(64, 'Model'),
  ratedVolts: amount('Rated volts'),
  ratedAmps: amount('Rated amps'),
  maximumAmps: amount('Maximum amps'),
  ipAddress: nullable(Type.Union([Type.String({ format: 'ipv4' }), Type.String({ format: 'ipv6' })], { description: 'Charger IP on the LAN (management only)' }) as never),
  targetGroup: text(64, 'Grouping, e.g. Production'),
  description: text(500, 'Free text: location, notes'),
  registrationStatus: Type.Optional(Type.Union([Type.Literal('Accepted'), Type.Literal('Pending'), Type.Literal('Rejected')], { description: 'What BootNotification answers' })),
  lenient: Type.Optional(Type.Boolean({ description: 'Relax schema validation for firmware that bends it; deviations are recorded' })),
  password: Type.Optional(Type.Union([Type.String({ minLength: 8, maxLength: 40, description: 'HTTP Basic password (security profile 1); stored hashed' }), Type.Null()])),
};

export const CreateChargerBody = Type.Object({ chargePointId: Type.String({ minLength: 1, maxLength: 48 }), ...ChargerFields }, { additionalProperties: false });
export const UpdateChargerBody = Type.Object(ChargerFields, { additionalProperties: false });
const ConnectionStatusBody = Type.Object(
  { chargePointId: Type.String({ minLength: 1, maxLength: 48 }), isConnected: Type.Boolean(), lastSeen: Type.Optional(Type.String({ format: 'date-time' })) },
  { additionalProperties: false },
);

type Fields = Static<typeof UpdateChargerBody>;

/** Seed 004 charger CRUD, plus what the store knows about a charger. */
export function chargerRoutes(db: Db, writer: AdminWriter, ocpp: OcppServer): Route[] {
  const missing = (id: string) => new HttpError(404, `no charger ${id}`, 'cpId');
  const must = (id: string) => {
    const c = getCharger(db, id);
    if (!c) throw missing(id);
    return c;
  };
  /** Hashed (slow, off the main thread) before the checks its write depends on, so nothing can change in between. */
  const hashOf = async (password: string | null | undefined) => (password ? await hashPassword(password) : password);
  const apply = async (id: string, f: Fields) => {
    const { password, ...fields } = f;
    const passwordHash = await hashOf(password);
    // The op checks that the charger still exists and writes fields and password in one step.
    if (!(await writer.run('updateCharger', { chargePointId: id, fields: fields as StoredFields, ...(passwordHash !== undefined && { passwordHash }) }))) throw missing(id);
    const live = ocpp.connection(id);
    if (live && fields.lenient !== undefined) live.lenient = fields.lenient;
    if (live && fields.registrationStatus) applyRegistrationStatus(live, fields.registrationStatus);
  };
  return [
    { method: 'GET', path: '/api/charger', summary: 'List chargers', handler: () => listChargers(db) },
    {
      method: 'POST',
      path: '/api/charger',
      summary: 'Create a charger (seed 004 fields)',
      created: true,
      body: CreateChargerBody,
      handler: async ({ body }) => {
        const { chargePointId, password, ...fields } = body as Static<typeof CreateChargerBody>;
        const problem = validateChargePointId(chargePointId);
        if (problem) throw new HttpError(400, problem, 'chargePointId');
        const exists = (how = '') => new HttpError(409, `charger ${chargePointId} already exists${how}: change it with PATCH /api/charger/${chargePointId}`, 'chargePointId');
        if (getCharger(db, chargePointId)) throw exists();
        const passwordHash = (await hashOf(password)) ?? null;
        // It may have connected and auto-registered while the hash was computed: the insert itself decides.
        if (!(await writer.run('createCharger', { chargePointId, fields: { ...(fields as StoredFields), passwordHash } }))) throw exists(' (it connected and registered itself meanwhile)');
        return new Created(getCharger(db, chargePointId));
      },
    },
    {
      method: 'PATCH',
      path: '/api/charger/connection-status',
      summary: 'Report connection status (seed 004); the live socket state wins',
      body: ConnectionStatusBody,
      handler: async ({ body }) => {
        const b = body as Static<typeof ConnectionStatusBody>;
        must(b.chargePointId);
        const live = !!ocpp.connection(b.chargePointId);
        if (live !== b.isConnected) {
          throw new HttpError(409, `${b.chargePointId} is ${live ? '' : 'not '}connected to this central system; its socket state is authoritative`, 'isConnected');
        }
        if (b.lastSeen) await writer.run('reportLastSeen', { chargePointId: b.chargePointId, at: isoDateTime(b.lastSeen, 'lastSeen') });
        return getCharger(db, b.chargePointId);
      },
    },
    {
      method: 'GET',
      path: '/api/charger/:cpId',
      summary:
        'Charger with connectors, configuration snapshot, local list, availability, profiles, jobs; for OCPP 2.0.1 stations also their EVSEs with connectors, device model (GetBaseReport) and reported events',
      handler: ({ params }) => {
        const id = params.cpId!;
        return {
          ...must(id),
          connectors: listConnectors(db, id),
          evses: listEvses(db, id),
          deviceModel: listDeviceVariables(db, id),
          stationEvents: listChargerEvents(db, id, 50),
          configuration: getConfiguration(db, id),
          localList: { version: getLocalListVersion(db, id), entries: getSentEntries(db, id) },
          availability: listAvailability(db, id),
          chargingProfiles: listChargingProfiles(db, id),
          maintenanceJobs: listJobs(db, id),
          schemaDeviations: listDeviations(db, id, 50),
        };
      },
    },
    {
      method: 'PATCH',
      path: '/api/charger/:cpId',
      summary: 'Update charger fields (null clears a field; password null removes it)',
      body: UpdateChargerBody,
      handler: async ({ params, body }) => {
        must(params.cpId!);
        await apply(params.cpId!, body as Fields);
        return getCharger(db, params.cpId!);
      },
    },
    {
      method: 'DELETE',
      path: '/api/charger/:cpId',
      summary: 'Delete a charger (refused while it is connected)',
      handler: async ({ params }) => {
        must(params.cpId!);
        if (ocpp.connection(params.cpId!)) throw new HttpError(409, `${params.cpId} is connected: disconnect it first (DELETE /connections/${params.cpId})`, 'cpId');
        if (!(await writer.run('deleteCharger', { chargePointId: params.cpId! }))) throw missing(params.cpId!);
        return { chargePointId: params.cpId, deleted: true };
      },
    },
  ];
}
