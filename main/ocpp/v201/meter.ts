import { chargerInstant } from '../../store/instant.js';
import type { MeterSample } from '../../store/queries/meter-values.js';
import type { MeterValuesRequest } from './ocpp201.js';

type MeterValue = MeterValuesRequest['meterValue'][number];

/**
 * Flattens 2.0.1 meterValue[] into the same sample rows 1.6 fills, with the 2.0.1 defaults made
 * explicit (Energy.Active.Import.Register, Sample.Periodic, Outlet, Wh) and the unit's
 * multiplier applied (value x 10^multiplier). A signed value gives two rows, as 1.6 chargers
 * send them: the reading (Raw) and its signed data (SignedData, signedMeterData in full; its
 * signing method and public key stay in the stored TransactionEvent).
 */
export function toSamples201(
  chargePointId: string,
  evseId: number,
  transactionId: number | null,
  meterValues: readonly MeterValue[],
  source: MeterSample['source'],
  receivedAt: string,
): MeterSample[] {
  const out: MeterSample[] = [];
  for (const mv of meterValues) {
    const timestamp = chargerInstant(mv.timestamp, receivedAt);
    for (const sv of mv.sampledValue) {
      const multiplier = sv.unitOfMeasure?.multiplier ?? 0;
      const num = multiplier === 0 ? sv.value : Number((sv.value * 10 ** multiplier).toPrecision(15));
      const base = {
        chargePointId,
        connectorId: evseId,
        transactionId,
        timestamp,
        context: sv.context ?? 'Sample.Periodic',
        measurand: sv.measurand ?? 'Energy.Active.Import.Register',
        phase: sv.phase ?? null,
        location: sv.location ?? 'Outlet',
        unit: sv.unitOfMeasure?.unit ?? 'Wh',
        source,
      };
      out.push({ ...base, value: String(num), valueNum: num, format: 'Raw' });
      if (sv.signedMeterValue) out.push({ ...base, value: sv.signedMeterValue.signedMeterData, valueNum: null, format: 'SignedData' });
    }
  }
  return out;
}
