import { Type } from '@sinclair/typebox';
import { Instant, Nullable, NullableString } from './common.js';

const Trigger = Type.Union([Type.Literal('nightly'), Type.Literal('manual')]);
const Phase = Type.Union([Type.Literal('upload'), Type.Literal('manifest'), Type.Literal('auth-list'), Type.Literal('push')]);

/** A sync run's result (main/sync/status.ts SyncRunResult). */
export const SyncRun = Type.Object({
  trigger: Trigger,
  startedAt: Instant,
  finishedAt: Instant,
  ok: Type.Boolean(),
  uploaded: Type.Integer(),
  parked: Type.Integer(),
  errors: Type.Array(Type.Object({ phase: Phase, message: Type.String() })),
  manifests: Type.Array(Type.Object({ date: Type.String(), sessions: Type.Integer(), digest: Type.String() })),
  authList: Nullable(Type.Object({ changed: Type.Boolean(), version: Nullable(Type.Integer()), added: Type.Integer(), updated: Type.Integer(), removed: Type.Integer() })),
  pushed: Type.Array(Type.Object({ chargePointId: Type.String(), ok: Type.Boolean(), error: Type.Optional(Type.String()) })),
});

/** GET /api/sync and the sync.status event (main/sync/status.ts SyncStatus). */
export const SyncStatus = Type.Object({
  configured: Type.Boolean({ description: 'false: no headofficeUrl, the depot runs standalone' }),
  headofficeUrl: NullableString,
  pending: Type.Integer(),
  oldestPendingAt: Nullable(Instant),
  oldestPendingAgeSec: Nullable(Type.Number()),
  parked: Type.Integer(),
  lastSuccessAt: Nullable(Instant),
  lastError: Nullable(Type.Object({ message: Type.String(), at: Instant })),
  consecutiveFailures: Type.Integer(),
  nextAttemptInMs: Nullable(Type.Number()),
  nightly: Type.Object({ cron: Type.String(), nextRunAt: Nullable(Instant) }),
  authListVersion: Nullable(Type.Integer()),
  running: Nullable(Type.Object({ trigger: Trigger, phase: Phase, startedAt: Instant, pendingAtStart: Type.Integer(), uploaded: Type.Integer(), parked: Type.Integer() })),
  lastRun: Nullable(SyncRun),
});

/** GET /api/sync/parked: a record head office rejected, with its reason. */
export const ParkedRecord = Type.Object({
  id: Type.Integer(),
  kind: Type.Union([Type.Literal('session'), Type.Literal('snapshot'), Type.Literal('alert')]),
  idempotencyKey: Type.String(),
  subject: NullableString,
  payload: Type.Unknown({ description: 'The record as it would be uploaded' }),
  createdAt: Instant,
  state: Type.Union([Type.Literal('pending'), Type.Literal('sent'), Type.Literal('parked'), Type.Literal('dismissed')]),
  attempts: Type.Integer(),
  lastError: NullableString,
  parkedReason: NullableString,
  sentAt: Nullable(Instant),
});

export const ParkedResolved = Type.Object({ id: Type.Integer(), action: Type.Union([Type.Literal('retry'), Type.Literal('dismiss')]), status: SyncStatus });
