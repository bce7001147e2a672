import { Badge, Button, Group, Paper, Progress, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError } from '../../api/client';
import { deviceWebUrl, useCancelScan, useDevices, useScan, useScanDefaults, useStartScan } from '../../api/installer';
import type { Device } from '../../api/models';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';

const STATE_COLOR = { new: 'green', present: 'gray', gone: 'red' } as const;
const when = (iso: string) => new Date(iso).toLocaleString();

/** A page title as the probe read it (entities such as &ndash; still in it) as text; DOMParser runs no scripts. */
const pageText = (html: string) => new DOMParser().parseFromString(html, 'text/html').documentElement.textContent ?? html;

/** Ports as "80, 443"; an empty or malformed list is the form's own error (the API would name `ports`). */
function parsePorts(text: string): number[] | string {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const ports = parts.map(Number);
  if (!ports.length || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) return 'ports: whole numbers 1-65535, separated by commas';
  return ports;
}

function ScanForm({ onStarted }: { onStarted: (id: string) => void }) {
  const defaults = useScanDefaults();
  const start = useStartScan();
  const [range, setRange] = useState('');
  const [ports, setPorts] = useState('');
  const [portsError, setPortsError] = useState<string | null>(null);
  useEffect(() => {
    if (!defaults.data) return;
    setRange((r) => r || defaults.data.range);
    setPorts((p) => p || defaults.data.ports.join(', '));
  }, [defaults.data]);
  const err = start.error instanceof ApiError ? start.error : null;
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const parsed = parsePorts(ports);
    setPortsError(typeof parsed === 'string' ? parsed : null);
    if (typeof parsed !== 'string') start.mutate({ range: range.trim(), ports: parsed }, { onSuccess: (s) => onStarted(s.id) });
  };
  return (
    <form onSubmit={submit} aria-label="Scan">
      <Group align="end">
        <TextInput
          label="Address range"
          description="CIDR (192.168.10.0/24), span (192.168.10.20-40) or one address; private, link-local or loopback, at most a /22"
          value={range}
          onChange={(e) => setRange(e.currentTarget.value)}
          error={err && (err.field === 'range' || !err.field) ? err.message : undefined}
          w={420}
          required
        />
        <TextInput
          label="Ports"
          description="TCP ports to probe"
          value={ports}
          onChange={(e) => setPorts(e.currentTarget.value)}
          error={portsError ?? (err?.field?.startsWith('ports') ? err.message : undefined)}
          w={200}
        />
        <Button type="submit" loading={start.isPending}>
          Start scan
        </Button>
      </Group>
      {defaults.isError && <ErrorNotice error={defaults.error} title="Cannot load the scan defaults" />}
    </form>
  );
}

function ScanProgress({ id }: { id: string }) {
  const scan = useScan(id);
  const cancel = useCancelScan();
  if (scan.isError) return <ErrorNotice error={scan.error} title="Cannot load the scan" />;
  const s = scan.data;
  if (!s) return null;
  return (
    <Paper withBorder p="sm" aria-label="Scan progress">
      <Group justify="space-between">
        <Text>
          Scan of {s.range}: {s.done} / {s.total} addresses, {s.found} found · {s.state}
          {s.error && ` (${s.error})`}
        </Text>
        {s.state === 'running' && (
          <Button color="red" variant="light" onClick={() => cancel.mutate(s.id)} loading={cancel.isPending}>
            Cancel scan
          </Button>
        )}
      </Group>
      <Progress value={s.total ? (100 * s.done) / s.total : 0} mt="xs" aria-label="Addresses scanned" />
      {cancel.isError && <ErrorNotice error={cancel.error} title="Cannot cancel" />}
    </Paper>
  );
}

/** Electron: the system browser via the app (main checks the address); a browser: a new tab. */
async function openWebConfig(d: Device): Promise<string | null> {
  const url = deviceWebUrl(d);
  if (!window.ocppEdge) {
    window.open(url, '_blank', 'noopener,noreferrer');
    return null;
  }
  const r = await window.ocppEdge.openWebConfig(d.chargePointId ?? d.ip, url);
  return r.ok ? null : r.error;
}

function DeviceRow({ d }: { d: Device }) {
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  return (
    <Table.Tr>
      <Table.Td>{d.ip}</Table.Td>
      <Table.Td>
        {d.mac ?? '—'}
        {d.macVendor && (
          <Text size="xs" c="dimmed">
            {d.macVendor}
          </Text>
        )}
      </Table.Td>
      <Table.Td>{[d.vendor, d.model].filter(Boolean).join(' ') || '—'}</Table.Td>
      <Table.Td>{d.hostname ?? '—'}</Table.Td>
      <Table.Td>{d.openPorts.map((p) => `${p.port}${p.tls ? ' (TLS)' : ''}`).join(', ') || '—'}</Table.Td>
      <Table.Td>{d.title ? pageText(d.title) : '—'}</Table.Td>
      <Table.Td>{d.sources.join(', ')}</Table.Td>
      <Table.Td>
        <Text size="xs">first {when(d.firstSeen)}</Text>
        <Text size="xs">last {when(d.lastSeen)}</Text>
      </Table.Td>
      <Table.Td miw={90}>
        <Badge color={STATE_COLOR[d.state]}>{d.state}</Badge>
      </Table.Td>
      <Table.Td>{d.chargePointId ? <Link to={`/chargers/${encodeURIComponent(d.chargePointId)}`}>{d.chargePointId}</Link> : '—'}</Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Button size="xs" variant="light" aria-label={`Open web config of ${d.ip}`} title={deviceWebUrl(d)} onClick={() => void openWebConfig(d).then(setError)}>
            Open web config
          </Button>
          {!d.chargePointId && (
            <Button size="xs" aria-label={`Provision ${d.ip}`} onClick={() => navigate(`/provisioning?fromDevice=${encodeURIComponent(d.ip)}`)}>
              Provision
            </Button>
          )}
        </Group>
        {error && (
          <Text c="red" size="xs" role="alert">
            {error}
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** Issue 11: find chargers on the LAN, open their web page, provision them. */
export function DiscoveryScreen() {
  const [scanId, setScanId] = useState<string | null>(null);
  const devices = useDevices();
  return (
    <Stack>
      <Title order={2}>Discovery</Title>
      <ScanForm onStarted={setScanId} />
      {scanId && <ScanProgress id={scanId} />}
      <Title order={3}>Devices</Title>
      {devices.isError && <ErrorNotice error={devices.error} title="Cannot load the devices" />}
      {devices.data?.length === 0 && <EmptyState title="No devices found yet">Scan the depot's LAN range above; chargers that connect over OCPP appear here by themselves.</EmptyState>}
      {!!devices.data?.length && (
        <Table striped aria-label="Discovered devices">
          <Table.Thead>
            <Table.Tr>
              {['IP', 'MAC / OUI vendor', 'Vendor guess', 'Hostname', 'Open ports', 'Title', 'Sources', 'Seen', 'State', 'Charger', 'Actions'].map((h) => (
                <Table.Th key={h}>{h}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {devices.data.map((d) => (
              <DeviceRow key={d.ip} d={d} />
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
