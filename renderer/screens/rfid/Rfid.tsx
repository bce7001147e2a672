import { Badge, Button, Card, Group, Modal, NumberInput, Select, Stack, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import type { CommandOutcome, RfidCard } from '../../api/models';
import { type NewCard, pushLocalList, useConnectedChargers, useCreateCard, useDeleteCard, useRfidCards, useSetCardStatus, useUpdateCard } from '../../api/queries';
import { Answer } from '../../components/CommandButton';
import { type Column, DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ImportCards } from './ImportCards';

/** The fields of a card as the form holds them (datetime-local text, number input value). */
interface CardDraft {
  status: 'Active' | 'Blocked';
  validUntil: string;
  parentIdTag: string;
  description: string;
  limit: number | string;
}

const BLANK: CardDraft = { status: 'Active', validUntil: '', parentIdTag: '', description: '', limit: 1 };

/** An ISO time as a datetime-local input shows it (local time, minutes). */
const toLocalInput = (iso: string | null): string => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

const draftOf = (c: RfidCard): CardDraft => ({
  status: c.status,
  validUntil: toLocalInput(c.validUntil),
  parentIdTag: c.parentIdTag ?? '',
  description: c.description ?? '',
  limit: c.maxConcurrentSessions,
});

/** The card's fields for the API: an emptied field clears it (null) when editing, is left out when creating. */
function fieldsOf(d: CardDraft, clear: boolean) {
  const text = (v: string) => (v.trim() ? v.trim() : clear ? null : undefined);
  return {
    status: d.status,
    validUntil: d.validUntil ? new Date(d.validUntil).toISOString() : clear ? null : undefined,
    parentIdTag: text(d.parentIdTag),
    description: text(d.description),
    maxConcurrentSessions: Number(d.limit),
  };
}

/** The card fields with the API's field-by-field errors (create and edit share them). */
function CardFields({ draft, set, error }: { draft: CardDraft; set: (d: CardDraft) => void; error: unknown }) {
  const err = error instanceof ApiError ? error : null;
  const on = (f: string) => (err?.field === f ? err.message : undefined);
  return (
    <>
      <Select label="Status" data={['Active', 'Blocked']} value={draft.status} onChange={(v) => set({ ...draft, status: v as CardDraft['status'] })} allowDeselect={false} w={120} />
      <TextInput label="Valid until" type="datetime-local" value={draft.validUntil} onChange={(e) => set({ ...draft, validUntil: e.currentTarget.value })} error={on('validUntil')} />
      <TextInput label="Parent tag" value={draft.parentIdTag} onChange={(e) => set({ ...draft, parentIdTag: e.currentTarget.value })} error={on('parentIdTag')} w={160} />
      <TextInput label="Description" value={draft.description} onChange={(e) => set({ ...draft, description: e.currentTarget.value })} error={on('description')} w={200} />
      <NumberInput
        label="Concurrent sessions"
        description="0 = unlimited"
        min={0}
        max={1000}
        value={draft.limit}
        onChange={(v) => set({ ...draft, limit: v })}
        error={on('maxConcurrentSessions')}
        w={170}
      />
    </>
  );
}

/** A refusal that names no field of the form, shown under it. */
function FormError({ error, title }: { error: unknown; title: string }) {
  if (!error || (error instanceof ApiError && error.field)) return null;
  return <ErrorNotice error={error} title={title} />;
}

function CreateCard() {
  const create = useCreateCard();
  const [tagId, setTagId] = useState('');
  const [draft, setDraft] = useState<CardDraft>(BLANK);
  const err = create.error instanceof ApiError ? create.error : null;
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    create.mutate({ tagId: tagId.trim(), ...fieldsOf(draft, false) } as NewCard, {
      onSuccess: () => {
        setTagId('');
        setDraft(BLANK);
      },
    });
  };
  return (
    <form onSubmit={submit} aria-label="New RFID card">
      <Group align="end">
        <TextInput label="Tag id" value={tagId} onChange={(e) => setTagId(e.currentTarget.value)} required error={err?.field === 'tagId' ? err.message : undefined} w={180} />
        <CardFields draft={draft} set={setDraft} error={create.error} />
        <Button type="submit" loading={create.isPending}>
          Add card
        </Button>
      </Group>
      <FormError error={create.error} title="Card not added" />
    </form>
  );
}

/** Edits a card with PATCH /api/rfid/:tagId (an emptied field is cleared). */
function EditCard({ card, onClose }: { card: RfidCard; onClose: () => void }) {
  const update = useUpdateCard();
  const [draft, setDraft] = useState<CardDraft>(() => draftOf(card));
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    update.mutate({ tagId: card.tagId, body: fieldsOf(draft, true) }, { onSuccess: onClose });
  };
  return (
    <form onSubmit={submit} aria-label={`Edit ${card.tagId}`}>
      <Stack>
        <CardFields draft={draft} set={setDraft} error={update.error} />
        <FormError error={update.error} title="Card not saved" />
        <Group justify="end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={update.isPending}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

const CARD_COLUMNS: Array<Column<RfidCard>> = [
  { header: 'Tag id', cell: (c) => c.tagId, td: { ff: 'monospace' } },
  {
    header: 'Status',
    cell: (c) => (
      <>
        <Badge color={c.status === 'Active' ? 'green' : 'red'}>{c.status}</Badge>
        {c.validUntil && Date.parse(c.validUntil) < Date.now() && (
          <Badge color="orange" ml={4}>
            expired
          </Badge>
        )}
      </>
    ),
  },
  { header: 'Valid until', cell: (c) => (c.validUntil ? new Date(c.validUntil).toLocaleString() : 'no expiry') },
  { header: 'Parent', cell: (c) => c.parentIdTag ?? '—' },
  { header: 'Description', cell: (c) => c.description ?? '' },
  { header: 'Concurrent sessions', cell: (c) => (c.maxConcurrentSessions === 0 ? 'unlimited' : c.maxConcurrentSessions) },
];

function Cards() {
  const cards = useRfidCards();
  const setStatus = useSetCardStatus();
  const remove = useDeleteCard();
  const [deleting, setDeleting] = useState<RfidCard | null>(null);
  const [editing, setEditing] = useState<RfidCard | null>(null);
  if (cards.isError) return <ErrorNotice error={cards.error} title="Cannot load RFID cards" />;
  if (cards.data?.length === 0) return <EmptyState title="No RFID cards yet">Add a card above or import a CSV file; then push the list to the chargers so they authorize offline.</EmptyState>;
  return (
    <>
      {(setStatus.error || remove.error) && <ErrorNotice error={setStatus.error ?? remove.error} />}
      <DataTable
        label="RFID cards"
        columns={[
          ...CARD_COLUMNS,
          {
            header: 'Actions',
            cell: (c) => (
              <Group gap="xs">
                <Button size="xs" variant="light" aria-label={`Edit ${c.tagId}`} onClick={() => setEditing(c)}>
                  Edit
                </Button>
                <Button
                  size="xs"
                  variant="light"
                  color={c.status === 'Active' ? 'red' : 'green'}
                  aria-label={`${c.status === 'Active' ? 'Block' : 'Activate'} ${c.tagId}`}
                  onClick={() => setStatus.mutate({ tagId: c.tagId, block: c.status === 'Active' })}
                >
                  {c.status === 'Active' ? 'Block' : 'Activate'}
                </Button>
                <Button size="xs" variant="subtle" color="red" aria-label={`Delete ${c.tagId}`} onClick={() => setDeleting(c)}>
                  Delete
                </Button>
              </Group>
            ),
          },
        ]}
        rows={cards.data ?? []}
        rowKey={(c) => c.tagId}
      />
      <Modal opened={!!editing} onClose={() => setEditing(null)} title={editing ? `Edit ${editing.tagId}` : ''}>
        {editing && <EditCard card={editing} onClose={() => setEditing(null)} />}
      </Modal>
      <Modal opened={!!deleting} onClose={() => setDeleting(null)} title={deleting ? `Delete ${deleting.tagId}?` : ''}>
        <Text mb="md">Chargers drop the card from their local list on the next push.</Text>
        <Group justify="end">
          <Button variant="default" onClick={() => setDeleting(null)}>
            Cancel
          </Button>
          <Button
            color="red"
            onClick={() => {
              if (deleting) remove.mutate(deleting.tagId);
              setDeleting(null);
            }}
          >
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
