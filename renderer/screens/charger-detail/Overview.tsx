import { Card, Group, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { ChargerDetail } from '../../api/models';
import { useChargerSessions } from '../../api/queries';
import { CommandButton } from '../../components/CommandButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusBadge } from '../../components/StatusBadge';
import { SessionChart } from './SessionChart';

const TRIGGERS = ['BootNotification', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'StatusNotification'];

/** Connectors with their running session (and its live chart), and the remote actions. */
export function Overview({ charger }: { charger: ChargerDetail }) {
  const cpId = charger.chargePointId;
  const sessions = useChargerSessions(cpId);
  const connectors = charger.connectors.filter((k) => k.connectorId > 0);
  const ids = connectors.length ? connectors.map((k) => String(k.connectorId)) : ['1'];
  const [connector, setConnector] = useState<string | null>(ids[0] ?? '1');
  const [idTag, setIdTag] = useState('');
  const [trigger, setTrigger] = useState<string | null>('StatusNotification');
  const [availability, setAvailability] = useState<string | null>('Operative');
  const [listType, setListType] = useState<string | null>('Full');
  const [firmwareUrl, setFirmwareUrl] = useState('');
  const [diagnosticsUrl, setDiagnosticsUrl] = useState('');
  const offline = !charger.isConnected;
  const active = sessions.data?.items.filter((s) => s.status === 'Active') ?? [];
  const target = Number(connector ?? 1);
  // A 2.0.1 station's rows are its EVSEs, each with its own connectors.
  const evseConnectors = new Map(charger.evses.map((e) => [e.evseId, e.connectors]));

  return (
    <Stack>
      <Card withBorder>
        <Title order={4} mb="xs">
          Connectors
        </Title>
        {connectors.length === 0 ? (
          <Text c="dimmed">No connector has reported a status yet: it shows here after the charger's first StatusNotification.</Text>
        ) : (
          <Table aria-label="Connectors">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{evseConnectors.size ? 'EVSE' : 'Connector'}</Table.Th>
                {evseConnectors.size > 0 && <Table.Th>Its connectors</Table.Th>}
                <Table.Th>Status</Table.Th>
                <Table.Th>Error</Table.Th>
                <Table.Th>Running session</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {connectors.map((k) => {
                const s = active.find((x) => x.connectorId === k.connectorId);
                return (
                  <Table.Tr key={k.connectorId}>
                    <Table.Td>#{k.connectorId}</Table.Td>
                    {evseConnectors.size > 0 && <Table.Td>{(evseConnectors.get(k.connectorId) ?? []).map((x) => `#${x.connectorId} ${x.status}`).join(', ') || '—'}</Table.Td>}
                    <Table.Td>
                      <StatusBadge status={k.status} />
                    </Table.Td>
                    <Table.Td>{k.errorCode === 'NoError' ? '—' : `${k.errorCode}${k.info ? ` (${k.info})` : ''}`}</Table.Td>
                    <Table.Td>{s ? `transaction ${s.chargerTransactionId}, ${s.idTag}, ${((s.energyWh ?? 0) / 1000).toFixed(2)} kWh` : '—'}</Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
      </Card>
      {sessions.isError && <ErrorNotice error={sessions.error} title="Cannot load sessions" />}
      {active.map((s) => (
        <Card withBorder key={s.transactionId} aria-label={`Session ${s.transactionId}`} component="section">
          <Group justify="space-between" mb="xs">
            <Title order={4}>
              Session {s.transactionId} on connector #{s.connectorId} ({s.idTag})
            </Title>
            <CommandButton
              cpId={cpId}
              command="stop-transaction"
              label={`Stop session ${s.transactionId}`}
              color="red"
              confirm={`Ask ${cpId} to stop transaction ${s.transactionId}? Charging ends on connector #${s.connectorId}.`}
              body={() => ({ transactionId: s.transactionId })}
              disabled={offline}
            />
          </Group>
          <SessionChart transactionId={s.transactionId} />
        </Card>
      ))}
      <Card withBorder component="section" aria-label="Remote actions">
        <Title order={4} mb="xs">
          Remote actions
        </Title>
        {offline && (
          <Text c="orange.8" mb="sm">
            The charger is offline: remote actions need it connected.
          </Text>
        )}
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <Stack gap="xs">
            <Group align="end">
              <Select label="Connector" data={ids} value={connector} onChange={setConnector} w={110} allowDeselect={false} />
              <TextInput label="Id tag" value={idTag} onChange={(e) => setIdTag(e.currentTarget.value)} placeholder="RFID_001" w={180} />
            </Group>
            <CommandButton cpId={cpId} command="start-transaction" label="Start charging" body={() => ({ connectorId: target, idTag: idTag.trim() })} disabled={offline || !idTag.trim()} />
          </Stack>
          <Stack gap="xs">
            <Text fw={600}>Reset</Text>
            <Group>
              <CommandButton
                cpId={cpId}
                command="reset"
                label="Soft reset"
                confirm="A soft reset stops running sessions and restarts the charger's software."
                body={() => ({ type: 'Soft' })}
                disabled={offline}
              />
              <CommandButton
                cpId={cpId}
                command="reset"
                label="Hard reset"
                color="red"
                confirm="A hard reset reboots the charger; running sessions end."
                body={() => ({ type: 'Hard' })}
                disabled={offline}
              />
            </Group>
          </Stack>
          <CommandButton
            cpId={cpId}
            command="unlock-connector"
            label={`Unlock connector #${target}`}
            confirm={`Unlocking connector #${target} ends a session running on it.`}
            body={() => ({ connectorId: target })}
            disabled={offline}
          />
          <Stack gap="xs">
            <Select label="Availability" data={['Operative', 'Inoperative']} value={availability} onChange={setAvailability} w={200} allowDeselect={false} />
            <CommandButton
              cpId={cpId}
              command="change-availability"
              label={`Set connector #${target} ${availability}`}
              confirm={`Set connector #${target} ${availability}? Inoperative refuses new sessions.`}
              body={() => ({ connectorId: target, type: availability })}
              disabled={offline}
            />
          </Stack>
          <Stack gap="xs">
            <Select label="Message to trigger" data={TRIGGERS} value={trigger} onChange={setTrigger} w={280} allowDeselect={false} />
            <CommandButton cpId={cpId} command="trigger-message" label="Trigger message" body={() => ({ requestedMessage: trigger })} disabled={offline} />
          </Stack>
          <CommandButton cpId={cpId} command="clear-cache" label="Clear authorization cache" confirm="The charger forgets the id tags it cached." body={() => ({})} disabled={offline} />
          <Stack gap="xs">
            <Select label="Local list update" data={['Full', 'Differential']} value={listType} onChange={setListType} w={200} allowDeselect={false} />
            <CommandButton cpId={cpId} command="send-local-list" label="Send local list" body={() => ({ updateType: listType })} disabled={offline} />
          </Stack>
          <Stack gap="xs">
            <TextInput label="Firmware location (URL)" value={firmwareUrl} onChange={(e) => setFirmwareUrl(e.currentTarget.value)} placeholder="http://…/firmware.bin" />
            <CommandButton
              cpId={cpId}
              command="update-firmware"
              label="Update firmware"
              confirm="The charger downloads and installs the firmware, then reboots."
              body={() => ({ location: firmwareUrl.trim(), retrieveDate: new Date().toISOString() })}
              disabled={offline || !firmwareUrl.trim()}
            />
          </Stack>
          <Stack gap="xs">
            <TextInput label="Diagnostics upload location (URL)" value={diagnosticsUrl} onChange={(e) => setDiagnosticsUrl(e.currentTarget.value)} placeholder="ftp://…/" />
            <CommandButton cpId={cpId} command="get-diagnostics" label="Get diagnostics" body={() => ({ location: diagnosticsUrl.trim() })} disabled={offline || !diagnosticsUrl.trim()} />
          </Stack>
        </SimpleGrid>
      </Card>
    </Stack>
  );
}
