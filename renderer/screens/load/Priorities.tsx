import { Button, Card, Group, NumberInput, Select, SimpleGrid, Stack, Table, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useSetChargerPriority, useSetTagPriority, useTagPriorities } from '../../api/load';
import type { LoadState } from '../../api/models';
import { ErrorNotice } from '../../components/ErrorNotice';

const asPriority = (v: number | string): number | null => (typeof v === 'number' ? v : null);

/** Per-charger priority (higher is served first; empty resets to the default 0). */
function ChargerPriority({ chargerIds }: { chargerIds: string[] }) {
  const set = useSetChargerPriority();
  const [cpId, setCpId] = useState<string | null>(null);
  const [priority, setPriority] = useState<number | string>('');
  return (
    <Stack gap="xs">
      <Title order={5}>Charger priority</Title>
      <Group align="flex-end">
        <Select label="Charger" data={chargerIds} value={cpId} onChange={setCpId} searchable w={200} />
        <NumberInput label="Priority" value={priority} onChange={setPriority} allowDecimal={false} min={-1000} max={1000} w={120} placeholder="default" />
        <Button disabled={!cpId} loading={set.isPending} onClick={() => cpId && set.mutate({ cpId, priority: asPriority(priority) })}>
          Set
        </Button>
      </Group>
      {set.isSuccess && `Saved: ${set.variables.cpId} at ${set.variables.priority ?? 'the default'}.`}
      {set.error && <ErrorNotice error={set.error} title="Priority not saved" />}
    </Stack>
  );
}

/** Per-tag priority (e.g. the buses that leave first): it wins over the charger's. */
function TagPriorities() {
  const tags = useTagPriorities();
  const set = useSetTagPriority();
  const [idTag, setIdTag] = useState('');
  const [priority, setPriority] = useState<number | string>('');
  return (
    <Stack gap="xs">
      <Title order={5}>Tag priority</Title>
      <Group align="flex-end">
        <TextInput label="idTag" value={idTag} onChange={(e) => setIdTag(e.currentTarget.value)} w={200} />
        <NumberInput label="Tag priority" value={priority} onChange={setPriority} allowDecimal={false} min={-1000} max={1000} w={120} />
        <Button disabled={!idTag} loading={set.isPending} onClick={() => set.mutate({ idTag, priority: asPriority(priority) })}>
          Set
        </Button>
      </Group>
      {set.error && <ErrorNotice error={set.error} title="Tag priority not saved" />}
      {tags.isError && <ErrorNotice error={tags.error} title="Cannot load the tag priorities" />}
      {!!tags.data?.length && (
        <Table aria-label="Tag priorities">
          <Table.Tbody>
            {tags.data.map((t) => (
              <Table.Tr key={t.idTag}>
                <Table.Td>{t.idTag}</Table.Td>
                <Table.Td>{t.priority}</Table.Td>
                <Table.Td>
                  <Button size="xs" variant="subtle" color="red" onClick={() => set.mutate({ idTag: t.idTag, priority: null })} aria-label={`Remove priority of ${t.idTag}`}>
                    Remove
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

export function Priorities({ load }: { load: LoadState }) {
  return (
    <Card withBorder radius="md">
      <Title order={4} mb="xs">
        Priorities
      </Title>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <ChargerPriority chargerIds={load.chargers.map((c) => c.chargePointId)} />
        <TagPriorities />
      </SimpleGrid>
    </Card>
  );
}
