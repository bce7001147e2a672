import { Code, Stack, Table, Text, Title } from '@mantine/core';
import type { ChargerDetail } from '../../api/models';
import { useStatusHistory } from '../../api/queries';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusBadge } from '../../components/StatusBadge';

/** Status reports, newest first, and what lenient mode let through. */
export function History({ charger }: { charger: ChargerDetail }) {
  const history = useStatusHistory(charger.chargePointId);
  return (
    <Stack>
      {history.isError && <ErrorNotice error={history.error} title="Cannot load the status history" />}
      {history.data?.length === 0 && <Text c="dimmed">No status reports yet.</Text>}
      {!!history.data?.length && (
        <Table aria-label="Status history">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Time</Table.Th>
              <Table.Th>Connector</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Error</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {history.data.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: history rows have no id; two reports can share time and connector
              <Table.Tr key={`${h.receivedAt}:${h.connectorId}:${i}`}>
                <Table.Td>{new Date(h.statusAt ?? h.receivedAt).toLocaleString()}</Table.Td>
                <Table.Td>#{h.connectorId}</Table.Td>
                <Table.Td>
                  <StatusBadge status={h.status} />
                </Table.Td>
                <Table.Td>{h.errorCode === 'NoError' ? '—' : `${h.errorCode}${h.info ? ` (${h.info})` : ''}`}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
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
