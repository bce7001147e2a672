import { Text } from '@mantine/core';
import { useMemo } from 'react';
import type { Sample } from '../../api/models';
import { useMeterValues } from '../../api/queries';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveChart } from '../../components/LiveChart';

const MEASURANDS = [
  { measurand: 'Energy.Active.Import.Register', label: 'Energy delivered kWh', color: '#2f9e44', axis: 'left' as const },
  { measurand: 'Power.Active.Import', label: 'Power kW', color: '#1c7ed6', axis: 'right' as const },
  { measurand: 'Current.Import', label: 'Current A', color: '#f08c00', axis: 'right' as const },
  { measurand: 'SoC', label: 'SoC %', color: '#ae3ec9', axis: 'right' as const },
];

/** kWh and kW whatever unit the charger sent (Wh, kWh, W, kW); phases summed per timestamp. */
function toSeries(samples: Sample[]) {
  const times = [...new Set(samples.map((s) => s.timestamp))].sort();
  const index = new Map(times.map((t, i) => [t, i]));
  const series = MEASURANDS.map((m) => ({ ...m, values: new Array<number | null>(times.length).fill(null) }));
  for (const s of samples) {
    const m = series.find((x) => x.measurand === s.measurand);
    const v = Number(s.value);
    if (!m || Number.isNaN(v)) continue;
    const scaled = s.unit === 'Wh' || s.unit === 'W' ? v / 1000 : v;
    const i = index.get(s.timestamp)!;
    m.values[i] = (m.values[i] ?? 0) + scaled;
  }
  // The energy register counts the meter's whole life: the chart shows what this session delivered.
  const energy = series[0]!.values;
  const start = energy.find((v) => v !== null);
  if (start != null) for (let i = 0; i < energy.length; i++) if (energy[i] != null) energy[i] = energy[i]! - start;
  return { x: times.map((t) => Date.parse(t) / 1000), series: series.filter((s) => s.values.some((v) => v !== null)) };
}

/** A session's meter values as a chart, refetched as MeterValues arrive. */
export function SessionChart({ transactionId }: { transactionId: number }) {
  const samples = useMeterValues(transactionId);
  const data = useMemo(() => toSeries(samples.data ?? []), [samples.data]);
  if (samples.isError) return <ErrorNotice error={samples.error} title="Cannot load meter values" />;
  if (!data.x.length) return <Text c="dimmed">No meter values yet for session {transactionId}: they appear as the charger sends them.</Text>;
  return <LiveChart label={`Session ${transactionId} meter values`} x={data.x} series={data.series} units={['kWh', data.series.some((s) => s.axis === 'right') ? 'kW / A / %' : undefined]} />;
}
