import { Button, CopyButton, Group, Image, Paper, Stack, Table, Text, Title } from '@mantine/core';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import type { ConnectionSettings } from '../../api/models';

function CopyValue({ label, value }: { label: string; value: string }) {
  return (
    <CopyButton value={value}>
      {({ copied, copy }) => (
        <Button size="compact-xs" variant="light" color={copied ? 'green' : undefined} onClick={copy} aria-label={`Copy ${label}`}>
          {copied ? 'Copied' : 'Copy'}
        </Button>
      )}
    </CopyButton>
  );
}

/** What the installer types into the charger's web config, with copy buttons and a QR code of all of it. */
export function SettingsCard({ settings }: { settings: ConnectionSettings }) {
  const [qr, setQr] = useState<string | null>(null);
  const [qrError, setQrError] = useState<string | null>(null);
  useEffect(() => {
    QRCode.toDataURL(settings.qrText, { margin: 1, width: 220 })
      .then(setQr)
      .catch((err: Error) => setQrError(`QR code not drawn: ${err.message}`));
  }, [settings.qrText]);
  const rows: Array<[string, string]> = [
    ['Central-system URL', settings.centralSystemUrl],
    ['OCPP version', settings.ocppVersion],
    ['Charge point ID', settings.chargePointId],
    ['Password (AuthorizationKey)', settings.password ?? (settings.hasPassword ? 'set (shown only when created)' : 'none: security profile 0')],
    ['Heartbeat interval (s)', String(settings.heartbeatIntervalSec)],
  ];
  return (
    <Paper withBorder p="md" aria-label="Settings for the charger">
      <Title order={3}>Type these into the charger</Title>
      {settings.password && (
        <Text c="orange" size="sm">
          The password is shown only now: copy it into the charger before leaving this page.
        </Text>
      )}
      <Group align="start" mt="sm" wrap="nowrap">
        <Table>
          <Table.Tbody>
            {rows.map(([label, value]) => (
              <Table.Tr key={label}>
                <Table.Th>{label}</Table.Th>
                <Table.Td ff="monospace" aria-label={label}>
                  {value}
                </Table.Td>
                <Table.Td>{(label !== 'Password (AuthorizationKey)' || settings.password) && <CopyValue label={label} value={value} />}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Stack gap={4} align="center">
          {qr && <Image src={qr} w={220} h={220} alt={`QR code of the settings for ${settings.chargePointId}`} />}
          {qrError && (
            <Text c="red" size="sm" role="alert">
              {qrError}
            </Text>
          )}
          {qr && (
            <Button component="a" href={qr} download={`${settings.chargePointId}-ocpp-settings.png`} variant="subtle" size="xs">
              Save QR code
            </Button>
          )}
        </Stack>
      </Group>
    </Paper>
  );
}
