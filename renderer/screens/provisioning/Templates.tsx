import { Button, Checkbox, Group, Paper, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { useDeleteTemplate, useSaveTemplate, useTemplates } from '../../api/installer';
import type { TemplateDraft } from '../../api/models';
import { ErrorNotice } from '../../components/ErrorNotice';

const toText = (keys: Record<string, string>) =>
  Object.entries(keys)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');

/** "Key=Value" per line, in the order they are sent; a line without "=" is the form's error. */
function parseKeys(text: string): Record<string, string> | string {
  const keys: Record<string, string> = {};
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const eq = line.indexOf('=');
    if (eq < 1) return `line ${i + 1}: write Key=Value`;
    keys[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return keys;
}

function TemplateEditor({ initial, onDone }: { initial: TemplateDraft; onDone: () => void }) {
  const save = useSaveTemplate();
  const [group, setGroup] = useState(initial.targetGroup);
  const [keys, setKeys] = useState(toText(initial.keys));
  const [sendLocalList, setSendLocalList] = useState(initial.sendLocalList);
  const [parseError, setParseError] = useState<string | null>(null);
  const err = save.error instanceof ApiError ? save.error : null;
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const parsed = parseKeys(keys);
    setParseError(typeof parsed === 'string' ? parsed : null);
    if (typeof parsed !== 'string') save.mutate({ targetGroup: group.trim(), keys: parsed, sendLocalList }, { onSuccess: onDone });
  };
  return (
    <Stack component="form" onSubmit={submit} aria-label="Edit template">
      <TextInput
        label="Target group"
        value={group}
        onChange={(e) => setGroup(e.currentTarget.value)}
        disabled={!!initial.targetGroup}
        error={err?.field === 'group' ? err.message : undefined}
        required
      />
      <Textarea
        label="Keys (Key=Value per line, sent in this order)"
        description="AuthorizationKey=generate gives each charger its own key"
        autosize
        minRows={4}
        value={keys}
        onChange={(e) => setKeys(e.currentTarget.value)}
        error={parseError ?? (err?.field?.startsWith('keys') ? err.message : undefined)}
        styles={{ input: { fontFamily: 'monospace' } }}
      />
      <Checkbox label="Then send the local authorization list" checked={sendLocalList} onChange={(e) => setSendLocalList(e.currentTarget.checked)} />
      {err && !err.field?.startsWith('keys') && err.field !== 'group' && <ErrorNotice error={err} title="Template not saved" />}
      <Group>
        <Button type="submit" loading={save.isPending}>
          Save template
        </Button>
        <Button variant="subtle" onClick={onDone}>
          Cancel
        </Button>
      </Group>
    </Stack>
  );
}

/** Issue 11: the ChangeConfiguration keys applied per target group at a charger's first boot. */
export function TemplatesCard() {
  const templates = useTemplates();
  const remove = useDeleteTemplate();
  const [editing, setEditing] = useState<TemplateDraft | null>(null);
  return (
    <Paper withBorder p="md" aria-label="Templates">
      <Group justify="space-between">
        <Title order={3}>Templates per target group</Title>
        <Button variant="light" onClick={() => setEditing({ targetGroup: '', keys: { HeartbeatInterval: '60' }, sendLocalList: true })}>
          New template
        </Button>
      </Group>
      {templates.isError && <ErrorNotice error={templates.error} title="Cannot load the templates" />}
      {remove.isError && <ErrorNotice error={remove.error} title="Template not deleted" />}
      {editing && <TemplateEditor key={editing.targetGroup} initial={editing} onDone={() => setEditing(null)} />}
      {templates.data?.length === 0 && !editing && (
        <Text c="dimmed" size="sm">
          No templates: chargers get no configuration at first boot.
        </Text>
      )}
      {!!templates.data?.length && (
        <Table mt="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Target group</Table.Th>
              <Table.Th>Keys</Table.Th>
              <Table.Th>Local list</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {templates.data.map((t) => (
              <Table.Tr key={t.targetGroup}>
                <Table.Td>{t.targetGroup}</Table.Td>
                <Table.Td ff="monospace" style={{ whiteSpace: 'pre-line' }}>
                  {toText(t.keys)}
                </Table.Td>
                <Table.Td>{t.sendLocalList ? 'sent' : 'not sent'}</Table.Td>
                <Table.Td>
                  <Group gap="xs">
                    <Button size="xs" variant="light" onClick={() => setEditing(t)} aria-label={`Edit template ${t.targetGroup}`}>
                      Edit
                    </Button>
                    <Button size="xs" color="red" variant="subtle" onClick={() => remove.mutate(t.targetGroup)} aria-label={`Delete template ${t.targetGroup}`}>
                      Delete
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}
