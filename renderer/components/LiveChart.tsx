import { useElementSize } from '@mantine/hooks';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  color: string;
  /** Which y axis: left (first unit) or right (second). */
  axis?: 'left' | 'right';
}

/**
 * uPlot line chart: created once, then fed with setData (no re-creation per update), so a live
 * chart costs one redraw per data change. x is seconds since epoch.
 */
export function LiveChart({ x, series, height = 220, label, units }: { x: number[]; series: ChartSeries[]; height?: number; label: string; units: [string, string?] }) {
  const { ref: box, width } = useElementSize();
  const target = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => s.label + s.axis).join();

  // biome-ignore lint/correctness/useExhaustiveDependencies: recreated only when the size or the set of series changes; data goes through setData below
  useEffect(() => {
    if (!target.current || !width) return;
    const opts: uPlot.Options = {
      width,
      height,
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, scale: s.axis === 'right' ? 'r' : 'l', spanGaps: true }))],
      // With one point uPlot pads the time axis by a day of milliseconds (years in seconds):
      // show the minute before it instead.
      scales: {
        x: {
          time: true,
          range: (u, min, max) => {
            const xs = u.data[0];
            return xs.length > 1 ? [min, max] : [(xs[0] ?? Date.now() / 1000) - 60, (xs[0] ?? Date.now() / 1000) + 1];
          },
        },
      },
      axes: [{}, { scale: 'l', label: units[0] }, ...(units[1] ? [{ scale: 'r', side: 1 as const, label: units[1], grid: { show: false } }] : [])],
    };
    plot.current = new uPlot(opts, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, target.current);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
  }, [width, height, shape]);

  useEffect(() => {
    plot.current?.setData([x, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [x, series]);

  return (
    <div ref={box} role="img" aria-label={`${label}: ${x.length} points`} data-points={x.length}>
      <div ref={target} />
    </div>
  );
}
