import { Alert, Button, Card, Group, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { SyncProgress, SyncStatus } from '../../api/models';
import { useParkedRecords, useResolveParked, useSyncNow, useSyncStatus } from '../../api/queries';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';

/** "3 h 12 min", "45 s": an age a person reads at a glance. */
function age(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} days`;
}

const when = (iso: string | null | undefined, none: string) => (iso ? new Date(iso).toLocaleString() : none);

function Figure({ label, value, hint }: { label: string; value: string | number; hint?: string }) {
  return (
    <Card withBorder data-testid={label}>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Card>
  );
}

const PHASES: Record<SyncProgress['phase'], string> = {
  upload: 'Uploading records',
  manifest: 'Sending day manifests',
  'auth-list': 'Pulling the authorization list',
  push: 'Pushing the list to chargers',
};

/** The running sync, from sync.status events: phase, and records done of those pending at its start. */
function Running({ run }: { run: SyncProgress }) {
  const done = run.uploaded + run.parked;
  const share = run.pendingAtStart ? Math.min(100, (100 * done) / run.pendingAtStart) : 100;
  return (
    <Card withBorder>
      <Text fw={600}>
        {run.trigger === 'nightly' ? 'Nightly sync' : 'Sync'} running: {PHASES[run.phase]}
      </Text>
      <Progress value={share} mt="xs" aria-label="Sync progress" />
      <Text size="sm" c="dimmed" mt={4}>
        {done} of {run.pendingAtStart} records ({run.uploaded} accepted, {run.parked} parked), started {when(run.startedAt, '')}
      </Text>
    </Card>
  );
}

function State({ s }: { s: SyncStatus }) {
  const syncNow = useSyncNow();
  // An error older than the last success is history, not a problem now.
  const failing = !!s.lastError && (!s.lastSuccessAt || Date.parse(s.lastError.at) > Date.parse(s.lastSuccessAt));
  const backoff = s.nextAttemptInMs !== null ? `next attempt in ${age(s.nextAttemptInMs / 1000)} (${s.consecutiveFailures} failed in a row)` : undefined;
  return (
    <Stack>
      {!s.configured && (
        <Alert color="blue" title="Head office is not configured">
          The depot runs standalone and keeps every session in its outbox, so nothing is lost. Set headofficeUrl and headofficeToken (config file, or OCPP_EDGE_HEADOFFICE_URL /
          OCPP_EDGE_HEADOFFICE_TOKEN) and restart to upload them.
        </Alert>
      )}
      {s.configured && (
        <Text size="sm" c="dimmed">
          Head office: {s.headofficeUrl}
        </Text>
      )}
      <SimpleGrid cols={{ base: 2, md: 3 }}>
        <Figure label="Pending records" value={s.pending} hint={s.oldestPendingAgeSec !== null ? `oldest waiting ${age(s.oldestPendingAgeSec)}` : 'nothing waiting'} />
        <Figure label="Last success" value={when(s.lastSuccessAt, 'never')} />
        <Figure label="Next nightly run" value={when(s.nightly.nextRunAt, 'not scheduled')} hint={`schedule ${s.nightly.cron}`} />
        <Figure label="Parked records" value={s.parked} hint={s.parked ? 'rejected by head office: retry or dismiss below' : undefined} />
        <Figure label="Authorization list version" value={s.authListVersion ?? 'not pulled yet'} />
      </SimpleGrid>
      {failing && s.lastError && (
        <Alert color="red" title="Last error" role="alert">
          {s.lastError.message} ({when(s.lastError.at, '')}){backoff && `; ${backoff}`}. Records stay pending and are uploaded once head office answers.
        </Alert>
      )}
      {!failing && s.lastError && (
        <Text size="sm" c="dimmed">
          Last error, before the last success: {s.lastError.message} ({when(s.lastError.at, '')})
        </Text>
      )}
      {s.running && <Running run={s.running} />}
      <Group>
        <Button onClick={() => syncNow.mutate()} loading={syncNow.isPending || !!s.running} disabled={!s.configured}>
          Sync now
        </Button>
        {s.lastRun && (
          <Text size="sm" c={s.lastRun.ok ? 'dimmed' : 'red'} data-testid="Last run">
            Last run ({s.lastRun.trigger}, {when(s.lastRun.finishedAt, '')}): {s.lastRun.uploaded} uploaded, {s.lastRun.parked} parked
            {s.lastRun.errors.map((e) => `; ${e.phase} failed: ${e.message}`).join('')}
          </Text>
        )}
      </Group>
      {syncNow.error && <ErrorNotice error={syncNow.error} title="Sync did not run" />}
    </Stack>
  );
}

function Parked() {
  const parked = useParkedRecords();
  const resolve = useResolveParked();
  if (parked.isError) return <ErrorNotice error={parked.error} title="Cannot load the parked records" />;
  if (parked.data?.length === 0)
    return <EmptyState title="No parked records">Head office has accepted everything it was sent. A record it rejects is parked here with its reason and never blocks the others.</EmptyState>;
  return (
    <Stack>
      {resolve.error && <ErrorNotice error={resolve.error} />}
      <DataTable
        label="Parked records"
        columns={[
          { header: 'Record', cell: (r) => `${r.kind} #${r.id}` },
          { header: 'Subject', cell: (r) => r.subject ?? '' },
          { header: 'Created', cell: (r) => when(r.createdAt, '') },
          { header: 'Reason', cell: (r) => r.parkedReason ?? '' },
          {
            header: 'Actions',
            cell: (r) => (
              <Group gap="xs">
                <Button size="xs" variant="light" aria-label={`Retry record ${r.id}`} onClick={() => resolve.mutate({ id: r.id, action: 'retry' })}>
                  Retry
                </Button>
                <Button size="xs" variant="subtle" color="red" aria-label={`Dismiss record ${r.id}`} onClick={() => resolve.mutate({ id: r.id, action: 'dismiss' })}>
                  Dismiss
                </Button>
              </Group>
            ),
          },
        ]}
        rows={parked.data ?? []}
        rowKey={(r) => r.id}
      />
    </Stack>
  );
}

/** Head-office sync (issue 10): what waits, what failed, what head office refused, and "sync now". */
export function SyncScreen() {
  const status = useSyncStatus();
  return (
    <Stack>
      <Title order={2}>Head-office sync</Title>
      {status.isError && <ErrorNotice error={status.error} title="Cannot load the sync state" />}
      {status.data && <State s={status.data} />}
      <Title order={3}>Parked records</Title>
      <Parked />
    </Stack>
  );
}
