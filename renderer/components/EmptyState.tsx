import { Paper, Text } from '@mantine/core';

/** What an empty list means and what to do next. */
export function EmptyState({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Paper withBorder p="lg" radius="md">
      <Text fw={600}>{title}</Text>
      <Text c="dimmed" size="sm" mt={4}>
        {children}
      </Text>
    </Paper>
  );
}
