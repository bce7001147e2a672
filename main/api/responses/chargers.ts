import { Type } from '@sinclair/typebox';
import { Instant, Nullable, NullableNumber, NullableString } from './common.js';

export const RegistrationStatus = Type.Union([Type.Literal('Accepted'), Type.Literal('Pending'), Type.Literal('Rejected')]);

/** A charger of the registry (main/store/queries/chargers.ts Charger). */
export const ChargerFields = {
  chargePointId: Type.String(),
  serialNumber: NullableString,
  catalogNumber: NullableString,
  vendor: NullableString,
  model: NullableString,
  firmwareVersion: NullableString,
  chargeBoxSerialNumber: NullableString,
  iccid: NullableString,
  imsi: NullableString,
  meterType: NullableString,
  meterSerialNumber: NullableString,
  ratedVolts: NullableNumber,
  ratedAmps: NullableNumber,
  maximumAmps: NullableNumber,
  ipAddress: NullableString,
  targetGroup: NullableString,
  description: NullableString,
  registrationStatus: RegistrationStatus,
  autoRegistered: Type.Boolean(),
  lenient: Type.Boolean(),
  hasPassword: Type.Boolean(),
  security: Type.Object({ warnings: Type.Array(Type.Object({ code: Type.Literal('no-password'), message: Type.String() })) }),
  isConnected: Type.Boolean(),
  lastSeen: Nullable(Instant),
  remoteAddress: NullableString,
  remotePort: Nullable(Type.Integer()),
  bootStatus: NullableString,
  lastBootAt: Nullable(Instant),
  lastHeartbeatAt: Nullable(Instant),
  firmwareStatus: NullableString,
  firmwareStatusAt: Nullable(Instant),
  diagnosticsStatus: NullableString,
  diagnosticsStatusAt: Nullable(Instant),
  ocppVersion: Nullable(Type.Union([Type.Literal('1.6'), Type.Literal('2.0.1')], { description: 'The OCPP version negotiated on its last connection; null before its first' })),
  createdAt: Instant,
  updatedAt: Instant,
};
export const Charger = Type.Object(ChargerFields);

/** What a StatusNotification says of a connector. */
const StatusFields = {
  connectorId: Type.Integer(),
  status: Type.String(),
  errorCode: Type.String(),
  info: NullableString,
  vendorId: NullableString,
  vendorErrorCode: NullableString,
  statusAt: Instant,
};

/** A connector's last StatusNotification. */
export const Connector = Type.Object({ ...StatusFields, updatedAt: Instant });

/** GET /api/stations/:cpId: a charger with its connectors. */
export const Station = Type.Object({ ...ChargerFields, connectors: Type.Array(Connector) });

/** GET /api/charger/:cpId: the charger and what the store knows of it. */
export const ChargerDetail = Type.Object({
  ...ChargerFields,
  connectors: Type.Array(Connector),
  evses: Type.Array(
    Type.Object({
      evseId: Type.Integer(),
      connectors: Type.Array(Type.Object({ connectorId: Type.Integer(), status: Type.String(), statusAt: Instant, updatedAt: Instant })),
    }),
    { description: "OCPP 2.0.1: the station's EVSEs with their connectors (empty for a 1.6 charger)" },
  ),
  deviceModel: Type.Array(
    Type.Object({
      component: Type.String(),
      componentInstance: NullableString,
      evseId: Nullable(Type.Integer()),
      connectorId: Nullable(Type.Integer()),
      variable: Type.String(),
      variableInstance: NullableString,
      attributeType: Type.String(),
      value: NullableString,
      mutability: NullableString,
      dataType: NullableString,
      unit: NullableString,
      updatedAt: Instant,
    }),
    { description: 'OCPP 2.0.1: the device model the station reported (NotifyReport after GetBaseReport)' },
  ),
  stationEvents: Type.Array(
    Type.Object({
      id: Type.Integer(),
      kind: Type.Union([Type.Literal('event'), Type.Literal('security')]),
      type: Type.String(),
      detail: NullableString,
      at: Instant,
      receivedAt: Instant,
    }),
    { description: 'OCPP 2.0.1: the latest NotifyEvent and SecurityEventNotification reports, newest first' },
  ),
  configuration: Type.Array(Type.Object({ key: Type.String(), value: NullableString, readonly: Type.Boolean(), updatedAt: Instant })),
  localList: Type.Object({
    version: Type.Integer({ description: 'The list version the charger last accepted (0: none)' }),
    entries: Type.Array(Type.Object({ idTag: Type.String(), status: Type.String(), expiryDate: NullableString, parentIdTag: NullableString })),
  }),
  availability: Type.Array(
    Type.Object({
      connectorId: Type.Integer(),
      requested: Type.Union([Type.Literal('Operative'), Type.Literal('Inoperative')]),
      state: Type.Union([Type.Literal('Accepted'), Type.Literal('Scheduled'), Type.Literal('Effective')]),
      requestedAt: Instant,
      effectiveAt: Nullable(Instant),
    }),
  ),
  chargingProfiles: Type.Array(
    Type.Object({
      connectorId: Type.Integer(),
      profileId: Type.Integer(),
      purpose: Type.String(),
      stackLevel: Type.Integer(),
      profile: Type.Unknown({ description: 'The csChargingProfiles the charger accepted' }),
      setAt: Instant,
    }),
  ),
  maintenanceJobs: Type.Array(
    Type.Object({
      id: Type.Integer(),
      kind: Type.Union([Type.Literal('firmware'), Type.Literal('diagnostics')]),
      location: Type.String(),
      fileName: NullableString,
      status: Type.String(),
      requestedAt: Instant,
      updatedAt: Instant,
    }),
  ),
  schemaDeviations: Type.Array(Type.Object({ action: Type.String(), direction: Type.String(), error: Type.String(), payload: Type.String(), at: Instant })),
});

/** GET /api/ui/chargers: a page of the charger table. */
export const ChargerPage = Type.Object({
  total: Type.Integer(),
  items: Type.Array(Type.Object({ ...ChargerFields, connectors: Type.Array(Type.Object({ connectorId: Type.Integer(), status: Type.String(), errorCode: Type.String() })) })),
  groups: Type.Array(Type.String()),
});

/** GET /api/ui/chargers/:cpId/messages: a page of a charger's OCPP message log. */
export const MessagePage = Type.Object({
  total: Type.Integer(),
  items: Type.Array(
    Type.Object({
      id: Type.Integer(),
      direction: Type.Union([Type.Literal('in'), Type.Literal('out')]),
      at: Instant,
      frame: Type.String({ description: 'The OCPP-J frame as it went over the wire' }),
      action: Nullable(Type.String({ description: 'The CALL action, for an answer the action of its CALL' })),
    }),
  ),
});

/** GET /api/ui/chargers/:cpId/status-history: StatusNotifications as received. */
export const StatusReport = Type.Object({ ...StatusFields, receivedAt: Instant });

/** POST /api/admin/:cpId/<command>: the charger's answer and what was learned from it. */
export const CommandOutcome = Type.Object(
  {
    chargePointId: Type.String(),
    action: Type.String(),
    request: Type.Unknown({ description: 'The request as sent (secrets masked)' }),
    response: Type.Object({}, { additionalProperties: true, description: "The charger's answer (secrets masked)" }),
    transactionId: Type.Optional(Nullable(Type.Integer({ description: 'RemoteStartTransaction: the session the charger started' }))),
    note: Type.Optional(Type.String()),
  },
  { additionalProperties: true, description: 'Commands add what they learned (jobId, expectedVersion, inSync, profilesRemoved, ...)' },
);
