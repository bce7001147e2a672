import { chargerInstant } from '../store/instant.js';
import type { MeterSample } from '../store/queries/meter-values.js';
import type { MeterValuesRequest } from './schema/ocpp16.js';

type MeterValue = MeterValuesRequest['meterValue'][number];

const ENERGY_REGISTER = 'Energy.Active.Import.Register';

/**
 * Flattens OCPP meterValue[] into rows with the 1.6 defaults made explicit and each timestamp
 * a UTC instant (`receivedAt` for one a lenient charger sent unreadable).
 */
export function toSamples(
  chargePointId: string,
  connectorId: number,
  transactionId: number | null,
  meterValues: readonly MeterValue[],
  source: MeterSample['source'],
  receivedAt: string,
): MeterSample[] {
  const out: MeterSample[] = [];
  for (const mv of meterValues) {
    const timestamp = chargerInstant(mv.timestamp, receivedAt);
    for (const sv of mv.sampledValue) {
      const format = sv.format ?? 'Raw';
      const num = format === 'Raw' ? Number(sv.value) : NaN;
      out.push({
        chargePointId,
        connectorId,
        transactionId,
        timestamp,
        value: sv.value,
        valueNum: Number.isFinite(num) ? num : null,
        context: sv.context ?? 'Sample.Periodic',
        format,
        measurand: sv.measurand ?? ENERGY_REGISTER,
        phase: sv.phase ?? null,
        location: sv.location ?? 'Outlet',
        unit: sv.unit ?? 'Wh',
        source,
      });
    }
  }
  return out;
}

/**
 * The newest total import register reading in Wh, if the samples carry one. Per-phase
 * readings are skipped: the total is what a session's energy is measured by.
 */
export function latestEnergyWh(samples: readonly MeterSample[]): { wh: number; at: string } | undefined {
  let best: { wh: number; at: string } | undefined;
  for (const s of samples) {
    if (s.measurand !== ENERGY_REGISTER || s.phase || s.valueNum === null) continue;
    const wh = s.unit === 'kWh' ? s.valueNum * 1000 : s.unit === 'Wh' ? s.valueNum : NaN;
    if (!Number.isFinite(wh)) continue;
    if (!best || s.timestamp >= best.at) best = { wh, at: s.timestamp };
  }
  return best;
}

/** The newest reading of a measurand in its base unit (A, W); for currents the highest phase. */
export function latestReading(samples: readonly MeterSample[], measurand: 'Current.Import' | 'Power.Active.Import'): number | undefined {
  const scale: Record<string, number> = { A: 1, W: 1, kW: 1000 };
  let best: { value: number; at: string } | undefined;
  for (const s of samples) {
    const factor = scale[s.unit];
    if (s.measurand !== measurand || s.valueNum === null || factor === undefined) continue;
    const value = s.valueNum * factor;
    if (!best || s.timestamp > best.at || (s.timestamp === best.at && value > best.value)) best = { value, at: s.timestamp };
  }
  return best?.value;
}
