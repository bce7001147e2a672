import type { MeterSample } from '../../store/queries/meter-values.js';
import type { HandlerContext } from '../context.js';
import { latestReading } from '../meter.js';

const withDefined = <K extends string>(key: K, value: number | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, number>));

/** Tells the core (load management, the UI) what a charger measured, whichever version sent it. */
export function emitMeterValues(ctx: HandlerContext, connectorId: number, transactionId: number | undefined, samples: readonly MeterSample[], energyWh: number | null): void {
  ctx.events.emit('meter.values', {
    chargePointId: ctx.chargePointId,
    connectorId,
    ...(transactionId !== undefined && { transactionId }),
    samples: samples.length,
    ...(energyWh !== null && { energyWh }),
    ...withDefined('currentA', latestReading(samples, 'Current.Import')),
    ...withDefined('powerW', latestReading(samples, 'Power.Active.Import')),
  });
}
