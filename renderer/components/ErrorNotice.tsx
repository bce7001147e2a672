import { Alert } from '@mantine/core';
import { ApiError } from '../api/client';

/** Any failure as a sentence a person can act on; never a blank area. */
export function ErrorNotice({ error, title = 'Something went wrong' }: { error: unknown; title?: string }) {
  const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  return (
    <Alert color="red" title={title} role="alert">
      {message}
    </Alert>
  );
}
