import { Code, Group, Pagination, Select, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { INBOUND_ACTIONS, OUTBOUND_ACTIONS } from '../../../main/ocpp/actions';
import { useMessages } from '../../api/queries';
import { ErrorNotice } from '../../components/ErrorNotice';

// The OCPP 1.6 actions the core knows, both directions, from the module the core uses: one list.
const ACTIONS = [...new Set<string>([...INBOUND_ACTIONS, ...OUTBOUND_ACTIONS])].sort();
const SIZE = 25;

const pretty = (frame: string) => {
  try {
    return JSON.stringify(JSON.parse(frame), null, 2);
  } catch {
    return frame;
  }
};

/** The charger's OCPP frames, newest first, by action, pretty-printed. */
export function Messages({ cpId }: { cpId: string }) {
  const [action, setAction] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const log = useMessages(cpId, action ?? '', page - 1, SIZE);
  const pages = Math.max(1, Math.ceil((log.data?.total ?? 0) / SIZE));
  return (
    <Stack>
      <Group align="end">
        <Select
          label="Action"
          placeholder="All actions"
          clearable
          searchable
          data={ACTIONS}
          value={action}
          onChange={(v) => {
            setAction(v);
            setPage(1);
          }}
        />
        <Text c="dimmed">{log.data?.total ?? 0} messages</Text>
      </Group>
      {log.isError && <ErrorNotice error={log.error} title="Cannot load the message log" />}
      {log.data?.total === 0 && <Text c="dimmed">No messages{action ? ` for ${action}` : ''} yet: frames are logged as the charger talks to this service.</Text>}
      {!!log.data?.items.length && (
        <Table aria-label="Message log" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={190}>Time</Table.Th>
              <Table.Th w={110}>Direction</Table.Th>
              <Table.Th w={180}>Action</Table.Th>
              <Table.Th>Frame</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {log.data.items.map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>{new Date(m.at).toLocaleString()}</Table.Td>
                <Table.Td>{m.direction === 'in' ? 'from charger' : 'to charger'}</Table.Td>
                <Table.Td>{m.action ?? '—'}</Table.Td>
                <Table.Td>
                  <Code block mah={200} style={{ overflow: 'auto' }}>
                    {pretty(m.frame)}
                  </Code>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Pagination total={pages} value={page} onChange={setPage} aria-label="Message log pages" />
    </Stack>
  );
}
