import { Pagination, Table, type TableProps, type TableTdProps } from '@mantine/core';
import type { ReactNode } from 'react';

export interface Column<T> {
  /** Header text, unique in its table ('' for a column of buttons). */
  header: string;
  cell: (row: T) => ReactNode;
  /** Props of this column's cells, e.g. ff="monospace". */
  td?: TableTdProps;
  /** The column's width (set on its header cell). */
  w?: number;
}

/** A pager under the table: `total` pages, the current one, and the pager's accessible name. */
export interface Pages {
  total: number;
  page: number;
  onChange: (page: number) => void;
  label: string;
}

interface DataTableProps<T> extends Omit<TableProps, 'children' | 'data'> {
  /** The table's accessible name (tests and screen readers find it by it). */
  label: string;
  columns: ReadonlyArray<Column<T>>;
  rows: readonly T[];
  rowKey: (row: T, index: number) => string | number;
  /** Shown instead of the table when there are no rows (null: nothing); without it the headers stay. */
  empty?: ReactNode;
  pages?: Pages;
}

/** The list screens' table: a header row, one row per item, what an empty list says, and an optional pager. */
export function DataTable<T>({ label, columns, rows, rowKey, empty, pages, ...table }: DataTableProps<T>) {
  const body =
    rows.length === 0 && empty !== undefined ? (
      empty
    ) : (
      <Table aria-label={label} {...table}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((c) => (
              <Table.Th key={c.header} w={c.w}>
                {c.header}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row, i) => (
            <Table.Tr key={rowKey(row, i)}>
              {columns.map((c) => (
                <Table.Td key={c.header} {...c.td}>
                  {c.cell(row)}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    );
  return (
    <>
      {body}
      {pages && <Pagination total={pages.total} value={pages.page} onChange={pages.onChange} aria-label={pages.label} />}
    </>
  );
}
