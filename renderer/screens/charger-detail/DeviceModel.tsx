import { Badge, Table, Text } from '@mantine/core';
import type { DeviceVariable } from '../../api/models';

const where = (v: DeviceVariable) =>
  [v.componentInstance && `instance ${v.componentInstance}`, v.evseId !== null && `EVSE ${v.evseId}`, v.connectorId !== null && `connector ${v.connectorId}`].filter(Boolean).join(', ');

/** An OCPP 2.0.1 station's device model as it last reported it (NotifyReport, answering GetBaseReport): its configuration. */
export function DeviceModel({ variables }: { variables: DeviceVariable[] }) {
  if (variables.length === 0) return <Text c="dimmed">No device model reported yet: it shows here once the station answers a GetBaseReport.</Text>;
  return (
    <Table aria-label="Device model" striped>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Component</Table.Th>
          <Table.Th>Variable</Table.Th>
          <Table.Th>Attribute</Table.Th>
          <Table.Th>Value</Table.Th>
          <Table.Th>Mutability</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {variables.map((v) => (
          <Table.Tr key={`${v.component}|${v.componentInstance}|${v.evseId}|${v.connectorId}|${v.variable}|${v.variableInstance}|${v.attributeType}`}>
            <Table.Td>
              <Text ff="monospace" size="sm">
                {v.component}
              </Text>
              {where(v) && (
                <Text size="xs" c="dimmed">
                  {where(v)}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Text ff="monospace" size="sm">
                {v.variable}
                {v.variableInstance && `[${v.variableInstance}]`}
              </Text>
            </Table.Td>
            <Table.Td>{v.attributeType}</Table.Td>
            <Table.Td>
              {v.value ?? '—'}
              {v.unit && ` ${v.unit}`}
            </Table.Td>
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
  );
}
