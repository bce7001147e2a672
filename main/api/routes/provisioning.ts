import { type Static, Type } from '@sinclair/typebox';
import { GENERATE, type Provisioner, ProvisioningError } from '../../discovery/provisioning.js';
import { validateChargePointId } from '../../ocpp/url.js';
import type { Db } from '../../store/db.js';
import type { DiscoveryWriter } from '../../store/discovery-ops.js';
import { getDevice } from '../../store/queries/discovery.js';
import { getProvisioning, getTemplate, listTemplates } from '../../store/queries/provisioning.js';
import { Created } from '../http-server.js';
import { Deleted } from '../responses/common.js';
import { Provisioned, Provisioning, Rebooted, Template } from '../responses/discovery.js';
import { HttpError, type Route } from '../router.js';
import { CreateChargerBody } from './chargers.js';
import { asHttp as commandAsHttp } from './command-errors.js';

const { chargePointId: _id, password: _password, registrationStatus: _status, lenient: _lenient, ...fields } = CreateChargerBody.properties;

export const ProvisionBody = Type.Object(
  {
    chargePointId: Type.Optional(Type.String({ minLength: 1, maxLength: 48, description: 'OCPP identity; default: the serial number' })),
    ...fields,
    fromDevice: Type.Optional(Type.String({ format: 'ipv4', description: 'IP of a discovered device: its address, vendor and model fill fields not given' })),
    password: Type.Optional(Type.String({ minLength: 16, maxLength: 40, description: 'Basic-auth password (AuthorizationKey: 16-40 printable ASCII characters); default: a strong one is generated' })),
    noPassword: Type.Optional(Type.Boolean({ description: 'Opt out of the password (security profile 0): the charger is listed with a warning' })),
  },
  { additionalProperties: false },
);

export const TemplateBody = Type.Object(
  {
    keys: Type.Record(Type.String({ minLength: 1, maxLength: 50, pattern: '^[\\x21-\\x7e]+$' }), Type.String({ maxLength: 500 }), {
      description: `ChangeConfiguration key -> value, sent in this order at first boot. AuthorizationKey only as "${GENERATE}" (a fresh key per charger)`,
    }),
    sendLocalList: Type.Optional(Type.Boolean({ description: 'Then send the local authorization list (default true)' })),
  },
  { additionalProperties: false },
);

const MAX_TEMPLATE_KEYS = 100;

const asHttp = async <T>(fn: () => Promise<T> | T): Promise<T> => {
  try {
    return await commandAsHttp(async () => fn());
  } catch (err) {
    if (err instanceof ProvisioningError) throw new HttpError(err.status, err.message, err.field);
    throw err;
  }
};

/** Issue 11: provisioning a charger, what to type into it, its first boot watched, templates per target group. */
export function provisioningRoutes(db: Db, writer: DiscoveryWriter, provisioner: Provisioner): Route[] {
  const must = (cp: string) => {
    const p = getProvisioning(db, cp);
    if (!p) throw new HttpError(404, `${cp} was not provisioned here (POST /api/provisioning/chargers)`, 'cpId');
    return p;
  };
  return [
    {
      method: 'POST',
      path: '/api/provisioning/chargers',
      response: Provisioned,
      summary: 'Create a charger for provisioning (seed fields; password generated unless noPassword); answers the settings to type in, password shown this once',
      created: true,
      body: ProvisionBody,
      handler: ({ body }) =>
        asHttp(async () => {
          const { fromDevice, password, noPassword, chargePointId, ...rest } = body as Static<typeof ProvisionBody>;
          const device = fromDevice ? getDevice(db, fromDevice) : undefined;
          if (fromDevice && !device) throw new HttpError(400, `no discovered device ${fromDevice}`, 'fromDevice');
          const id = chargePointId ?? rest.serialNumber ?? undefined;
          if (!id) throw new HttpError(400, 'chargePointId is required when there is no serialNumber to default it to', 'chargePointId');
          const problem = validateChargePointId(id);
          if (problem) throw new HttpError(400, problem, chargePointId ? 'chargePointId' : 'serialNumber');
          if (noPassword && password) throw new HttpError(400, 'give a password or noPassword, not both', 'noPassword');
          // AuthorizationKey is printable ASCII. Not a schema pattern: with its 16-character minimum, schema-driven generators (the REST sweep) never produce a match.
          if (password && !/^[\x21-\x7e]+$/.test(password)) throw new HttpError(400, 'password must be printable ASCII characters without spaces', 'password');
          const fromScan = device ? { ipAddress: device.ip, vendor: device.vendor ?? device.macVendor, model: device.model } : {};
          const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
          const created = await provisioner.create({ ...fromScan, ...defined, chargePointId: id, ...(noPassword ? { password: null } : password ? { password } : {}) });
          return new Created(created);
        }),
    },
    {
      method: 'GET',
      path: '/api/provisioning/:cpId',
      response: Provisioning,
      summary: 'Provisioning state and its steps (connected, boot, connector status, template keys, local list)',
      handler: ({ params }) => must(params.cpId!),
    },
    {
      method: 'GET',
      path: '/api/provisioning/:cpId/settings',
      summary: 'What to type into the charger: central-system URL on its subnet, OCPP version, heartbeat interval, QR text (no password: it was shown at creation)',
      handler: ({ params }) => asHttp(() => provisioner.settings(params.cpId!)),
    },
    {
      method: 'POST',
      path: '/api/provisioning/:cpId/apply-template',
      summary: "Apply the target group's template and send the local list now (the charger must be connected)",
      handler: ({ params }) =>
        asHttp(async () => {
          must(params.cpId!);
          await provisioner.applyTemplate(params.cpId!, 'requested');
          return must(params.cpId!);
        }),
    },
    {
      method: 'POST',
      path: '/api/provisioning/:cpId/reboot',
      response: Rebooted,
      summary: 'Soft reset, when a template key answered RebootRequired',
      handler: ({ params }) => asHttp(async () => ({ chargePointId: params.cpId, status: await provisioner.reboot(params.cpId!) })),
    },
    { method: 'GET', path: '/api/provisioning/templates', response: Type.Array(Template), summary: 'Configuration templates per target group', handler: () => listTemplates(db) },
    {
      method: 'GET',
      path: '/api/provisioning/templates/:group',
      response: Template,
      summary: 'One target group template',
      handler: ({ params }) => {
        const t = getTemplate(db, params.group!);
        if (!t) throw new HttpError(404, `no template for target group ${params.group}`, 'group');
        return t;
      },
    },
    {
      method: 'PUT',
      path: '/api/provisioning/templates/:group',
      response: Template,
      summary: 'Create or replace the template of a target group',
      body: TemplateBody,
      handler: ({ params, body }) => {
        const b = body as Static<typeof TemplateBody>;
        const group = params.group!;
        if (!group.length || group.length > 64) throw new HttpError(400, 'target group must be 1-64 characters', 'group');
        if (Object.keys(b.keys).length > MAX_TEMPLATE_KEYS) throw new HttpError(400, `at most ${MAX_TEMPLATE_KEYS} keys`, 'keys');
        const authKey = b.keys.AuthorizationKey;
        // One fixed key for a whole group would let any of its chargers log in as any other.
        if (authKey !== undefined && authKey !== GENERATE) throw new HttpError(400, `AuthorizationKey may only be "${GENERATE}": each charger gets its own key`, 'keys.AuthorizationKey');
        return writer.run('putTemplate', { targetGroup: group, keys: b.keys, sendLocalList: b.sendLocalList ?? true });
      },
    },
    {
      method: 'DELETE',
      path: '/api/provisioning/templates/:group',
      response: Deleted('targetGroup'),
      summary: 'Delete the template of a target group',
      handler: async ({ params }) => {
        if (!(await writer.run('deleteTemplate', { targetGroup: params.group! }))) throw new HttpError(404, `no template for target group ${params.group}`, 'group');
        return { targetGroup: params.group, deleted: true };
      },
    },
  ];
}
