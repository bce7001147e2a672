import { Type } from '@sinclair/typebox';
import { Instant, Nullable, NullableNumber, NullableString } from './common.js';

const Phases = Type.Union([Type.Literal(1), Type.Literal(3)]);

/** GET /api/load and the load.allocation event (main/events.ts LoadState). */
export const LoadState = Type.Object({
  siteLimitAmps: NullableNumber,
  phases: Phases,
  allocatedAmps: Type.Number(),
  measuredAmps: Type.Number(),
  chargers: Type.Array(
    Type.Object({
      chargePointId: Type.String(),
      connected: Type.Boolean(),
      circuitId: Nullable(Type.Integer()),
      priority: Type.Integer({ description: "Its sessions' priority unless their tag has one (higher is served first; default 0)" }),
      maxAmps: Type.Number(),
      fallbackAmps: Nullable(Type.Number({ description: 'TxDefaultProfile limit: what it may draw when the controller is gone' })),
      allocatedAmps: Type.Number(),
      measuredAmps: NullableNumber,
      waiting: Type.Integer({ description: 'Sessions waiting at 0 A because the minimums do not all fit' }),
      flagged: Type.Boolean({ description: 'Refuses profiles or lacks SmartCharging: counted at its maximum' }),
      flagReason: NullableString,
    }),
  ),
  circuits: Type.Array(
    Type.Object({ id: Type.Integer(), name: Type.String(), limitAmps: Type.Number(), effectiveLimitAmps: Type.Number(), allocatedAmps: Type.Number(), measuredAmps: Type.Number() }),
  ),
  at: Instant,
});

export const Circuit = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  limitAmps: Type.Number(),
  targetGroup: NullableString,
  chargePointIds: Nullable(Type.Array(Type.String())),
  createdAt: Instant,
  updatedAt: Instant,
});

export const ChargerLoadSettings = Type.Object({ chargePointId: Type.String(), priority: Nullable(Type.Integer()), minAmps: NullableNumber, phases: Nullable(Phases) });
export const TagPriority = Type.Object({ idTag: Type.String(), priority: Nullable(Type.Integer()) });
