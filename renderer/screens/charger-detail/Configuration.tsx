import { Badge, Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useCommand } from '../../api/queries';
import { ErrorNotice } from '../../components/ErrorNotice';

interface Key {
  key: string;
  readonly: boolean;
  value?: string;
}

const ANSWER_COLORS: Record<string, string> = { Accepted: 'green', RebootRequired: 'yellow', Rejected: 'red', NotSupported: 'gray' };

function KeyRow({ cpId, k }: { cpId: string; k: Key }) {
  const [value, setValue] = useState(k.value ?? '');
  const change = useCommand(cpId);
  const status = (change.data?.response as { status?: string } | undefined)?.status;
  return (
    <Table.Tr>
      <Table.Td>
        <Text ff="monospace" size="sm">
          {k.key}
        </Text>
      </Table.Td>
      <Table.Td>
        {k.readonly ? (
          <Group gap="xs">
            <Text size="sm">{k.value ?? '—'}</Text>
            <Badge variant="outline" color="gray">
              read-only
            </Badge>
          </Group>
        ) : (
          <TextInput aria-label={`Value of ${k.key}`} value={value} onChange={(e) => setValue(e.currentTarget.value)} size="xs" />
        )}
      </Table.Td>
      <Table.Td>
        {!k.readonly && (
          <Group gap="xs">
            <Button
              size="xs"
              aria-label={`Save ${k.key}`}
              disabled={value === (k.value ?? '')}
              loading={change.isPending}
              onClick={() => change.mutate({ command: 'change-configuration', body: { key: k.key, value } })}
            >
              Save
            </Button>
            {status && (
              <Badge color={ANSWER_COLORS[status] ?? 'gray'} aria-label={`${k.key} answer: ${status}`}>
                {status}
              </Badge>
            )}
            {change.isError && (
              <Text c="red" size="sm" role="alert">
                {change.error.message}
              </Text>
            )}
          </Group>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** GetConfiguration from the live charger; each key saved with its own ChangeConfiguration. */
export function Configuration({ cpId, online }: { cpId: string; online: boolean }) {
  const read = useCommand(cpId);
  const response = read.data?.response as { configurationKey?: Key[]; unknownKey?: string[] } | undefined;
  return (
    <Stack>
      <Group>
        <Button onClick={() => read.mutate({ command: 'get-configuration', body: {} })} loading={read.isPending} disabled={!online}>
          Read configuration from charger
        </Button>
        {!online && <Text c="orange.8">The charger is offline: its configuration can be read when it is connected.</Text>}
      </Group>
      {read.isError && <ErrorNotice error={read.error} title="GetConfiguration failed" />}
      {response && (
        <Table aria-label="Configuration keys">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Key</Table.Th>
              <Table.Th>Value</Table.Th>
              <Table.Th>Change</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(response.configurationKey ?? []).map((k) => (
              <KeyRow key={`${k.key}:${k.value ?? ''}`} cpId={cpId} k={k} />
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
