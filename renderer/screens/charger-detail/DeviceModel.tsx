import { Badge, Card, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { ChargerDetail } from '../../api/models';
import { StatusBadge } from '../../components/StatusBadge';

type Variable = ChargerDetail['deviceModel'][number];

/** Component[instance]/Variable[instance] (EVSE/connector when set): how an installer reads a 2.0.1 path. */
function variablePath(v: Variable): string {
  const at = v.evseId === null ? '' : ` (EVSE ${v.evseId}${v.connectorId === null ? '' : `, connector ${v.connectorId}`})`;
  const part = (name: string, instance: string | null) => (instance ? `${name}[${instance}]` : name);
  return `${part(v.component, v.componentInstance)}.${part(v.variable, v.variableInstance)}${at}`;
}

/** An OCPP 2.0.1 station: its EVSEs with their connectors, its device model and what it reported. */
export function DeviceModel({ charger }: { charger: ChargerDetail }) {
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const variables = needle ? charger.deviceModel.filter((v) => variablePath(v).toLowerCase().includes(needle)) : charger.deviceModel;
  return (
    <Stack>
      <Card withBorder>
        <Title order={4} mb="xs">
          EVSEs
        </Title>
        {charger.evses.length === 0 ? (
          <Text c="dimmed">No EVSE has reported a status yet: they show here after the station's StatusNotifications.</Text>
        ) : (
          <Table aria-label="EVSEs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>EVSE</Table.Th>
                <Table.Th>Connector</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Since</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {charger.evses.flatMap((e) =>
                e.connectors.map((k) => (
                  <Table.Tr key={`${e.evseId}:${k.connectorId}`}>
                    <Table.Td>EVSE {e.evseId}</Table.Td>
                    <Table.Td>#{k.connectorId}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={k.status} />
                    </Table.Td>
                    <Table.Td>{new Date(k.statusAt).toLocaleString()}</Table.Td>
                  </Table.Tr>
                )),
              )}
            </Table.Tbody>
          </Table>
        )}
      </Card>
      <Card withBorder>
        <Title order={4} mb="xs">
          Device model
        </Title>
        {charger.deviceModel.length === 0 ? (
          <Text c="dimmed">No report yet: the station's device model shows here after a GetBaseReport (its NotifyReport).</Text>
        ) : (
          <Stack gap="xs">
            <TextInput placeholder="Filter by component or variable" aria-label="Filter the device model" value={filter} onChange={(e) => setFilter(e.currentTarget.value)} w={320} />
            <Table aria-label="Device model">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Variable</Table.Th>
                  <Table.Th>Value</Table.Th>
                  <Table.Th>Type</Table.Th>
                  <Table.Th>Mutability</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {variables.map((v) => (
                  <Table.Tr key={`${variablePath(v)}:${v.attributeType}`}>
                    <Table.Td>
                      <Text ff="monospace" size="sm">
                        {variablePath(v)}
                        {v.attributeType !== 'Actual' && ` (${v.attributeType})`}
                      </Text>
                    </Table.Td>
                    <Table.Td>{v.value === null ? '—' : `${v.value}${v.unit ? ` ${v.unit}` : ''}`}</Table.Td>
                    <Table.Td>{v.dataType ?? '—'}</Table.Td>
                    <Table.Td>
                      {v.mutability && (
                        <Badge variant="outline" color={v.mutability === 'ReadOnly' ? 'gray' : 'blue'}>
                          {v.mutability}
                        </Badge>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {variables.length === 0 && <Text c="dimmed">No variable matches “{filter}”.</Text>}
          </Stack>
        )}
      </Card>
      <Card withBorder>
        <Title order={4} mb="xs">
          Reported events
        </Title>
        {charger.stationEvents.length === 0 ? (
          <Text c="dimmed">No NotifyEvent or security event reported.</Text>
        ) : (
          <Table aria-label="Reported events">
            <Table.Tbody>
              {charger.stationEvents.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>{new Date(e.at).toLocaleString()}</Table.Td>
                  <Table.Td>
                    <Badge color={e.kind === 'security' ? 'red' : 'gray'}>{e.kind}</Badge>
                  </Table.Td>
                  <Table.Td>{e.type}</Table.Td>
                  <Table.Td>{e.detail ?? ''}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
    </Stack>
  );
}
