import { Type } from '@sinclair/typebox';
import { Instant, Nullable, NullableNumber, NullableString } from './common.js';

/** A charging session (main/store/queries/transactions.ts Session). */
export const Session = Type.Object({
  transactionId: Type.Integer(),
  chargerTransactionId: Type.String({ description: "The charger's own id for it: a 2.0.1 station's string, a 1.6 charger's number as text" }),
  missingSeqNos: Type.Array(Type.Integer(), { description: 'OCPP 2.0.1: TransactionEvent seqNos not yet received before its Ended event' }),
  chargePointId: Type.String(),
  connectorId: Type.Integer(),
  idTag: Type.String(),
  startAuthStatus: Type.String(),
  meterStart: Type.Number({ description: 'Wh' }),
  startTime: Instant,
  reservationId: Nullable(Type.Integer()),
  lastMeterWh: NullableNumber,
  lastMeterAt: Nullable(Instant),
  meterStop: NullableNumber,
  stopTime: Nullable(Instant),
  stopReason: NullableString,
  stopIdTag: NullableString,
  energyWh: NullableNumber,
  status: Type.Union([Type.Literal('Active'), Type.Literal('Completed')]),
  stopInferred: Type.Boolean(),
});

export const SessionPage = Type.Object({ total: Type.Integer(), items: Type.Array(Session) });

/** A sampled value as stored (main/store/queries/meter-values.ts StoredSample). */
export const Sample = Type.Object({
  id: Type.Integer(),
  chargePointId: Type.String(),
  connectorId: Type.Integer(),
  transactionId: Nullable(Type.Integer()),
  timestamp: Instant,
  value: Type.String({ description: 'As the charger sent it' }),
  context: Type.String(),
  format: Type.String(),
  measurand: Type.String(),
  phase: NullableString,
  location: Type.String(),
  unit: Type.String(),
  source: Type.String(),
});
