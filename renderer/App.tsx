import { Center, Loader } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { QueryCache, QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { ApiError, isUnauthorized } from './api/client';
import { connectEventStream } from './api/events';
import { signIn, signOut, useSignInState } from './api/queries';
import { ErrorNotice } from './components/ErrorNotice';
import { Layout } from './components/Layout';
import { ChargerDetailScreen } from './screens/charger-detail/ChargerDetail';
import { ChargersScreen } from './screens/chargers/Chargers';
import { DashboardScreen } from './screens/dashboard/Dashboard';
import { DiscoveryScreen } from './screens/discovery/Discovery';
import { LoadScreen } from './screens/load/Load';
import { OperationsScreen } from './screens/operations/Operations';
import { ProvisioningScreen } from './screens/provisioning/Provisioning';
import { RfidScreen } from './screens/rfid/Rfid';
import { SessionsScreen } from './screens/sessions/Sessions';
import { SignIn } from './screens/signin/SignIn';
import { SyncScreen } from './screens/sync/Sync';

/**
 * `/?token=T` (the link npm run serve prints) signs in once; the token is taken out of the
 * address bar and the history entry before anything else runs.
 */
function takeTokenFromUrl(): string | null {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (!token) return null;
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  return token;
}
const linkToken = takeTokenFromUrl();

export function createQueryClient(onUnauthorized: () => void): QueryClient {
  return new QueryClient({
    // A 401 on any data query means the session ended (signed out elsewhere, token rotated):
    // re-ask the session route, which says why. Not for the session query itself (a loop).
    queryCache: new QueryCache({ onError: (err, query) => query.queryKey[0] !== 'session' && isUnauthorized(err) && onUnauthorized() }),
    defaultOptions: { queries: { staleTime: 5_000, retry: (n, err) => !(err instanceof ApiError && err.status < 500 && err.status > 0) && n < 2 } },
  });
}

const router = createBrowserRouter([
  {
    path: '/',
    element: <SignedInShell />,
    errorElement: <ErrorNotice error={new Error('This page failed to render. Go back to the dashboard and try again.')} />,
    children: [
      { index: true, element: <DashboardScreen /> },
      { path: 'chargers', element: <ChargersScreen /> },
      { path: 'chargers/:cpId', element: <ChargerDetailScreen /> },
      { path: 'sessions', element: <SessionsScreen /> },
      { path: 'rfid', element: <RfidScreen /> },
      { path: 'sync', element: <SyncScreen /> },
      { path: 'discovery', element: <DiscoveryScreen /> },
      { path: 'provisioning', element: <ProvisioningScreen /> },
      { path: 'load', element: <LoadScreen /> },
      { path: 'operations', element: <OperationsScreen /> },
    ],
  },
]);

/** An alert from the service: a toast in the page, and a desktop notification in the app. */
function showAlert(a: { kind: string; message: string }) {
  const title = a.kind === 'store-recovered' ? 'Store recovered' : `Alert: ${a.kind}`;
  notifications.show({ title, message: a.message, color: a.kind === 'store-recovered' ? 'green' : 'red', autoClose: 10_000 });
  void window.ocppEdge?.notify(`OCPP Edge: ${title}`, a.message);
}

function SignedInShell() {
  const qc = useQueryClient();
  useEffect(() => connectEventStream(qc, () => void qc.invalidateQueries({ queryKey: ['session'] }), showAlert), [qc]);
  const out = async () => {
    await signOut().catch(() => {});
    // Nothing of the signed-in view stays in memory; the session query answers "signed out".
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
    await qc.resetQueries({ queryKey: ['session'] });
  };
  return <Layout onSignOut={() => void out()} />;
}

function Gate() {
  const qc = useQueryClient();

  const [linkError, setLinkError] = useState<string | null>(null);
  const [linkDone, setLinkDone] = useState(!linkToken);
  useEffect(() => {
    if (!linkToken) return;
    signIn(linkToken)
      .catch((err: Error) => setLinkError(isUnauthorized(err) ? 'wrong-token' : err.message))
      .finally(() => setLinkDone(true));
  }, []);
  // Asked only once the link's sign-in is through, so the answer is about the new cookie.
  const session = useSignInState(linkDone);
  if (!linkDone || session.isPending) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  const err = session.error;
  if (isUnauthorized(err)) {
    return <SignIn reason={linkError ?? err.reason} onSignedIn={() => void qc.resetQueries({ queryKey: ['session'] })} />;
  }
  // Signed in before: a re-check that cannot reach the service (it is restarting) keeps the screens; their banner says so.
  if (err && !session.data) {
    return (
      <Center mih="100vh" p="md">
        <ErrorNotice error={err} title="Cannot reach OCPP Edge" />
      </Center>
    );
  }
  return <RouterProvider router={router} />;
}

export function App() {
  const [qc] = useState(() => createQueryClient(() => void qc.invalidateQueries({ queryKey: ['session'] })));
  return (
    <QueryClientProvider client={qc}>
      <Gate />
    </QueryClientProvider>
  );
}
