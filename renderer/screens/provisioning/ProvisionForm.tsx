import { Button, Checkbox, Group, NumberInput, Paper, SimpleGrid, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { type ProvisionInput, useProvision } from '../../api/installer';
import type { ConnectionSettings } from '../../api/models';

const TEXT_FIELDS = [
  ['chargePointId', 'Charge point ID', 'Default: the serial number'],
  ['serialNumber', 'Serial number', 'e.g. JAAL34S021'],
  ['catalogNumber', 'Catalog number', 'e.g. 8EM1310-3EJ04-0GA0'],
  ['vendor', 'Vendor', 'From the device when empty'],
  ['model', 'Model', 'From the device when empty'],
  ['ipAddress', 'IP address', 'From the device when empty'],
  ['targetGroup', 'Target group', 'Its template is applied at first boot'],
] as const;
const NUMBER_FIELDS = [
  ['ratedVolts', 'Rated volts'],
  ['ratedAmps', 'Rated amps'],
  ['maximumAmps', 'Maximum amps'],
] as const;

type Values = Partial<Record<(typeof TEXT_FIELDS)[number][0], string>> & Partial<Record<(typeof NUMBER_FIELDS)[number][0], number>>;

/** Create a charger from a discovered device or by hand; the API's errors land on the field they name. */
export function ProvisionForm({ fromDevice, onCreated }: { fromDevice: string | null; onCreated: (s: ConnectionSettings) => void }) {
  const provision = useProvision();
  const [values, setValues] = useState<Values>({});
  const [noPassword, setNoPassword] = useState(false);
  const err = provision.error;
  const field = err instanceof ApiError ? err.field : undefined;
  const named = new Set<string>([...TEXT_FIELDS.map((f) => f[0]), ...NUMBER_FIELDS.map((f) => f[0]), 'noPassword']);
  const errorOf = (name: string) => (field === name ? err?.message : undefined);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const body = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '' && v !== undefined)) as ProvisionInput;
    provision.mutate({ ...body, ...(fromDevice && { fromDevice }), ...(noPassword && { noPassword }) }, { onSuccess: (r) => onCreated(r.settings) });
  };
  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} aria-label="Provision a charger">
      <Title order={3}>{fromDevice ? `Provision the device at ${fromDevice}` : 'Provision a charger by hand'}</Title>
      <SimpleGrid cols={3} mt="sm">
        {TEXT_FIELDS.map(([name, label, description]) => (
          <TextInput key={name} label={label} description={description} value={values[name] ?? ''} onChange={(e) => setValues({ ...values, [name]: e.currentTarget.value })} error={errorOf(name)} />
        ))}
        {NUMBER_FIELDS.map(([name, label]) => (
          <NumberInput key={name} label={label} value={values[name] ?? ''} min={0} onChange={(v) => setValues({ ...values, [name]: typeof v === 'number' ? v : undefined })} error={errorOf(name)} />
        ))}
      </SimpleGrid>
      <Checkbox
        mt="sm"
        label="No password (security profile 0: anyone on the LAN can connect as this charger)"
        checked={noPassword}
        onChange={(e) => setNoPassword(e.currentTarget.checked)}
        error={errorOf('noPassword')}
      />
      {err && !(field && named.has(field)) && (
        <Text c="red" size="sm" mt="xs" role="alert">
          {err.message}
        </Text>
      )}
      <Group mt="md">
        <Button type="submit" loading={provision.isPending}>
          Create charger
        </Button>
      </Group>
    </Paper>
  );
}
