import { Alert, AppShell, Button, Group, NavLink, Title } from '@mantine/core';
import { useSyncExternalStore } from 'react';
import { Outlet, NavLink as RouterLink, useLocation } from 'react-router';
import { streamState } from '../api/events';

const NAV = [
  { to: '/', label: 'Dashboard' },
  { to: '/chargers', label: 'Chargers' },
  { to: '/sessions', label: 'Sessions' },
  { to: '/rfid', label: 'RFID cards' },
  { to: '/load', label: 'Load management' },
  { to: '/sync', label: 'Head-office sync' },
  { to: '/discovery', label: 'Discovery' },
  { to: '/provisioning', label: 'Provisioning' },
  { to: '/operations', label: 'Operations' },
];

/** Header with sign-out, navigation, and a banner while the live stream is down. */
export function Layout({ onSignOut }: { onSignOut: () => void }) {
  const stream = useSyncExternalStore(streamState.subscribe, streamState.get);
  const { pathname } = useLocation();
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 200, breakpoint: 0 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Title order={3}>OCPP Edge</Title>
          <Button variant="subtle" onClick={onSignOut}>
            Sign out
          </Button>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        {NAV.map((n) => (
          <NavLink key={n.to} component={RouterLink} to={n.to} label={n.label} active={n.to === '/' ? pathname === '/' : pathname.startsWith(n.to)} />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        {stream === 'down' && (
          <Alert color="orange" title="Connection to the service lost" mb="md" role="alert">
            Live updates stopped: the OCPP Edge service is not reachable. Check that it is running; this page reconnects by itself and shows the current state when it is back.
          </Alert>
        )}
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
