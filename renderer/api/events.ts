import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import { client } from './client';

import { applyLoadEvents } from './load';
import type { Charger, ChargerDetail, ChargerPage, ConnectorState, Provisioning, ProvisioningStep } from './models';

/**
 * The /api/events WebSocket: keeps the query cache live. Events are buffered and applied once
 * per animation frame (a burst of 500 status changes is one cache update, one render); list and
 * figure refetches that events make stale are batched at most every REFETCH_MS.
 */
type LiveEvent = { event: string; data: Record<string, unknown> };
export type StreamState = 'connecting' | 'open' | 'down';

const REFETCH_MS = 500;
const MARK = 'ocpp-edge:events-applied';
const MAX_MARKS = 10_000;
let marks = 0;
const MAX_BACKOFF_MS = 10_000;

let state: StreamState = 'connecting';
const listeners = new Set<() => void>();
const setState = (s: StreamState) => {
  if (s === state) return;
  state = s;
  for (const l of listeners) l();
};
export const streamState = {
  get: (): StreamState => state,
  subscribe: (l: () => void) => {
    listeners.add(l);
    return () => void listeners.delete(l);
  },
};

function patchConnectors(list: ConnectorState[], e: Record<string, unknown>): ConnectorState[] {
  const next: ConnectorState = {
    connectorId: e.connectorId as number,
    status: e.status as string,
    errorCode: e.errorCode as string,
    info: (e.info as string) ?? null,
    statusAt: e.timestamp as string,
  };
  const found = list.some((k) => k.connectorId === next.connectorId);
  return found ? list.map((k) => (k.connectorId === next.connectorId ? { ...k, ...next } : k)) : [...list, next].sort((a, b) => a.connectorId - b.connectorId);
}

/** Applies a frame's worth of events to the cached charger pages and details. */
function applyToChargers(qc: QueryClient, batch: LiveEvent[]): void {
  type Patch = (c: Charger) => Charger;
  const byCp = new Map<string, Patch[]>();
  const add = (cp: string, f: Patch) => (byCp.get(cp) ?? byCp.set(cp, []).get(cp)!).push(f);
  for (const { event, data } of batch) {
    const cp = data.chargePointId as string | undefined;
    if (!cp) continue;
    if (event === 'connector.status') add(cp, (c) => ({ ...c, connectors: patchConnectors(c.connectors ?? [], data) }));
    else if (event === 'charger.connected') add(cp, (c) => ({ ...c, isConnected: true, lastSeen: data.at as string, remoteAddress: data.remoteAddress as string }));
    else if (event === 'charger.disconnected') add(cp, (c) => ({ ...c, isConnected: false, lastSeen: data.at as string }));
  }
  if (!byCp.size) return;
  const patch = <T extends Charger>(c: T): T => (byCp.get(c.chargePointId) ?? []).reduce((acc, f) => f(acc), c as Charger) as T;
  qc.setQueriesData<InfiniteData<ChargerPage>>(
    { queryKey: ['chargers'] },
    (old) => old?.pages && { ...old, pages: old.pages.map((p) => ({ ...p, items: p.items.map((c) => (byCp.has(c.chargePointId) ? patch(c) : c)) })) },
  );
  for (const cp of byCp.keys()) qc.setQueryData<ChargerDetail>(['charger', cp], (old) => old && patch(old));
}

/** Issue 11: a scan's progress comes whole in each discovery.scan; provisioning steps are appended. */
function applyInstallerEvents(qc: QueryClient, batch: LiveEvent[]): void {
  for (const { event, data } of batch) {
    if (event === 'discovery.scan') qc.setQueryData(['scan', data.id], data);
    else if (event === 'provisioning.step') {
      qc.setQueryData<Provisioning>(['provisioning', data.chargePointId], (old) => old && { ...old, steps: [...old.steps, data as unknown as ProvisioningStep] });
    }
  }
}

/** Query keys an event makes stale (refetched, not patched: they are aggregates). */
function staleKeys(e: LiveEvent): unknown[][] {
  const cp = e.data.chargePointId as string | undefined;
  switch (e.event) {
    case 'charger.connected':
    case 'charger.disconnected':
    case 'charger.booted':
      // A new charger appears in the list; a boot fills vendor/model/firmware.
      return [['summary'], ['chargers'], ...(cp ? [['charger', cp]] : [])];
    case 'connector.status':
      return [['summary'], ...(cp ? [['status-history', cp]] : [])];
    case 'transaction.started':
    case 'transaction.stopped':
      return [['summary'], ['sessions'], ...(cp ? [['charger-sessions', cp]] : [])];
    case 'meter.values':
      return [['summary'], ['sessions'], ['meter-values', e.data.transactionId], ...(cp ? [['charger-sessions', cp]] : [])];
    case 'command.result':
      return [['audit'], ...(cp ? [['messages', cp]] : [])];
    case 'sync.parked':
      return [['sync-parked']];
    case 'sync.authList':
      return [['rfid']];
    case 'discovery.device':
      return [['devices']];
    case 'discovery.scan':
      // At the end a scan marks what it missed as gone.
      return e.data.state === 'running' ? [] : [['devices']];
    case 'alert':
    case 'security.lockout':
      return [['summary'], ['lockouts'], ['alerts']];
    default:
      return [];
  }
}

/** Connects and keeps reconnecting (with backoff) until the returned stop() is called. */
export function connectEventStream(qc: QueryClient, onUnauthorized: () => void, onAlert: (a: { kind: string; message: string }) => void): () => void {
  let ws: WebSocket | null = null;
  let stopped = false;
  let retry = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let frame = 0;
  let buffer: LiveEvent[] = [];
  const stale = new Map<string, unknown[]>();
  let refetchTimer: ReturnType<typeof setTimeout> | undefined;

  const refetchStale = () => {
    refetchTimer = undefined;
    for (const key of stale.values()) void qc.invalidateQueries({ queryKey: key });
    stale.clear();
  };
  const flush = () => {
    frame = 0;
    const batch = buffer;
    buffer = [];
    // One User Timing mark per cache update: visible in a DevTools profile, counted by the tests.
    // Marks are kept until cleared: the last MAX_MARKS at most, for a page open all day.
    if (++marks > MAX_MARKS) {
      performance.clearMarks(MARK);
      marks = 1;
    }
    performance.mark(MARK, { detail: batch.length });
    applyToChargers(qc, batch);
    applyLoadEvents(qc, batch);
    // The sync state comes whole in each sync.status event: the frame's last one is the state.
    let sync: LiveEvent | undefined;
    for (const e of batch) if (e.event === 'sync.status') sync = e;
    if (sync) qc.setQueryData(['sync'], sync.data);
    applyInstallerEvents(qc, batch);
    for (const e of batch) if (e.event === 'alert') onAlert(e.data as { kind: string; message: string });
    for (const e of batch) for (const k of staleKeys(e)) stale.set(JSON.stringify(k), k);
    if (stale.size && !refetchTimer) refetchTimer = setTimeout(refetchStale, REFETCH_MS);
  };
  const open = () => {
    // After a loss the banner stays up through the retries until a stream is open again (no flicker, no window a reader misses).
    if (retry === 0) setState('connecting');
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/events`);
    ws = socket;
    socket.onopen = () => {
      retry = 0;
      setState('open');
      // Whatever happened while the stream was down is fetched once.
      void qc.invalidateQueries();
    };
    socket.onmessage = (m) => {
      buffer.push(JSON.parse(String(m.data)) as LiveEvent);
      if (!frame) frame = requestAnimationFrame(flush);
    };
    socket.onclose = () => {
      if (ws !== socket || stopped) return;
      setState('down');
      // A refused upgrade and a stopped service look alike here: ask the session route which.
      void client
        .GET('/api/session')
        .then((r) => r.response.status === 401 && onUnauthorized())
        .catch(() => {});
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** retry++);
      timer = setTimeout(open, delay);
    };
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    clearTimeout(refetchTimer);
    if (frame) cancelAnimationFrame(frame);
    ws?.close();
  };
}
