import type { QueryClient } from '@tanstack/react-query';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type Answer, client, unwrap } from './client';
import type { LoadState } from './models';
import { useInvalidating } from './queries';
import type { paths } from './schema';

/** Load management (issue 13): the state in force, its settings, and the live patches. */

/** The latest over-limit alert (raised or cleared), from the event stream; the standing one is also in /api/alerts. */
export type LoadAlert = Answer<'/api/alerts'>[number] & { kind: 'load-over-limit' | 'load-over-limit-cleared' };

export type SiteBody = NonNullable<paths['/api/load/site']['put']['requestBody']>['content']['application/json'];
export type CircuitBody = NonNullable<paths['/api/load/circuits']['post']['requestBody']>['content']['application/json'];

const LOAD = ['load'];
export const useLoad = () => useQuery({ queryKey: LOAD, queryFn: () => unwrap(client.GET('/api/load')) });
export const useCircuits = () => useQuery({ queryKey: ['load-circuits'], queryFn: () => unwrap(client.GET('/api/load/circuits')) });
export const useTagPriorities = () => useQuery({ queryKey: ['load-tags'], queryFn: () => unwrap(client.GET('/api/load/tags')) });
const ALERT = ['load-alert'];
/** Fed only by the event stream; a refetch (the stream reconnecting) keeps what it holds. */
export const useLoadAlert = () => {
  const qc = useQueryClient();
  return useQuery<LoadAlert | null>({ queryKey: ALERT, queryFn: () => qc.getQueryData<LoadAlert>(ALERT) ?? null, staleTime: Number.POSITIVE_INFINITY });
};

export const useSetSite = () => useInvalidating((body: SiteBody) => unwrap(client.PUT('/api/load/site', { body })), [LOAD]);
const CIRCUIT_KEYS = [LOAD, ['load-circuits']];
export const useCreateCircuit = () => useInvalidating((body: CircuitBody) => unwrap(client.POST('/api/load/circuits', { body })), CIRCUIT_KEYS);
export const useUpdateCircuit = () =>
  useInvalidating(({ id, body }: { id: number; body: Partial<CircuitBody> }) => unwrap(client.PATCH('/api/load/circuits/{id}', { params: { path: { id: String(id) } }, body })), CIRCUIT_KEYS);
export const useDeleteCircuit = () => useInvalidating((id: number) => unwrap(client.DELETE('/api/load/circuits/{id}', { params: { path: { id: String(id) } } })), CIRCUIT_KEYS);
export const useSetChargerPriority = () =>
  useInvalidating(({ cpId, priority }: { cpId: string; priority: number | null }) => unwrap(client.PUT('/api/load/chargers/{cpId}', { params: { path: { cpId } }, body: { priority } })), [LOAD]);
export const useSetTagPriority = () =>
  useInvalidating(
    ({ idTag, priority }: { idTag: string; priority: number | null }) => unwrap(client.PUT('/api/load/tags/{idTag}', { params: { path: { idTag } }, body: { priority } })),
    [['load-tags']],
  );

type LoadEvent = { event: string; data: Record<string, unknown> };

/**
 * A frame's load events into the cache: the last load.allocation is the whole state; each
 * load.measured after it patches one charger's draw and the site total. One cache write per frame.
 */
export function applyLoadEvents(qc: QueryClient, batch: LoadEvent[]): void {
  let next = qc.getQueryData<LoadState>(LOAD);
  let changed = false;
  for (const { event, data } of batch) {
    if (event === 'load.allocation') next = data as unknown as LoadState;
    else if (event === 'load.measured' && next) {
      const m = data as { chargePointId: string; measuredAmps: number; siteMeasuredAmps: number; siteLimitAmps: number | null; at: string };
      const chargers = next.chargers.map((c) => (c.chargePointId === m.chargePointId ? { ...c, measuredAmps: m.measuredAmps } : c));
      next = { ...next, chargers, measuredAmps: m.siteMeasuredAmps, siteLimitAmps: m.siteLimitAmps, at: m.at };
    } else if (event === 'alert' && String(data.kind).startsWith('load-over-limit')) qc.setQueryData(ALERT, data);
    else continue;
    changed ||= event !== 'alert';
  }
  if (changed && next) qc.setQueryData(LOAD, next);
}
