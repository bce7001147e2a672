import { Alert, Button, Card, Code, Group, Modal, Stack, Tabs, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { AuditEntry, Backup, Setting } from '../../api/models';
import { rotateToken, useAudit, useBackups, useLiftLockout, useLockouts, useRunBackup, useSettings, useSummary } from '../../api/queries';
import { type Column, DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';

const SIZE = 50;

const AUDIT_COLUMNS: Array<Column<AuditEntry>> = [
  { header: 'When', cell: (a) => new Date(a.at).toLocaleString() },
  { header: 'Who', cell: (a) => a.by },
  { header: 'Charger', cell: (a) => a.chargePointId },
  { header: 'Command', cell: (a) => a.action },
  { header: 'Result', cell: (a) => (a.ok ? <Code>{JSON.stringify(a.result)}</Code> : <Text c="red">{a.error}</Text>) },
];

function Audit() {
  const [page, setPage] = useState(1);
  const audit = useAudit(page - 1, SIZE);
  if (audit.isError) return <ErrorNotice error={audit.error} title="Cannot load the audit log" />;
  const rows = audit.data ?? [];
  return (
    <Stack>
      <DataTable
        label="Audit log"
        columns={AUDIT_COLUMNS}
        rows={rows}
        rowKey={(a) => a.id}
        empty={page === 1 ? <EmptyState title="No commands yet">Every remote command (from this UI or the REST API) is recorded here with who sent it and the charger's answer.</EmptyState> : null}
        // No total from the API: "next" is offered while a page comes back full.
        pages={{ total: rows.length === SIZE ? page + 1 : page, page, onChange: setPage, label: 'Audit pages' }}
      />
    </Stack>
  );
}

const BACKUP_COLUMNS: Array<Column<Backup>> = [
  { header: 'File', cell: (b) => b.name },
  { header: 'Written', cell: (b) => new Date(b.createdAt).toLocaleString() },
  { header: 'Size', cell: (b) => `${(b.bytes / 1e6).toFixed(1)} MB` },
];

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
      <DataTable
        label="Backups"
        columns={BACKUP_COLUMNS}
        rows={backups.data ?? []}
        rowKey={(b) => b.name}
        empty={backups.data ? <Text c="dimmed">No backups yet: they run nightly, or now with the button.</Text> : null}
      />
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
      <DataTable
        label="Lockouts"
        columns={[
          { header: 'Kind', cell: (l) => l.kind },
          { header: 'Who', cell: (l) => l.key },
          { header: 'Failures', cell: (l) => l.failures },
          { header: 'Until', cell: (l) => new Date(l.until).toLocaleString() },
          {
            header: '',
            cell: (l) => (
              <Button size="xs" aria-label={`Lift lockout of ${l.key}`} onClick={() => lift.mutate({ kind: l.kind, key: l.key })}>
                Lift
              </Button>
            ),
          },
        ]}
        rows={lockouts.data ?? []}
        rowKey={(l) => `${l.kind}:${l.key}`}
      />
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

const SETTING_COLUMNS: Array<Column<Setting>> = [
  {
    header: 'Setting',
    cell: (s) => (
      <>
        <Text ff="monospace" size="sm">
          {s.key}
        </Text>
        <Text size="xs" c="dimmed">
          {s.description} ({s.env})
        </Text>
      </>
    ),
  },
  { header: 'Value', cell: (s) => show(s.value) },
  { header: 'Default', cell: (s) => show(s.default) },
  {
    header: 'Source',
    cell: (s) => (
      <Text size="sm" c={s.source === 'default' ? 'dimmed' : 'blue'} fw={s.source === 'default' ? 400 : 600}>
        {s.source}
      </Text>
    ),
  },
  { header: 'Applies', cell: (s) => `on ${s.applies}`, td: { style: { whiteSpace: 'nowrap' } } },
];

/** Each config key: value, default, where it came from; all apply on restart. */
function Settings() {
  const settings = useSettings();
  if (settings.isError) return <ErrorNotice error={settings.error} title="Cannot load the settings" />;
  return (
    <Stack gap="xs">
      <Text size="sm" c="dimmed">
        Change a setting in the config file, on the command line or with its environment variable, then restart the service: settings are read once at start.
      </Text>
      <DataTable label="Settings" fz="sm" columns={SETTING_COLUMNS} rows={settings.data ?? []} rowKey={(s) => s.key} />
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
