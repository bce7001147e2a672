import { Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { isUnauthorized } from '../../api/client';
import { signIn } from '../../api/queries';

const REASONS: Record<string, string> = {
  'token-rotated': 'The API token was rotated, which signed everyone out. Sign in with the new token.',
  expired: 'Your session expired. Sign in again.',
  'wrong-token': 'The sign-in link carried a wrong API token (an old link, or the token was rotated). Enter the current token.',
};

/** Asks for the API token once; the service answers with a session cookie. */
export function SignIn({ reason, onSignedIn }: { reason?: string | undefined; onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(token.trim());
      onSignedIn();
    } catch (err) {
      setError(
        isUnauthorized(err)
          ? 'Wrong API token. Use the token printed when the service first started (or the one it was started with); an administrator can issue a new one with --rotate-token.'
          : (err as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" radius="md" w={440} component="main">
        <form onSubmit={submit}>
          <Stack>
            <Title order={2}>Sign in to OCPP Edge</Title>
            {reason && REASONS[reason] && (
              <Text c="orange.8" role="status">
                {REASONS[reason]}
              </Text>
            )}
            <PasswordInput
              label="API token"
              description="Printed by npm run serve on its first start"
              value={token}
              onChange={(e) => setToken(e.currentTarget.value)}
              error={error}
              required
              autoFocus
            />
            <Button type="submit" loading={busy}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
