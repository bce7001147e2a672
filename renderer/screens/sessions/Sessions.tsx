import { Anchor, Badge, Button, Drawer, Group, Pagination, ScrollArea, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import type { Session } from '../../api/models';
import { fetchText, meterValuesCsvUrl, type SessionFilter, sessionsCsvUrl, useMeterValues, useSessions } from '../../api/queries';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { SessionChart } from '../charger-detail/SessionChart';

const SIZE = 50;
const kwh = (wh: number | null) => (wh == null ? '—' : `${(wh / 1000).toFixed(2)} kWh`);

function Samples({ transactionId }: { transactionId: number }) {
  const samples = useMeterValues(transactionId);
  if (samples.isError) return <ErrorNotice error={samples.error} title="Cannot load meter values" />;
  return (
    <Table aria-label="Raw samples" fz="xs">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Time</Table.Th>
          <Table.Th>Measurand</Table.Th>
          <Table.Th>Phase</Table.Th>
          <Table.Th>Value</Table.Th>
          <Table.Th>Context</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {(samples.data ?? []).map((s, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: raw samples have no id; Raw and SignedData of one instant share the rest
          <Table.Tr key={`${s.timestamp}:${s.measurand}:${s.phase}:${i}`}>
            <Table.Td>{new Date(s.timestamp).toLocaleTimeString()}</Table.Td>
            <Table.Td>{s.measurand}</Table.Td>
            <Table.Td>{s.phase ?? '—'}</Table.Td>
            <Table.Td>
              {s.value} {s.unit}
            </Table.Td>
            <Table.Td>{s.context}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Where the CSV goes: the desktop app's save dialog, else the browser's download. */
async function exportCsv(url: string): Promise<string | null> {
  if (!window.ocppEdge) {
    window.location.assign(url);
    return null;
  }
  const r = await window.ocppEdge.saveFile('sessions.csv', await fetchText(url));
  return r.ok ? (r.value ? `saved to ${r.value}` : null) : r.error;
}

export function SessionsScreen() {
  const [station, setStation] = useState('');
  const [idTag, setIdTag] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<Session | null>(null);
  const [exportNote, setExportNote] = useState<string | null>(null);
  const [typed] = useDebouncedValue({ station, idTag }, 300);
  const filter: SessionFilter = useMemo(() => ({ ...typed, status: status ?? '', from: from && new Date(from).toISOString(), to: to && new Date(to).toISOString() }), [typed, status, from, to]);
  const sessions = useSessions(filter, page - 1, SIZE);
  const total = sessions.data?.total ?? 0;
  // A new filter starts again at the first page.
  const refilter =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPage(1);
    };
  return (
    <Stack>
      <Title order={2}>Sessions</Title>
      <Group align="end">
        <TextInput label="Charger" value={station} onChange={(e) => refilter(setStation)(e.currentTarget.value)} w={170} />
        <TextInput label="Id tag" value={idTag} onChange={(e) => refilter(setIdTag)(e.currentTarget.value)} w={150} />
        <Select label="Status" placeholder="Any" clearable data={['Active', 'Completed']} value={status} onChange={refilter(setStatus)} w={140} />
        <TextInput label="From" type="datetime-local" value={from} onChange={(e) => refilter(setFrom)(e.currentTarget.value)} />
        <TextInput label="To" type="datetime-local" value={to} onChange={(e) => refilter(setTo)(e.currentTarget.value)} />
        <Button variant="light" onClick={() => void exportCsv(sessionsCsvUrl(filter)).then(setExportNote, (e: Error) => setExportNote(e.message))}>
          Export CSV
        </Button>
        {exportNote && <Text size="sm">{exportNote}</Text>}
      </Group>
      {sessions.isError && <ErrorNotice error={sessions.error} title="Cannot load sessions" />}
      {sessions.data && total === 0 && (
        <EmptyState title="No sessions">No session matches these filters. Sessions appear when a charger starts a transaction (or a remote start from a charger's page).</EmptyState>
      )}
      {total > 0 && (
        <Table aria-label="Sessions" highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Transaction</Table.Th>
              <Table.Th>Charger</Table.Th>
              <Table.Th>Connector</Table.Th>
              <Table.Th>Id tag</Table.Th>
              <Table.Th>Start</Table.Th>
              <Table.Th>Stop</Table.Th>
              <Table.Th>Energy</Table.Th>
              <Table.Th>Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {sessions.data!.items.map((s) => (
              <Table.Tr key={s.transactionId}>
                <Table.Td>
                  <Anchor component="button" type="button" onClick={() => setOpen(s)}>
                    {s.transactionId}
                  </Anchor>
                  {/* A 2.0.1 station names its transactions itself. */}
                  {s.chargerTransactionId !== String(s.transactionId) && (
                    <Text size="xs" c="dimmed" ff="monospace">
                      {s.chargerTransactionId}
                    </Text>
                  )}
                  {s.missingSeqNos.length > 0 && (
                    <Text size="xs" c="orange.8">
                      events missing: seqNo {s.missingSeqNos.join(', ')}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{s.chargePointId}</Table.Td>
                <Table.Td>#{s.connectorId}</Table.Td>
                <Table.Td>{s.idTag}</Table.Td>
                <Table.Td>{new Date(s.startTime).toLocaleString()}</Table.Td>
                <Table.Td>{s.stopTime ? new Date(s.stopTime).toLocaleString() : '—'}</Table.Td>
                <Table.Td>{kwh(s.energyWh)}</Table.Td>
                <Table.Td>
                  <Badge color={s.status === 'Active' ? 'blue' : 'gray'}>{s.status}</Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Pagination total={Math.max(1, Math.ceil(total / SIZE))} value={page} onChange={setPage} aria-label="Session pages" />
      <Drawer opened={!!open} onClose={() => setOpen(null)} position="right" size="70%" title={open ? `Session ${open.transactionId}` : ''}>
        {open && (
          <Stack>
            <Text>
              {open.chargePointId} connector #{open.connectorId}, {open.idTag}, {kwh(open.energyWh)}
              {open.stopReason && `, stopped: ${open.stopReason}`}
            </Text>
            <SessionChart transactionId={open.transactionId} />
            <Anchor href={meterValuesCsvUrl(open.transactionId)}>Meter values as CSV</Anchor>
            <ScrollArea h={400}>
              <Samples transactionId={open.transactionId} />
            </ScrollArea>
          </Stack>
        )}
      </Drawer>
    </Stack>
  );
}
