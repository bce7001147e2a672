import { Anchor, Box, Group, Select, Stack, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { Charger } from '../../api/models';
import { type ChargerFilter, useChargerPages } from '../../api/queries';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { OnlineBadge, StatusBadge } from '../../components/StatusBadge';
import classes from './Chargers.module.css';

const COLUMNS: Array<{ key: string; label: string; sort?: ChargerFilter['sort'] }> = [
  { key: 'id', label: 'Charger', sort: 'chargePointId' },
  { key: 'online', label: 'Connection', sort: 'online' },
  { key: 'connectors', label: 'Connectors' },
  { key: 'vendor', label: 'Vendor / model', sort: 'vendor' },
  { key: 'firmware', label: 'Firmware', sort: 'firmwareVersion' },
  { key: 'ip', label: 'IP', sort: 'ipAddress' },
  { key: 'group', label: 'Group', sort: 'targetGroup' },
  { key: 'seen', label: 'Last seen', sort: 'lastSeen' },
];
const ROW_PX = 44;

const ago = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');

function Row({ c }: { c: Charger }) {
  return (
    <>
      <div role="cell">
        <Anchor component={Link} to={`/chargers/${encodeURIComponent(c.chargePointId)}`} fw={600}>
          {c.chargePointId}
        </Anchor>
      </div>
      <div role="cell">
        <OnlineBadge online={c.isConnected} />
      </div>
      <div role="cell" className={classes.connectors}>
        {c.connectors.length ? (
          c.connectors.filter((k) => k.connectorId > 0).map((k) => <StatusBadge key={k.connectorId} status={k.status} label={`#${k.connectorId}`} />)
        ) : (
          <Text c="dimmed">none reported</Text>
        )}
      </div>
      <div role="cell">{[c.vendor, c.model].filter(Boolean).join(' ') || '—'}</div>
      <div role="cell">{c.firmwareVersion ?? '—'}</div>
      <div role="cell">{c.ipAddress ?? c.remoteAddress ?? '—'}</div>
      <div role="cell">{c.targetGroup ?? '—'}</div>
      <div role="cell">{ago(c.lastSeen)}</div>
    </>
  );
}

/** Every charger, filtered and sorted by the server, rows virtualised (5,000 stay fast). */
export function ChargersScreen() {
  const [q, setQ] = useState('');
  const [debouncedQ] = useDebouncedValue(q, 250);
  const [group, setGroup] = useState<string | null>(null);
  const [state, setState] = useState<string | null>(null);
  const [sort, setSort] = useState<{ key: string; dir: 'asc' | 'desc' }>({ key: 'chargePointId', dir: 'asc' });
  const filter = useMemo(() => ({ q: debouncedQ, group: group ?? '', state: state ?? '', sort: sort.key, dir: sort.dir }), [debouncedQ, group, state, sort]);
  const pages = useChargerPages(filter);
  const rows = useMemo(() => pages.data?.pages.flatMap((p) => p.items) ?? [], [pages.data]);
  const first = pages.data?.pages[0];
  const total = first?.total ?? 0;
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: total, getScrollElement: () => scroller.current, estimateSize: () => ROW_PX, overscan: 10 });
  const items = virtual.getVirtualItems();
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    if (last >= rows.length - 20 && pages.hasNextPage && !pages.isFetchingNextPage) void pages.fetchNextPage();
  }, [last, rows.length, pages]);

  const toggleSort = (key: string) => setSort((s) => ({ key, dir: s.key === key && s.dir === 'asc' ? 'desc' : 'asc' }));

  return (
    <Stack>
      <Title order={2}>Chargers</Title>
      <Group align="end">
        <TextInput label="Search" placeholder="id, vendor, model, IP, serial, firmware" value={q} onChange={(e) => setQ(e.currentTarget.value)} w={320} />
        <Select label="Group" placeholder="All groups" clearable data={[...(first?.groups ?? []), '(none)']} value={group} onChange={setGroup} />
        <Select
          label="State"
          placeholder="All states"
          clearable
          data={[
            { value: 'online', label: 'Online' },
            { value: 'offline', label: 'Offline' },
            { value: 'faulted', label: 'Faulted' },
            { value: 'charging', label: 'Charging' },
          ]}
          value={state}
          onChange={setState}
        />
        <Text c="dimmed" aria-live="polite">
          {total} charger{total === 1 ? '' : 's'}
        </Text>
      </Group>
      {pages.isError && <ErrorNotice error={pages.error} title="Cannot load chargers" />}
      {first &&
        total === 0 &&
        (filter.q || filter.group || filter.state ? (
          <EmptyState title="No charger matches">Clear the search or the filters to see every charger.</EmptyState>
        ) : (
          <EmptyState title="No chargers yet">
            Point a charger at ws://{location.hostname}:{location.port || 80}/ocpp/&lt;id&gt; (this PC's LAN address); it is listed here as soon as it connects.
          </EmptyState>
        ))}
      <Box role="table" aria-label="Chargers" aria-rowcount={total + 1} className={classes.table}>
        <div role="rowgroup">
          <div role="row" className={classes.row}>
            {COLUMNS.map((col) => (
              <div role="columnheader" key={col.key} aria-sort={col.sort === sort.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
                {col.sort ? (
                  <UnstyledButton onClick={() => toggleSort(col.sort!)} fw={600}>
                    {col.label} {col.sort === sort.key ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
                  </UnstyledButton>
                ) : (
                  <Text fw={600}>{col.label}</Text>
                )}
              </div>
            ))}
          </div>
        </div>
        <div ref={scroller} className={classes.scroller} role="rowgroup">
          <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
            {items.map((v) => {
              const c = rows[v.index];
              return (
                <div
                  role="row"
                  aria-rowindex={v.index + 2}
                  key={v.key}
                  className={classes.row}
                  style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_PX, transform: `translateY(${v.start}px)` }}
                >
                  {c ? (
                    <Row c={c} />
                  ) : (
                    <div role="cell">
                      <Text c="dimmed">loading…</Text>
                    </div>
                  )}
                </div>
              );
            })}
          </div>
        </div>
      </Box>
    </Stack>
  );
}
