import { Type } from '@sinclair/typebox';
import { Instant, NullableNumber, NullableString } from './common.js';

/** A current alert (store outage, load over its limit, lockouts, charger faults, security). */
export const Alert = Type.Object({ kind: Type.String(), message: Type.String(), at: Type.Optional(Instant), chargePointId: Type.Optional(Type.String()) });

/** GET /api/ui/summary: the dashboard's figures. */
export const Summary = Type.Object({
  chargers: Type.Object({ total: Type.Integer(), online: Type.Integer(), offline: Type.Integer(), faulted: Type.Integer() }),
  activeSessions: Type.Integer(),
  energyTodayWh: Type.Number(),
  powerW: Type.Number(),
  alerts: Type.Array(Alert),
});

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Instant,
  by: Type.String(),
  chargePointId: Type.String(),
  action: Type.String(),
  payload: Type.Unknown({ description: 'The request as sent (secrets masked)' }),
  ok: Type.Boolean(),
  result: Type.Unknown({ description: "The charger's answer and what was learned from it; null when it failed" }),
  error: NullableString,
  durationMs: NullableNumber,
});

export const Backup = Type.Object({ file: Type.String(), name: Type.String(), bytes: Type.Integer(), createdAt: Instant });

export const Lockout = Type.Object({
  kind: Type.Union([Type.Literal('address'), Type.Literal('identity')]),
  key: Type.String(),
  until: Instant,
  failures: Type.Integer(),
});

export const SecurityWarnings = Type.Object({
  passwordless: Type.Array(Type.Object({ chargePointId: Type.String(), isConnected: Type.Boolean(), remoteAddress: NullableString })),
});

export const Setting = Type.Object({
  key: Type.String(),
  value: Type.Unknown(),
  default: Type.Unknown(),
  description: Type.String(),
  source: Type.String({ description: 'default | environment | config file or command line' }),
  env: Type.String({ description: 'The environment variable that sets it' }),
  applies: Type.String({ description: 'When a change applies (restart)' }),
});

export const SignedIn = Type.Object({ signedIn: Type.Boolean() });
export const NewToken = Type.Object({ token: Type.String() });
export const LockoutLifted = Type.Object({ cleared: Type.Literal(true) });
