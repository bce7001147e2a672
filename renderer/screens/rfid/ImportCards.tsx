import { Alert, Button, FileInput, Group, Stack, Table, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import type { ImportReport } from '../../api/models';
import { useImportCards } from '../../api/queries';
import { ErrorNotice } from '../../components/ErrorNotice';

/**
 * CSV import in two steps: the service checks every row and shows the report; nothing is
 * imported until the valid rows are confirmed.
 */
export function ImportCards() {
  const [csv, setCsv] = useState('');
  const [preview, setPreview] = useState<ImportReport | null>(null);
  const run = useImportCards();
  const load = async (file: File | null) => {
    setPreview(null);
    setCsv(file ? await file.text() : '');
  };
  const check = () => run.mutate({ csv, commit: false }, { onSuccess: setPreview });
  const confirm = () =>
    run.mutate(
      { csv, commit: true },
      {
        onSuccess: (r) => {
          setPreview(null);
          setCsv('');
          setDone(r);
        },
      },
    );
  const [done, setDone] = useState<ImportReport | null>(null);
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        First row names the columns: tagId, status (Active or Blocked), validUntil (e.g. 2027-12-31T23:59:59Z), parentIdTag, description.
      </Text>
      <FileInput label="CSV file" placeholder="Choose a .csv file" accept=".csv,text/csv" onChange={(f) => void load(f)} clearable />
      <Textarea
        label="CSV text"
        autosize
        minRows={3}
        maxRows={10}
        value={csv}
        onChange={(e) => {
          setCsv(e.currentTarget.value);
          setPreview(null);
        }}
      />
      <Group>
        <Button onClick={check} disabled={!csv.trim()} loading={run.isPending && !preview}>
          Check file
        </Button>
        {preview && (
          <Button color="green" onClick={confirm} disabled={!preview.valid} loading={run.isPending}>
            Import {preview.valid} valid card{preview.valid === 1 ? '' : 's'}
            {preview.invalid ? ` (skip ${preview.invalid} bad row${preview.invalid === 1 ? '' : 's'})` : ''}
          </Button>
        )}
      </Group>
      {run.isError && <ErrorNotice error={run.error} title="The file cannot be imported" />}
      {done && (
        <Alert color="green" role="status" withCloseButton onClose={() => setDone(null)}>
          Imported {done.imported} card{done.imported === 1 ? '' : 's'}.
        </Alert>
      )}
      {preview && (
        <>
          <Text role="status">
            Preview: {preview.valid} valid, {preview.invalid} with errors. Nothing is imported until you confirm.
          </Text>
          <Table aria-label="Import preview">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Line</Table.Th>
                <Table.Th>Tag</Table.Th>
                <Table.Th>Result</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {preview.rows.map((r) => (
                <Table.Tr key={r.line} c={r.ok ? undefined : 'red'}>
                  <Table.Td>{r.line}</Table.Td>
                  <Table.Td>{r.tagId || '—'}</Table.Td>
                  <Table.Td>{r.ok ? 'ok' : `line ${r.line}: ${r.error}`}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Stack>
  );
}
