import { Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { CommandOutcome } from '../api/models';
import { type AdminCommand, useCommand } from '../api/queries';
import { ErrorNotice } from './ErrorNotice';

/** The charger's answer in words: status first, the rest as JSON. */
export function Answer({ outcome }: { outcome: CommandOutcome }) {
  const { status, ...rest } = outcome.response as { status?: string };
  return (
    <Stack gap={2} role="status" aria-label={`${outcome.action} answer`}>
      <Text size="sm">
        Charger answered <b>{status ?? 'OK'}</b>
        {outcome.transactionId != null && (
          <>
            {' '}
            — transaction <b>{outcome.transactionId}</b>
          </>
        )}
        {outcome.note && ` (${outcome.note})`}
      </Text>
      {Object.keys(rest).length > 0 && <Code block>{JSON.stringify(rest, null, 2)}</Code>}
    </Stack>
  );
}

/**
 * One remote command with its answer under it. `confirm` makes it ask first (disruptive
 * commands: reset, unlock, stop, availability).
 */
export function CommandButton({
  cpId,
  command,
  body,
  label,
  confirm,
  disabled,
  color,
}: {
  cpId: string;
  command: AdminCommand;
  body: () => Record<string, unknown>;
  label: string;
  confirm?: string;
  disabled?: boolean;
  color?: string;
}) {
  const run = useCommand(cpId);
  const [asking, { open, close }] = useDisclosure(false);
  const go = () => {
    close();
    run.mutate({ command, body: body() });
  };
  return (
    <Stack gap={4}>
      <Group>
        <Button onClick={confirm ? open : go} loading={run.isPending} disabled={disabled} color={color}>
          {label}
        </Button>
      </Group>
      {run.isError && <ErrorNotice error={run.error} title={`${label} failed`} />}
      {run.data && <Answer outcome={run.data} />}
      {confirm && (
        <Modal opened={asking} onClose={close} title={`${label}?`}>
          <Text mb="md">{confirm}</Text>
          <Group justify="end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button color="red" onClick={go}>
              Yes, {label.toLowerCase()}
            </Button>
          </Group>
        </Modal>
      )}
    </Stack>
  );
}
