import { Alert, Button, Card, Code, Group, Modal, Pagination, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { rotateToken, useAudit, useBackups, useLiftLockout, useLockouts, useRunBackup, useSettings, useSummary } from '../../api/queries';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';

const SIZE = 50;

function Audit() {
  const [page, setPage] = useState(1);
  const audit = useAudit(page - 1, SIZE);
  if (audit.isError) return <ErrorNotice error={audit.error} title="Cannot load the audit log" />;
  const rows = audit.data ?? [];
  return (
    <Stack>
      {rows.length === 0 && page === 1 && (
        <EmptyState title="No commands yet">Every remote command (from this UI or the REST API) is recorded here with who sent it and the charger's answer.</EmptyState>
      )}
      {rows.length > 0 && (
        <Table aria-label="Audit log">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Who</Table.Th>
              <Table.Th>Charger</Table.Th>
              <Table.Th>Command</Table.Th>
              <Table.Th>Result</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>{new Date(a.at).toLocaleString()}</Table.Td>
                <Table.Td>{a.by}</Table.Td>
                <Table.Td>{a.chargePointId}</Table.Td>
                <Table.Td>{a.action}</Table.Td>
                <Table.Td>{a.ok ? <Code>{JSON.stringify(a.result)}</Code> : <Text c="red">{a.error}</Text>}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {/* No total from the API: "next" is offered while a page comes back full. */}
      <Pagination total={rows.length === SIZE ? page + 1 : page} value={page} onChange={setPage} aria-label="Audit pages" />
    </Stack>
  );
}

function Backups() {
  const backups = useBackups();
  const run = useRunBackup();
  return (
    <Stack>
      <Group>
        <Button onClick={() => run.mutate()} loading={run.isPending}>
          Back up now
        </Button>
        {run.data && <Text role="status">Backup written: {run.data.name}</Text>}
      </Group>
      {run.isError && <ErrorNotice error={run.error} title="Backup failed" />}
      {backups.isError && <ErrorNotice error={backups.error} title="Cannot list backups" />}
      {backups.data?.length === 0 && <Text c="dimmed">No backups yet: they run nightly, or now with the button.</Text>}
      {!!backups.data?.length && (
        <Table aria-label="Backups">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>File</Table.Th>
              <Table.Th>Written</Table.Th>
              <Table.Th>Size</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {backups.data.map((b) => (
              <Table.Tr key={b.name}>
                <Table.Td>{b.name}</Table.Td>
                <Table.Td>{new Date(b.createdAt).toLocaleString()}</Table.Td>
                <Table.Td>{(b.bytes / 1e6).toFixed(1)} MB</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function Lockouts() {
  const lockouts = useLockouts();
  const lift = useLiftLockout();
  if (lockouts.isError) return <ErrorNotice error={lockouts.error} title="Cannot list lockouts" />;
  if (lockouts.data?.length === 0) return <Text c="dimmed">No lockouts: chargers that fail their login repeatedly are locked out for a while and listed here.</Text>;
  return (
    <Stack>
      {lift.isError && <ErrorNotice error={lift.error} title="Could not lift the lockout" />}
      <Table aria-label="Lockouts">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Kind</Table.Th>
            <Table.Th>Who</Table.Th>
            <Table.Th>Failures</Table.Th>
            <Table.Th>Until</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(lockouts.data ?? []).map((l) => (
            <Table.Tr key={`${l.kind}:${l.key}`}>
              <Table.Td>{l.kind}</Table.Td>
              <Table.Td>{l.key}</Table.Td>
              <Table.Td>{l.failures}</Table.Td>
              <Table.Td>{new Date(l.until).toLocaleString()}</Table.Td>
              <Table.Td>
                <Button size="xs" aria-label={`Lift lockout of ${l.key}`} onClick={() => lift.mutate({ kind: l.kind, key: l.key })}>
                  Lift
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

function Alerts() {
  const summary = useSummary();
  if (summary.isError) return <ErrorNotice error={summary.error} />;
  const alerts = summary.data?.alerts ?? [];
  if (!alerts.length) return <Text c="dimmed">No alerts.</Text>;
  return (
    <Stack gap="xs">
      {alerts.map((a) => (
        <Alert key={`${a.kind}:${a.message}`} color={a.kind === 'store' ? 'red' : 'orange'} title={a.kind}>
          {a.message}
        </Alert>
      ))}
    </Stack>
  );
}

const show = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** Each config key: value, default, where it came from; all apply on restart. */
function Settings() {
  const settings = useSettings();
  if (settings.isError) return <ErrorNotice error={settings.error} title="Cannot load the settings" />;
  return (
    <Stack gap="xs">
      <Text size="sm" c="dimmed">
        Change a setting in the config file, on the command line or with its environment variable, then restart the service: settings are read once at start.
      </Text>
      <Table aria-label="Settings" fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Setting</Table.Th>
            <Table.Th>Value</Table.Th>
            <Table.Th>Default</Table.Th>
            <Table.Th>Source</Table.Th>
            <Table.Th>Applies</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(settings.data ?? []).map((s) => (
            <Table.Tr key={s.key}>
              <Table.Td>
                <Text ff="monospace" size="sm">
                  {s.key}
                </Text>
                <Text size="xs" c="dimmed">
                  {s.description} ({s.env})
                </Text>
              </Table.Td>
              <Table.Td>{show(s.value)}</Table.Td>
              <Table.Td>{show(s.default)}</Table.Td>
              <Table.Td>
                <Text size="sm" c={s.source === 'default' ? 'dimmed' : 'blue'} fw={s.source === 'default' ? 400 : 600}>
                  {s.source}
                </Text>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>on {s.applies}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/** Rotating signs every browser out: the new token is shown once, then sign in with it. */
function TokenRotation() {
  const qc = useQueryClient();
  const [asking, setAsking] = useState(false);
  const [token, setToken] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const rotate = async () => {
    try {
      setToken((await rotateToken()).token);
    } catch (e) {
      setError(e as Error);
    } finally {
      setAsking(false);
    }
  };
  return (
    <Card withBorder>
      <Title order={4}>API token</Title>
      <Text size="sm" c="dimmed" mb="sm">
        A new token stops the old one at once: every REST client and every signed-in browser (this one too) must use the new token.
      </Text>
      <Group>
        <Button color="red" variant="light" onClick={() => setAsking(true)}>
          Rotate API token
        </Button>
      </Group>
      {error && <ErrorNotice error={error} title="Token not rotated" />}
      <Modal opened={asking} onClose={() => setAsking(false)} title="Rotate the API token?">
        <Text mb="md">Everyone is signed out and REST clients using the old token stop working.</Text>
        <Group justify="end">
          <Button variant="default" onClick={() => setAsking(false)}>
            Cancel
          </Button>
          <Button color="red" onClick={() => void rotate()}>
            Yes, rotate
          </Button>
        </Group>
      </Modal>
      <Modal opened={!!token} onClose={() => void qc.invalidateQueries({ queryKey: ['session'] })} title="New API token" closeOnClickOutside={false}>
        <Stack>
          <Text>Copy it now: it is shown only once (only its hash is stored).</Text>
          <Code block aria-label="The new API token">
            {token}
          </Code>
          <Button onClick={() => void qc.invalidateQueries({ queryKey: ['session'] })}>I have copied it: sign in again</Button>
        </Stack>
      </Modal>
    </Card>
  );
}

export function OperationsScreen() {
  return (
    <Stack>
      <Title order={2}>Operations</Title>
      <Tabs defaultValue="audit" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="audit">Audit log</Tabs.Tab>
          <Tabs.Tab value="alerts">Alerts</Tabs.Tab>
          <Tabs.Tab value="backups">Backups</Tabs.Tab>
          <Tabs.Tab value="lockouts">Lockouts</Tabs.Tab>
          <Tabs.Tab value="settings">Settings</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="audit" pt="md">
          <Audit />
        </Tabs.Panel>
        <Tabs.Panel value="alerts" pt="md">
          <Alerts />
        </Tabs.Panel>
        <Tabs.Panel value="backups" pt="md">
          <Backups />
        </Tabs.Panel>
        <Tabs.Panel value="lockouts" pt="md">
          <Lockouts />
        </Tabs.Panel>
        <Tabs.Panel value="settings" pt="md">
          <Stack>
            <TokenRotation />
            <Settings />
          </Stack>
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
