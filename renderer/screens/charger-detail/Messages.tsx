import { Code, Group, Select, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { INBOUND_ACTIONS, OUTBOUND_ACTIONS } from '../../../main/ocpp/actions';
import type { LoggedMessage } from '../../api/models';
import { useMessages } from '../../api/queries';
import { type Column, DataTable } from '../../components/DataTable';
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

const MESSAGE_COLUMNS: Array<Column<LoggedMessage>> = [
  { header: 'Time', cell: (m) => new Date(m.at).toLocaleString(), w: 190 },
  { header: 'Direction', cell: (m) => (m.direction === 'in' ? 'from charger' : 'to charger'), w: 110 },
  { header: 'Action', cell: (m) => m.action ?? '—', w: 180 },
  {
    header: 'Frame',
    cell: (m) => (
      <Code block mah={200} style={{ overflow: 'auto' }}>
        {pretty(m.frame)}
      </Code>
    ),
  },
];

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
      <DataTable
        label="Message log"
        verticalSpacing="xs"
        columns={MESSAGE_COLUMNS}
        rows={log.data?.items ?? []}
        rowKey={(m) => m.id}
        empty={log.data?.total === 0 ? <Text c="dimmed">No messages{action ? ` for ${action}` : ''} yet: frames are logged as the charger talks to this service.</Text> : null}
        pages={{ total: pages, page, onChange: setPage, label: 'Message log pages' }}
      />
    </Stack>
  );
}
