import { Anchor, Badge, Button, Group, Skeleton, Stack, Tabs, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useCharger } from '../../api/queries';
import { ErrorNotice } from '../../components/ErrorNotice';
import { OnlineBadge } from '../../components/StatusBadge';
import { Configuration } from './Configuration';
import { DeviceModel } from './DeviceModel';
import { Fields } from './Fields';
import { History } from './History';
import { Messages } from './Messages';
import { Overview } from './Overview';

/** The charger's own web page, at the address recorded for it (seed IP, else the OCPP socket's). */
export function webConfigUrl(c: { ipAddress: string | null; remoteAddress: string | null }): string | null {
  const ip = c.ipAddress ?? c.remoteAddress?.replace(/^::ffff:/, '') ?? null;
  if (!ip) return null;
  return `http://${ip.includes(':') ? `[${ip}]` : ip}/`;
}

function WebConfigButton({ cpId, url }: { cpId: string; url: string | null }) {
  const [error, setError] = useState<string | null>(null);
  const open = async () => {
    if (!url) return;
    setError(null);
    // Electron: the system browser via the app (main checks the address); a browser: a new tab.
    if (window.ocppEdge) {
      const r = await window.ocppEdge.openWebConfig(cpId, url);
      if (!r.ok) setError(r.error);
    } else window.open(url, '_blank', 'noopener,noreferrer');
  };
  return (
    <Stack gap={2} align="end">
      <Button variant="light" onClick={() => void open()} disabled={!url} title={url ?? undefined}>
        Open web config
      </Button>
      <Text size="xs" c="dimmed">
        {url ?? 'no IP recorded: set the IP address below'}
      </Text>
      {error && (
        <Text c="red" size="sm" role="alert">
          {error}
        </Text>
      )}
    </Stack>
  );
}

export function ChargerDetailScreen() {
  const cpId = useParams().cpId!;
  const charger = useCharger(cpId);
  if (charger.isError) {
    return (
      <Stack>
        <ErrorNotice error={charger.error} title={`Cannot load charger ${cpId}`} />
        <Anchor component={Link} to="/chargers">
          Back to chargers
        </Anchor>
      </Stack>
    );
  }
  const c = charger.data;
  if (!c) return <Skeleton h={400} />;
  return (
    <Stack>
      <Group justify="space-between" align="start">
        <Stack gap={4}>
          <Anchor component={Link} to="/chargers" size="sm">
            ← Chargers
          </Anchor>
          <Group>
            <Title order={2}>{c.chargePointId}</Title>
            <OnlineBadge online={c.isConnected} />
            {c.ocppVersion && (
              <Badge variant="outline" aria-label="OCPP version">
                OCPP {c.ocppVersion}
              </Badge>
            )}
          </Group>
          <Text c="dimmed">
            {[c.vendor, c.model, c.firmwareVersion && `firmware ${c.firmwareVersion}`].filter(Boolean).join(' · ') || 'not booted yet'}
            {c.lastSeen && ` · last seen ${new Date(c.lastSeen).toLocaleString()}`}
          </Text>
        </Stack>
        <WebConfigButton cpId={c.chargePointId} url={webConfigUrl(c)} />
      </Group>
      <Tabs defaultValue="overview" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="overview">Overview</Tabs.Tab>
          <Tabs.Tab value="fields">Details</Tabs.Tab>
          <Tabs.Tab value="configuration">Configuration</Tabs.Tab>
          <Tabs.Tab value="messages">Message log</Tabs.Tab>
          <Tabs.Tab value="history">Status history</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="overview" pt="md">
          <Overview charger={c} />
        </Tabs.Panel>
        <Tabs.Panel value="fields" pt="md">
          <Fields key={c.chargePointId} charger={c} />
        </Tabs.Panel>
        <Tabs.Panel value="configuration" pt="md">
          {/* A 2.0.1 station has a device model (components and variables) instead of 1.6 configuration keys. */}
          {c.ocppVersion === '2.0.1' ? <DeviceModel variables={c.deviceModel} /> : <Configuration cpId={c.chargePointId} online={c.isConnected} />}
        </Tabs.Panel>
        <Tabs.Panel value="messages" pt="md">
          <Messages cpId={c.chargePointId} />
        </Tabs.Panel>
        <Tabs.Panel value="history" pt="md">
          <History charger={c} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
