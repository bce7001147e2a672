import { Button, Group, NumberInput, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import type { ChargerDetail } from '../../api/models';
import { useUpdateCharger } from '../../api/queries';

const TEXT = [
  ['serialNumber', 'Serial number'],
  ['catalogNumber', 'Catalog number'],
  ['vendor', 'Vendor'],
  ['model', 'Model'],
  ['ipAddress', 'IP address'],
  ['targetGroup', 'Target group'],
  ['description', 'Description'],
] as const;
const NUMBERS = [
  ['ratedVolts', 'Rated volts (V)'],
  ['ratedAmps', 'Rated amps (A)'],
  ['maximumAmps', 'Maximum amps (A)'],
] as const;
type Key = (typeof TEXT)[number][0] | (typeof NUMBERS)[number][0];

/** The seed fields, edited together; the API's error lands on the field it names. */
export function Fields({ charger }: { charger: ChargerDetail }) {
  const initial = Object.fromEntries([...TEXT, ...NUMBERS].map(([k]) => [k, charger[k] ?? ''])) as Record<Key, string | number>;
  const [values, setValues] = useState(initial);
  const [fieldError, setFieldError] = useState<{ field?: string; message: string } | null>(null);
  const update = useUpdateCharger(charger.chargePointId);
  const changed = (Object.keys(values) as Key[]).filter((k) => values[k] !== initial[k]);
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setFieldError(null);
    const body = Object.fromEntries(changed.map((k) => [k, values[k] === '' ? null : values[k]]));
    try {
      await update.mutateAsync(body);
    } catch (err) {
      // Shown under the field it names, so the API's "body.<field>" prefix is dropped.
      const field = err instanceof ApiError ? err.field : undefined;
      setFieldError({ ...(field && { field }), message: field ? (err as Error).message.replace(/^body\.\w+ /, '') : (err as Error).message });
    }
  };
  const errorOf = (k: Key) => (fieldError?.field === k ? fieldError.message : undefined);
  const set = (k: Key) => (v: string | number) => setValues((s) => ({ ...s, [k]: v }));
  return (
    <form onSubmit={save} aria-label="Charger fields">
      <Stack>
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          {TEXT.map(([k, label]) => (
            <TextInput key={k} label={label} value={String(values[k])} onChange={(e) => set(k)(e.currentTarget.value)} error={errorOf(k)} />
          ))}
          {NUMBERS.map(([k, label]) => (
            <NumberInput key={k} label={label} value={values[k]} onChange={set(k)} min={0} error={errorOf(k)} />
          ))}
        </SimpleGrid>
        {fieldError && !fieldError.field && (
          <Text c="red" role="alert">
            {fieldError.message}
          </Text>
        )}
        <Group>
          <Button type="submit" disabled={!changed.length} loading={update.isPending}>
            Save changes
          </Button>
          {update.isSuccess && !changed.length && (
            <Text c="green" role="status">
              Saved.
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}
