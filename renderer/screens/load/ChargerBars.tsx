import { Badge, Card, Group, Progress, Stack, Text, Title, Tooltip } from '@mantine/core';
import type { LoadCharger } from '../../api/models';
import { EmptyState } from '../../components/EmptyState';

const amps = (a: number | null) => (a === null ? '—' : `${a.toFixed(1)} A`);

function Bar({ c }: { c: LoadCharger }) {
  const scale = Math.max(c.maxAmps, c.allocatedAmps, c.measuredAmps ?? 0, 1);
  const pct = (a: number) => Math.min(100, (a / scale) * 100);
  return (
    <Stack gap={4} role="group" aria-label={c.chargePointId} data-allocated={c.allocatedAmps} data-measured={c.measuredAmps ?? ''} data-priority={c.priority}>
      <Group justify="space-between">
        <Group gap="xs">
          <Text fw={600}>{c.chargePointId}</Text>
          <Tooltip label="Higher is served first; a session's tag priority wins over it">
            <Badge color="violet" variant="light">
              priority {c.priority}
            </Badge>
          </Tooltip>
          {!c.connected && <Badge color="gray">offline</Badge>}
          {c.flagged && (
            <Tooltip label={c.flagReason ?? 'refuses charging profiles'}>
              <Badge color="red">flagged: {c.flagReason ?? 'refuses charging profiles'}</Badge>
            </Tooltip>
          )}
          {c.waiting > 0 && <Badge color="orange">{c.waiting} waiting at 0 A</Badge>}
        </Group>
        <Text size="sm">
          Allocated {amps(c.allocatedAmps)} · Measured {amps(c.measuredAmps)} · max {amps(c.maxAmps)}
          {c.fallbackAmps !== null && ` · fallback ${amps(c.fallbackAmps)}`}
        </Text>
      </Group>
      <Progress value={pct(c.allocatedAmps)} color={c.flagged ? 'red' : 'blue'} size="md" aria-label={`${c.chargePointId} allocated`} />
      <Progress value={pct(c.measuredAmps ?? 0)} color="teal" size="md" aria-label={`${c.chargePointId} measured`} />
    </Stack>
  );
}

/** Per charger: the share it was given (blue) against what it draws (teal), on its maximum's scale. */
export function ChargerBars({ chargers }: { chargers: LoadCharger[] }) {
  return (
    <Card withBorder radius="md">
      <Group justify="space-between" mb="xs">
        <Title order={4}>Chargers: allocation and draw</Title>
        <Group gap="md">
          <Badge color="blue" variant="dot">
            allocated
          </Badge>
          <Badge color="teal" variant="dot">
            measured
          </Badge>
        </Group>
      </Group>
      {chargers.length === 0 ? (
        <EmptyState title="No managed chargers">Chargers appear here once they are registered.</EmptyState>
      ) : (
        <Stack>
          {chargers.map((c) => (
            <Bar key={c.chargePointId} c={c} />
          ))}
        </Stack>
      )}
    </Card>
  );
}
