import { Card, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { LoadState } from '../../api/models';
import { LiveChart } from '../../components/LiveChart';

const POINTS = 600;
interface History {
  x: number[];
  measured: number[];
  limit: Array<number | null>;
}

/** Site current against the limit: a point per cache update (the event stream writes once per frame). */
export function SiteChart({ load, updatedAt }: { load: LoadState; updatedAt: number }) {
  const [h, setH] = useState<History>({ x: [], measured: [], limit: [] });
  // biome-ignore lint/correctness/useExhaustiveDependencies: one point per cache update, keyed by its time
  useEffect(() => {
    setH((p) => ({
      x: [...p.x, updatedAt / 1000].slice(-POINTS),
      measured: [...p.measured, load.measuredAmps].slice(-POINTS),
      limit: [...p.limit, load.siteLimitAmps].slice(-POINTS),
    }));
  }, [updatedAt]);
  return (
    <Card withBorder radius="md">
      <Title order={4} mb="xs">
        Site current (A per phase)
      </Title>
      <LiveChart
        label="Site current"
        x={h.x}
        series={[
          { label: 'Measured A', values: h.measured, color: '#228be6' },
          { label: 'Limit A', values: h.limit, color: '#fa5252' },
        ]}
        units={['A']}
      />
    </Card>
  );
}
