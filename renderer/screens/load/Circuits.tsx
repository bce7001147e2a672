import { Button, Card, Group, Modal, MultiSelect, NumberInput, SegmentedControl, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { type CircuitBody, useCircuits, useCreateCircuit, useDeleteCircuit, useUpdateCircuit } from '../../api/load';
import type { Circuit, LoadState } from '../../api/models';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';

type Editing = Circuit | 'new' | null;

function CircuitForm({ editing, chargerIds, onDone }: { editing: Circuit | 'new'; chargerIds: string[]; onDone: () => void }) {
  const base = editing === 'new' ? null : editing;
  const create = useCreateCircuit();
  const update = useUpdateCircuit();
  const [name, setName] = useState(base?.name ?? '');
  const [limit, setLimit] = useState<number | string>(base?.limitAmps ?? '');
  const [by, setBy] = useState<'group' | 'chargers'>(base?.chargePointIds ? 'chargers' : 'group');
  const [group, setGroup] = useState(base?.targetGroup ?? '');
  const [members, setMembers] = useState<string[]>(base?.chargePointIds ?? []);
  const failed = create.error ?? update.error;
  const save = () => {
    const body: CircuitBody = {
      name,
      limitAmps: typeof limit === 'number' ? limit : Number.NaN,
      ...(by === 'group' ? { targetGroup: group } : { chargePointIds: members }),
    };
    if (base) update.mutate({ id: base.id, body }, { onSuccess: onDone });
    else create.mutate(body, { onSuccess: onDone });
  };
  return (
    <Stack>
      <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
      <NumberInput label="Breaker limit (A per phase)" value={limit} onChange={setLimit} min={0} decimalScale={1} />
      <SegmentedControl
        aria-label="Members"
        value={by}
        onChange={(v) => setBy(v as 'group' | 'chargers')}
        data={[
          { value: 'group', label: 'Target group' },
          { value: 'chargers', label: 'Chosen chargers' },
        ]}
      />
      {by === 'group' ? (
        <TextInput label="Target group" value={group} onChange={(e) => setGroup(e.currentTarget.value)} />
      ) : (
        <MultiSelect label="Chargers" data={chargerIds} value={members} onChange={setMembers} searchable />
      )}
      {failed && <ErrorNotice error={failed} title="Circuit not saved" />}
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button onClick={save} loading={create.isPending || update.isPending}>
          Save circuit
        </Button>
      </Group>
    </Stack>
  );
}

/** Circuits beneath the site: each a breaker limit over a target group or chosen chargers. */
export function Circuits({ load }: { load: LoadState }) {
  const circuits = useCircuits();
  const remove = useDeleteCircuit();
  const [editing, setEditing] = useState<Editing>(null);
  const live = new Map(load.circuits.map((c) => [c.id, c]));
  return (
    <Card withBorder radius="md">
      <Group justify="space-between" mb="xs">
        <Title order={4}>Circuits</Title>
        <Button size="xs" onClick={() => setEditing('new')}>
          Add circuit
        </Button>
      </Group>
      {circuits.isError && <ErrorNotice error={circuits.error} title="Cannot load the circuits" />}
      {remove.error && <ErrorNotice error={remove.error} title="Circuit not removed" />}
      {circuits.data?.length === 0 && <EmptyState title="No circuits">Every charger sits directly under the site limit. Add a circuit for a breaker that feeds some of them.</EmptyState>}
      {!!circuits.data?.length && (
        <Table aria-label="Circuits">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Limit</Table.Th>
              <Table.Th>Members</Table.Th>
              <Table.Th>Allocated / measured</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {circuits.data.map((c) => {
              const l = live.get(c.id);
              return (
                <Table.Tr key={c.id}>
                  <Table.Td>{c.name}</Table.Td>
                  <Table.Td>
                    {c.limitAmps} A{l && l.effectiveLimitAmps < c.limitAmps && <Text span c="dimmed">{` (capped at ${l.effectiveLimitAmps} A)`}</Text>}
                  </Table.Td>
                  <Table.Td>{c.targetGroup !== null ? `group ${c.targetGroup}` : c.chargePointIds?.join(', ')}</Table.Td>
                  <Table.Td>{l ? `${l.allocatedAmps} A / ${l.measuredAmps} A` : '—'}</Table.Td>
                  <Table.Td>
                    <Group gap="xs" justify="flex-end">
                      <Button size="xs" variant="light" onClick={() => setEditing(c)}>
                        Edit
                      </Button>
                      <Button size="xs" variant="light" color="red" onClick={() => remove.mutate(c.id)} aria-label={`Delete ${c.name}`}>
                        Delete
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'Add circuit' : 'Edit circuit'}>
        {editing !== null && <CircuitForm editing={editing} chargerIds={load.chargers.map((c) => c.chargePointId)} onDone={() => setEditing(null)} />}
      </Modal>
    </Card>
  );
}
