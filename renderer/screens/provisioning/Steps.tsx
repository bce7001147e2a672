import { Badge, Button, List, Paper, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { rebootCharger, useProvisioning } from '../../api/installer';
import type { ProvisioningStep } from '../../api/models';
import { ErrorNotice } from '../../components/ErrorNotice';

/** One step as a sentence: which IP it connected from, each connector's status, each template key's answer. */
function describe(s: ProvisioningStep): string {
  const d = s.detail;
  switch (s.step) {
    case 'created':
      return 'Charger created; waiting for its first connection';
    case 'connected':
      return `Connected from ${String(d.remoteAddress ?? 'an unknown address')}`;
    case 'boot':
      return `BootNotification ${String(d.status ?? (s.ok ? 'Accepted' : 'not accepted'))}${d.vendor ? ` (${String(d.vendor)} ${String(d.model ?? '')})` : ''}`;
    case 'connector-status':
      return `Connector ${String(d.connectorId)}: ${String(d.status)}`;
    case 'template-key':
      return `Template key ${String(d.key)}: ${String(d.status ?? d.error)}`;
    case 'template-applied':
      return 'Template applied';
    case 'reboot-required':
      return 'A key takes effect after a reboot';
    case 'local-list':
      return `Local authorization list sent: ${String(d.status ?? d.error)}`;
  }
}

/** The charger's provisioning steps, live from provisioning.step events. */
export function StepsCard({ cpId }: { cpId: string }) {
  const p = useProvisioning(cpId);
  const [reboot, setReboot] = useState<string | null>(null);
  if (p.isError) return <ErrorNotice error={p.error} title={`Cannot load the steps of ${cpId}`} />;
  const steps = p.data?.steps ?? [];
  return (
    <Paper withBorder p="md" aria-label="Provisioning steps">
      <Title order={3}>Steps of {cpId}</Title>
      <List spacing={4} mt="xs">
        {steps.map((s, i) => (
          // Steps are append-only and carry no id: the position is their identity.
          // biome-ignore lint/suspicious/noArrayIndexKey: append-only list
          <List.Item key={i} icon={<Badge color={s.ok ? 'green' : 'red'}>{s.ok ? 'ok' : 'failed'}</Badge>}>
            {describe(s)}{' '}
            <Text span size="xs" c="dimmed">
              {new Date(s.at).toLocaleTimeString()}
            </Text>
          </List.Item>
        ))}
      </List>
      {p.data?.rebootRequired && (
        <Button
          mt="sm"
          color="orange"
          onClick={() =>
            void rebootCharger(cpId).then(
              (r) => setReboot(`Reset: ${r.status}`),
              (e: Error) => setReboot(e.message),
            )
          }
        >
          Reboot the charger
        </Button>
      )}
      {reboot && <Text size="sm">{reboot}</Text>}
    </Paper>
  );
}
