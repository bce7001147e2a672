import { Badge, Button, Card, Group, Modal, NumberInput, Select, Stack, Table, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import type { CommandOutcome, RfidCard } from '../../api/models';
import { pushLocalList, useConnectedChargers, useCreateCard, useDeleteCard, useRfidCards, useSetCardStatus } from '../../api/queries';
import { Answer } from '../../components/CommandButton';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ImportCards } from './ImportCards';

function CreateCard() {
  const create = useCreateCard();
  const [tagId, setTagId] = useState('');
  const [status, setStatus] = useState<string | null>('Active');
  const [validUntil, setValidUntil] = useState('');
  const [parentIdTag, setParent] = useState('');
  const [description, setDescription] = useState('');
  const [limit, setLimit] = useState<number | string>(1);
  const err = create.error instanceof ApiError ? create.error : null;
  const on = (f: string) => (err?.field === f ? err.message : undefined);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const body = {
      tagId: tagId.trim(),
      status: status as 'Active' | 'Blocked',
      ...(validUntil && { validUntil: new Date(validUntil).toISOString() }),
      ...(parentIdTag.trim() && { parentIdTag: parentIdTag.trim() }),
      ...(description.trim() && { description: description.trim() }),
      maxConcurrentSessions: Number(limit),
    };
    create.mutate(body, {
      onSuccess: () => {
        setTagId('');
        setParent('');
        setDescription('');
        setValidUntil('');
      },
    });
  };
  return (
    <form onSubmit={submit} aria-label="New RFID card">
      <Group align="start">
        <TextInput label="Tag id" value={tagId} onChange={(e) => setTagId(e.currentTarget.value)} required error={on('tagId')} w={180} />
        <Select label="Status" data={['Active', 'Blocked']} value={status} onChange={setStatus} allowDeselect={false} w={120} />
        <TextInput label="Valid until" type="datetime-local" value={validUntil} onChange={(e) => setValidUntil(e.currentTarget.value)} error={on('validUntil')} />
        <TextInput label="Parent tag" value={parentIdTag} onChange={(e) => setParent(e.currentTarget.value)} error={on('parentIdTag')} w={160} />
        <TextInput label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={on('description')} w={200} />
        <NumberInput label="Concurrent sessions" description="0 = unlimited" min={0} value={limit} onChange={setLimit} error={on('maxConcurrentSessions')} w={170} />
        <Button type="submit" mt={25} loading={create.isPending}>
          Add card
        </Button>
      </Group>
      {err && !err.field && <ErrorNotice error={err} title="Card not added" />}
      {create.error && !(create.error instanceof ApiError) && <ErrorNotice error={create.error} title="Card not added" />}
    </form>
  );
}

function Cards() {
  const cards = useRfidCards();
  const setStatus = useSetCardStatus();
  const remove = useDeleteCard();
  const [deleting, setDeleting] = useState<RfidCard | null>(null);
  if (cards.isError) return <ErrorNotice error={cards.error} title="Cannot load RFID cards" />;
  if (cards.data?.length === 0) return <EmptyState title="No RFID cards yet">Add a card above or import a CSV file; then push the list to the chargers so they authorize offline.</EmptyState>;
  return (
    <>
      {(setStatus.error || remove.error) && <ErrorNotice error={setStatus.error ?? remove.error} />}
      <Table aria-label="RFID cards">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Tag id</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Valid until</Table.Th>
            <Table.Th>Parent</Table.Th>
            <Table.Th>Description</Table.Th>
            <Table.Th>Concurrent sessions</Table.Th>
            <Table.Th>Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(cards.data ?? []).map((c) => (
            <Table.Tr key={c.tagId}>
              <Table.Td ff="monospace">{c.tagId}</Table.Td>
              <Table.Td>
                <Badge color={c.status === 'Active' ? 'green' : 'red'}>{c.status}</Badge>
                {c.validUntil && Date.parse(c.validUntil) < Date.now() && (
                  <Badge color="orange" ml={4}>
                    expired
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>{c.validUntil ? new Date(c.validUntil).toLocaleString() : 'no expiry'}</Table.Td>
              <Table.Td>{c.parentIdTag ?? '—'}</Table.Td>
              <Table.Td>{c.description ?? ''}</Table.Td>
              <Table.Td>{c.maxConcurrentSessions === undefined ? '1' : c.maxConcurrentSessions === 0 ? 'unlimited' : c.maxConcurrentSessions}</Table.Td>
              <Table.Td>
                <Group gap="xs">
                  <Button size="xs" variant="light" color={c.status === 'Active' ? 'red' : 'green'} aria-label={`${c.status === 'Active' ? 'Block' : 'Activate'} ${c.tagId}`} onClick={() => setStatus.mutate({ tagId: c.tagId, block: c.status === 'Active' })}>
                    {c.status === 'Active' ? 'Block' : 'Activate'}
                  </Button>
                  <Button size="xs" variant="subtle" color="red" aria-label={`Delete ${c.tagId}`} onClick={() => setDeleting(c)}>
                    Delete
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Modal opened={!!deleting} onClose={() => setDeleting(null)} title={`Delete ${deleting?.tagId}?`}>
        <Text mb="md">Chargers drop the card from their local list on the next push.</Text>
        <Group justify="end">
          <Button variant="default" onClick={() => setDeleting(null)}>
            Cancel
          </Button>
          <Button color="red" onClick={() => {
              if (deleting) remove.mutate(deleting.tagId);
              setDeleting(null);
            }}>
            Yes, delete
          </Button>
        </Group>
      </Modal>
    </>
  );
}

/** SendLocalList to every connected charger, one answer per charger. */
function PushList() {
  const chargers = useConnectedChargers();
  const [type, setType] = useState<string | null>('Full');
  const [results, setResults] = useState<Record<string, CommandOutcome | Error>>({});
  const [busy, setBusy] = useState(false);
  const push = async () => {
    setBusy(true);
    setResults({});
    await Promise.all(
      (chargers.data ?? []).map((c) =>
        pushLocalList(c.chargePointId, type as 'Full' | 'Differential').then(
          (r) => setResults((s) => ({ ...s, [c.chargePointId]: r })),
          (e: Error) => setResults((s) => ({ ...s, [c.chargePointId]: e })),
        ),
      ),
    );
    setBusy(false);
  };
  if (chargers.isError) return <ErrorNotice error={chargers.error} />;
  const count = chargers.data?.length ?? 0;
  return (
    <Stack>
      <Group align="end">
        <Select label="Update type" data={['Full', 'Differential']} value={type} onChange={setType} allowDeselect={false} w={160} />
        <Button onClick={() => void push()} loading={busy} disabled={!count}>
          Push list to {count} connected charger{count === 1 ? '' : 's'}
        </Button>
      </Group>
      {!count && <Text c="dimmed">No charger is connected: the list is pushed to connected chargers only.</Text>}
      {Object.entries(results).map(([cp, r]) => (
        <Card withBorder key={cp} p="xs">
          <Text fw={600}>{cp}</Text>
          {r instanceof Error ? <Text c="red">{r.message}</Text> : <Answer outcome={r} />}
        </Card>
      ))}
    </Stack>
  );
}

export function RfidScreen() {
  return (
    <Stack>
      <Title order={2}>RFID cards</Title>
      <Tabs defaultValue="cards">
        <Tabs.List>
          <Tabs.Tab value="cards">Cards</Tabs.Tab>
          <Tabs.Tab value="import">Import CSV</Tabs.Tab>
          <Tabs.Tab value="push">Push to chargers</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="cards" pt="md">
          <Stack>
            <CreateCard />
            <Cards />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="import" pt="md">
          <ImportCards />
        </Tabs.Panel>
        <Tabs.Panel value="push" pt="md">
          <PushList />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
