import { Button, Center, Stack } from '@mantine/core';
import { Component, type ReactNode } from 'react';
import { ErrorNotice } from './ErrorNotice';

/** A render failure anywhere shows what happened and a way out, never a blank page. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <Center mih="100vh" p="md">
        <Stack>
          <ErrorNotice
            error={new Error(`The page failed to show: ${this.state.error.message}. Reload; if it happens again, note what you clicked and check the service log.`)}
            title="Something went wrong"
          />
          <Button onClick={() => location.reload()}>Reload</Button>
        </Stack>
      </Center>
    );
  }
}
