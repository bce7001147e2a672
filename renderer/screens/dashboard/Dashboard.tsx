import { Card, Group, List, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useSummary } from '../../api/queries';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveChart } from '../../components/LiveChart';

const POINTS = 300;

function Figure({ label, value, color }: { label: string; value: string | number; color?: string }) {
  return (
    <Card withBorder padding="md" radius="md" role="group" aria-label={label}>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fz={28} fw={700} c={color} data-testid={label}>
        {value}
      </Text>
    </Card>
  );
}

const TICK_MS = 5000;

/** Power now: a point when the live figures change, and one every 5 s so the line moves on. */
function usePowerHistory(powerW: number | undefined) {
  const [points, setPoints] = useState<{ x: number[]; y: number[] }>({ x: [], y: [] });
  useEffect(() => {
    if (powerW === undefined) return;
    const add = () => setPoints((p) => ({ x: [...p.x, Date.now() / 1000].slice(-POINTS), y: [...p.y, powerW / 1000].slice(-POINTS) }));
    add();
    const tick = setInterval(add, TICK_MS);
    return () => clearInterval(tick);
  }, [powerW]);
  return points;
}

export function DashboardScreen() {
  const summary = useSummary();
  const data = summary.data;
  const history = usePowerHistory(summary.dataUpdatedAt ? data?.powerW : undefined);
  if (summary.isError) return <ErrorNotice error={summary.error} title="Cannot load the dashboard" />;
  if (!data) return <Skeleton h={300} />;
  return (
    <Stack>
      <Title order={2}>Dashboard</Title>
      {data.chargers.total === 0 && (
        <EmptyState title="No chargers yet">
          Point a charger at ws://{location.hostname}:{location.port || 80}/ocpp/&lt;charge point id&gt; (use this PC's LAN address on the charger); it appears here as soon as it connects.
        </EmptyState>
      )}
      <SimpleGrid cols={{ base: 2, md: 3, lg: 6 }}>
        <Figure label="Chargers online" value={data.chargers.online} color="green" />
        <Figure label="Chargers offline" value={data.chargers.offline} color={data.chargers.offline ? 'gray' : undefined} />
        <Figure label="Chargers faulted" value={data.chargers.faulted} color={data.chargers.faulted ? 'red' : undefined} />
        <Figure label="Active sessions" value={data.activeSessions} color="blue" />
        <Figure label="Energy today" value={`${(data.energyTodayWh / 1000).toFixed(1)} kWh`} />
        <Figure label="Power now" value={`${(data.powerW / 1000).toFixed(1)} kW`} />
      </SimpleGrid>
      <Card withBorder radius="md">
        <Title order={4} mb="xs">
          Power now (kW)
        </Title>
        <LiveChart label="Power now" x={history.x} series={[{ label: 'Power kW', values: history.y, color: '#228be6' }]} units={['kW']} />
      </Card>
      <Card withBorder radius="md">
        <Title order={4} mb="xs">
          Recent alerts
        </Title>
        {data.alerts.length === 0 ? (
          <Text c="dimmed">No alerts: the store writes, no charger is faulted and no login is locked out.</Text>
        ) : (
          <List aria-label="Recent alerts">
            {data.alerts.map((a) => (
              <List.Item key={`${a.kind}:${a.message}`}>
                <Group gap="xs">
                  <Text fw={600} tt="capitalize">
                    {a.kind}
                  </Text>
                  <Text>{a.message}</Text>
                </Group>
              </List.Item>
            ))}
          </List>
        )}
      </Card>
    </Stack>
  );
}
