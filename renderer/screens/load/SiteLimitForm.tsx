import { Button, Card, Group, NumberInput, SegmentedControl, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { type SiteBody, useSetSite } from '../../api/load';
import type { LoadState } from '../../api/models';

type Unit = 'A' | 'kW';

/** The site (grid connection) limit: amps per phase or kW, phases; 0 pauses; remove turns it off. */
export function SiteLimitForm({ load }: { load: LoadState }) {
  const setSite = useSetSite();
  const [unit, setUnit] = useState<Unit>('A');
  const [value, setValue] = useState<number | string>(load.siteLimitAmps ?? '');
  const [phases, setPhases] = useState<string>(String(load.phases));
  const [localError, setLocalError] = useState<string | null>(null);
  const err = setSite.error;
  const apiError = err instanceof ApiError ? err.message : err ? String(err) : null;

  const save = () => {
    setLocalError(null);
    if (value === '' || typeof value !== 'number') return setLocalError('Enter the limit (0 pauses every session), or remove it.');
    const body: SiteBody = unit === 'A' ? { limitAmps: value, phases: Number(phases) as 1 | 3 } : { limitKw: value, phases: Number(phases) as 1 | 3 };
    setSite.mutate(body);
  };
  return (
    <Card withBorder radius="md">
      <Title order={4} mb="xs">
        Site limit
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {load.siteLimitAmps === null
          ? 'No limit: load management is off.'
          : load.siteLimitAmps === 0
            ? 'Limit 0 A: every session is paused.'
            : `In force: ${load.siteLimitAmps} A per phase on ${load.phases} phase${load.phases === 1 ? '' : 's'}.`}
      </Text>
      <Group align="flex-end">
        <NumberInput label={`Limit (${unit === 'A' ? 'amps per phase' : 'kW'})`} value={value} onChange={setValue} min={0} decimalScale={1} w={200} error={localError ?? apiError} />
        <SegmentedControl aria-label="Unit" value={unit} onChange={(u) => setUnit(u as Unit)} data={['A', 'kW']} />
        <SegmentedControl
          aria-label="Phases"
          value={phases}
          onChange={setPhases}
          data={[
            { value: '1', label: '1 phase' },
            { value: '3', label: '3 phases' },
          ]}
        />
        <Button onClick={save} loading={setSite.isPending}>
          Set limit
        </Button>
        <Button variant="light" color="red" disabled={load.siteLimitAmps === null} onClick={() => setSite.mutate({ limitAmps: null })}>
          Remove limit
        </Button>
      </Group>
    </Card>
  );
}
