import type { MeterSample } from '../../store/queries/meter-values.js';
import type { HandlerContext } from '../context.js';
import { latestReading } from '../meter.js';

/** What a MeterValues told: sample count, the session's energy so far, the latest current and power. */
export interface MeterSummary {
  samples: number;
  energyWh: number | null;
  currentA: number | undefined;
  powerW: number | undefined;
}

export function summariseSamples(samples: readonly MeterSample[], energyWh: number | null): MeterSummary {
  return { samples: samples.length, energyWh, currentA: latestReading(samples, 'Current.Import'), powerW: latestReading(samples, 'Power.Active.Import') };
}

const withDefined = <K extends string>(key: K, value: number | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, number>));

/** Tells the core (load management, the UI) what a charger measured, whichever version sent it. */
export function emitMeterValues(ctx: HandlerContext, connectorId: number, transactionId: number | undefined, m: MeterSummary): void {
  ctx.events.emit('meter.values', {
    chargePointId: ctx.chargePointId,
    connectorId,
    ...(transactionId !== undefined && { transactionId }),
    samples: m.samples,
    ...(m.energyWh !== null && { energyWh: m.energyWh }),
    ...withDefined('currentA', m.currentA),
    ...withDefined('powerW', m.powerW),
  });
}
