import { Code, Stack, Text, Title } from '@mantine/core';
import type { ChargerDetail, StatusReport } from '../../api/models';
import { useStatusHistory } from '../../api/queries';
import { type Column, DataTable } from '../../components/DataTable';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusBadge } from '../../components/StatusBadge';

const HISTORY_COLUMNS: Array<Column<StatusReport>> = [
  { header: 'Time', cell: (h) => new Date(h.statusAt ?? h.receivedAt).toLocaleString() },
  { header: 'Connector', cell: (h) => `#${h.connectorId}` },
  { header: 'Status', cell: (h) => <StatusBadge status={h.status} /> },
  { header: 'Error', cell: (h) => (h.errorCode === 'NoError' ? '—' : `${h.errorCode}${h.info ? ` (${h.info})` : ''}`) },
];

/** Status reports, newest first, and what lenient mode let through. */
export function History({ charger }: { charger: ChargerDetail }) {
  const history = useStatusHistory(charger.chargePointId);
  return (
    <Stack>
      {history.isError && <ErrorNotice error={history.error} title="Cannot load the status history" />}
      <DataTable
        label="Status history"
        columns={HISTORY_COLUMNS}
        rows={history.data ?? []}
        // History rows have no id; two reports can share time and connector.
        rowKey={(h, i) => `${h.receivedAt}:${h.connectorId}:${i}`}
        empty={history.data ? <Text c="dimmed">No status reports yet.</Text> : null}
      />
      <Title order={4}>Schema deviations {charger.lenient ? '(lenient mode on)' : ''}</Title>
      {charger.schemaDeviations.length === 0 ? (
        <Text c="dimmed">None recorded{charger.lenient ? '' : ': lenient mode is off, so invalid messages are refused instead'}.</Text>
      ) : (
        charger.schemaDeviations.map((d, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: deviations have no id; two can share a timestamp
          <Code block key={`${d.at}:${i}`}>{`${d.at} ${d.direction} ${d.action}: ${d.error}\n${d.payload}`}</Code>
        ))
      )}
    </Stack>
  );
}
