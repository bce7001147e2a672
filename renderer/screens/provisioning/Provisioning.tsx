import { Alert, Anchor, List, Stack, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useSecurityWarnings } from '../../api/installer';
import type { ConnectionSettings } from '../../api/models';
import { ProvisionForm } from './ProvisionForm';
import { SettingsCard } from './Settings';
import { StepsCard } from './Steps';
import { TemplatesCard } from './Templates';

function PasswordWarnings() {
  const warnings = useSecurityWarnings();
  const list = warnings.data?.passwordless ?? [];
  if (!list.length) return null;
  return (
    <Alert color="orange" title={`${list.length} charger(s) without a password`} aria-label="Chargers without a password">
      Anyone on the network can connect with their identity. Set a password in each charger's fields.
      <List size="sm" mt={4}>
        {list.map((c) => (
          <List.Item key={c.chargePointId}>
            <Anchor component={Link} to={`/chargers/${encodeURIComponent(c.chargePointId)}`}>
              {c.chargePointId}
            </Anchor>
            {c.isConnected ? ` (connected from ${c.remoteAddress})` : ''}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}

/** Issue 11: create a charger, show what to type into it, watch its first boot live. */
export function ProvisioningScreen() {
  const [params] = useSearchParams();
  const fromDevice = params.get('fromDevice');
  // The password is only in the creation answer: kept in this page's state, never refetched.
  const [settings, setSettings] = useState<ConnectionSettings | null>(null);
  return (
    <Stack>
      <Title order={2}>Provisioning</Title>
      <PasswordWarnings />
      {settings ? (
        <>
          <SettingsCard settings={settings} />
          <StepsCard cpId={settings.chargePointId} />
          <Anchor component="button" onClick={() => setSettings(null)} w="fit-content">
            Provision another charger
          </Anchor>
        </>
      ) : (
        <ProvisionForm key={fromDevice} fromDevice={fromDevice} onCreated={setSettings} />
      )}
      <TemplatesCard />
    </Stack>
  );
}
