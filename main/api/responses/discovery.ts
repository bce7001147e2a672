import { Type } from '@sinclair/typebox';
import { Charger } from './chargers.js';
import { Instant, Nullable, NullableString } from './common.js';

const OpenPort = Type.Object({
  port: Type.Integer(),
  tls: Type.Boolean(),
  status: Nullable(Type.Integer()),
  server: NullableString,
  title: NullableString,
  certSubject: NullableString,
});

/** A device of the merged discovery list (main/store/queries/discovery.ts DiscoveredDevice). */
export const Device = Type.Object({
  ip: Type.String(),
  mac: NullableString,
  macVendor: NullableString,
  vendor: NullableString,
  model: NullableString,
  hostname: NullableString,
  openPorts: Type.Array(OpenPort),
  title: NullableString,
  mdnsServices: Type.Array(Type.Object({ type: Type.String(), name: Type.String(), port: Type.Integer(), txt: Type.Record(Type.String(), Type.String()) })),
  sources: Type.Array(Type.Union([Type.Literal('probe'), Type.Literal('mdns'), Type.Literal('ocpp')])),
  ocppChargePointId: NullableString,
  chargePointId: NullableString,
  firstSeen: Instant,
  lastSeen: Instant,
  state: Type.Union([Type.Literal('new'), Type.Literal('present'), Type.Literal('gone')]),
  goneAt: Nullable(Instant),
});

/** A scan and its progress (main/discovery/scanner.ts ScanProgress). */
export const Scan = Type.Object({
  id: Type.String(),
  range: Type.String(),
  ports: Type.Array(Type.Integer()),
  state: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('cancelled'), Type.Literal('failed')]),
  total: Type.Integer(),
  done: Type.Integer(),
  found: Type.Integer(),
  error: NullableString,
  startedAt: Instant,
  finishedAt: Nullable(Instant),
  foundIps: Type.Array(Type.String()),
  newIps: Type.Array(Type.String()),
  goneIps: Type.Array(Type.String()),
});

export const ScanDefaults = Type.Object({
  range: Type.String(),
  ports: Type.Array(Type.Integer()),
  lanAddresses: Type.Array(Type.Object({ address: Type.String(), netmask: Type.String() })),
  mdns: Type.Boolean(),
});

const ProvisioningStep = Type.Object({
  chargePointId: Type.String(),
  step: Type.Union(['created', 'connected', 'boot', 'connector-status', 'template-key', 'template-applied', 'reboot-required', 'local-list'].map((s) => Type.Literal(s))),
  ok: Type.Boolean(),
  at: Instant,
  detail: Type.Object({}, { additionalProperties: true }),
});

/** GET /api/provisioning/:cpId and the provisioning.step events it starts from. */
export const Provisioning = Type.Object({
  chargePointId: Type.String(),
  createdAt: Instant,
  templateAppliedAt: Nullable(Instant),
  rebootRequired: Type.Boolean(),
  steps: Type.Array(ProvisioningStep),
});

/** What to type into a charger (main/discovery/provisioning.ts ConnectionSettings). */
export const ConnectionSettings = Type.Object({
  chargePointId: Type.String(),
  centralSystemUrl: Type.String(),
  ocppVersion: Type.Literal('1.6-J'),
  password: Nullable(Type.String({ description: 'Only in the answer that created it' })),
  hasPassword: Type.Boolean(),
  heartbeatIntervalSec: Type.Integer(),
  qrText: Type.String(),
  address: Type.String(),
  note: NullableString,
});

export const Provisioned = Type.Object({ charger: Charger, settings: ConnectionSettings });

export const Template = Type.Object({ targetGroup: Type.String(), keys: Type.Record(Type.String(), Type.String()), sendLocalList: Type.Boolean(), updatedAt: Instant });

export const Rebooted = Type.Object({ chargePointId: Type.String(), status: Type.String() });
