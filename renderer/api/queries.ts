import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, isUnauthorized, unwrap, withQuery } from './client';
import type { paths } from './schema';

/** Every server read and write of the UI, as query-cache hooks. Components never fetch. */

/** Signed in or not (401, with the reason). An unreachable or failing service is asked again every 2 s: the page reconnects by itself. */
export const useSignInState = (enabled: boolean) =>
  useQuery({
    queryKey: ['session'],
    enabled,
    queryFn: () => unwrap(client.GET('/api/session')),
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
    refetchInterval: (q) => (q.state.status === 'error' && !isUnauthorized(q.state.error) ? 2000 : false),
  });

export const signIn = (token: string) => unwrap(client.POST('/api/session', { body: { token } }));
export const signOut = () => unwrap(client.DELETE('/api/session'));

export const useSummary = () => useQuery({ queryKey: ['summary'], queryFn: () => unwrap(client.GET('/api/ui/summary')) });

export interface ChargerFilter {
  q: string;
  group: string;
  state: string;
  sort: string;
  dir: 'asc' | 'desc';
}
const PAGE = 200;

/** The charger table: server pages of 200, fetched as the virtual rows scroll to them. */
export const useChargerPages = (f: ChargerFilter) =>
  useInfiniteQuery({
    queryKey: ['chargers', f],
    initialPageParam: 0,
    queryFn: ({ pageParam }) => unwrap(client.GET('/api/ui/chargers', withQuery({ ...f, limit: PAGE, offset: pageParam }))),
    getNextPageParam: (last, all) => {
      const loaded = all.reduce((n, p) => n + p.items.length, 0);
      return loaded < last.total ? loaded : undefined;
    },
    placeholderData: keepPreviousData,
  });

export const useCharger = (cpId: string) => useQuery({ queryKey: ['charger', cpId], queryFn: () => unwrap(client.GET('/api/charger/{cpId}', { params: { path: { cpId } } })) });

type ChargerPatch = NonNullable<paths['/api/charger/{cpId}']['patch']['requestBody']>['content']['application/json'];
export function useUpdateCharger(cpId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ChargerPatch) => unwrap(client.PATCH('/api/charger/{cpId}', { params: { path: { cpId } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['charger', cpId] }),
  });
}

export const useChargerSessions = (cpId: string) =>
  useQuery({
    queryKey: ['charger-sessions', cpId],
    queryFn: () => unwrap(client.GET('/api/sessions/station/{cpId}', { params: { path: { cpId }, query: { status: 'Active' } as never } })),
  });

export const useMeterValues = (transactionId: number | undefined) =>
  useQuery({
    queryKey: ['meter-values', transactionId],
    enabled: transactionId !== undefined,
    queryFn: () => unwrap(client.GET('/api/sessions/{id}/meter-values', { params: { path: { id: String(transactionId) } } })),
  });

export const useMessages = (cpId: string, action: string, page: number, size: number) =>
  useQuery({
    queryKey: ['messages', cpId, action, page],
    queryFn: () => unwrap(client.GET('/api/ui/chargers/{cpId}/messages', { params: { path: { cpId }, query: { action: action || undefined, limit: size, offset: page * size } as never } })),
    placeholderData: keepPreviousData,
  });

export const useStatusHistory = (cpId: string) =>
  useQuery({ queryKey: ['status-history', cpId], queryFn: () => unwrap(client.GET('/api/ui/chargers/{cpId}/status-history', { params: { path: { cpId } } })) });

/** The admin commands by their URL name (start-transaction, reset, ...), answered with the charger's reply. */
export type AdminCommand = keyof paths extends infer K ? (K extends `/api/admin/{cpId}/${infer C}` ? C : never) : never;
export function useCommand(cpId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ command, body }: { command: AdminCommand; body: Record<string, unknown> }) =>
      unwrap(client.POST(`/api/admin/{cpId}/${command}` as '/api/admin/{cpId}/reset', { params: { path: { cpId } }, body: body as never })),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: ['charger', cpId] });
      void qc.invalidateQueries({ queryKey: ['charger-sessions', cpId] });
    },
  });
}

export const useRfidCards = () => useQuery({ queryKey: ['rfid'], queryFn: () => unwrap(client.GET('/api/rfid')) });

export interface SessionFilter {
  station?: string;
  idTag?: string;
  status?: string;
  from?: string;
  to?: string;
}
export const useSessions = (f: SessionFilter, page: number, size: number) =>
  useQuery({
    queryKey: ['sessions', f, page],
    queryFn: () => unwrap(client.GET('/api/sessions', withQuery({ ...f, limit: size, offset: page * size }))),
    placeholderData: keepPreviousData,
  });

/** The CSV export of the same filters: a plain link (the cookie authorises it). */
export const sessionsCsvUrl = (f: SessionFilter): string => `/api/sessions/export.csv?${new URLSearchParams(Object.entries(f).filter(([, v]) => v) as Array<[string, string]>)}`;
export const fetchText = async (url: string): Promise<string> => {
  const r = await fetch(url, { credentials: 'same-origin' }).catch(() => null);
  if (!r?.ok) throw new Error(r ? `export failed (${r.status})` : 'The OCPP Edge service is not reachable.');
  return r.text();
};

export function useInvalidating<A, R>(fn: (a: A) => Promise<R>, keys: unknown[][]) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSettled: () => keys.forEach((k) => void qc.invalidateQueries({ queryKey: k })) });
}

export type NewCard = NonNullable<paths['/api/rfid']['post']['requestBody']>['content']['application/json'];
export const useCreateCard = () => useInvalidating((body: NewCard) => unwrap(client.POST('/api/rfid', { body })), [['rfid']]);
type CardPatch = NonNullable<paths['/api/rfid/{tagId}']['patch']['requestBody']>['content']['application/json'];
export const useUpdateCard = () =>
  useInvalidating(({ tagId, body }: { tagId: string; body: CardPatch }) => unwrap(client.PATCH('/api/rfid/{tagId}', { params: { path: { tagId } }, body })), [['rfid']]);
export const useSetCardStatus = () =>
  useInvalidating(
    ({ tagId, block }: { tagId: string; block: boolean }) =>
      unwrap(block ? client.POST('/api/rfid/{tagId}/block', { params: { path: { tagId } } }) : client.POST('/api/rfid/{tagId}/activate', { params: { path: { tagId } } })),
    [['rfid']],
  );
export const useDeleteCard = () => useInvalidating((tagId: string) => unwrap(client.DELETE('/api/rfid/{tagId}', { params: { path: { tagId } } })), [['rfid']]);

export const useImportCards = () => useInvalidating((body: { csv: string; commit: boolean }) => unwrap(client.POST('/api/ui/rfid/import', { body })), [['rfid']]);

export const useConnectedChargers = () => useQuery({ queryKey: ['chargers', 'connected'], queryFn: () => unwrap(client.GET('/api/stations/connected/list')) });

/** SendLocalList to one charger; the caller runs it per charger to show each answer. */
export const pushLocalList = (cpId: string, updateType: 'Full' | 'Differential') => unwrap(client.POST('/api/admin/{cpId}/send-local-list', { params: { path: { cpId } }, body: { updateType } }));

export const useAudit = (page: number, size: number) =>
  useQuery({ queryKey: ['audit', page], queryFn: () => unwrap(client.GET('/api/audit', withQuery({ limit: size, offset: page * size }))), placeholderData: keepPreviousData });
export const useBackups = () => useQuery({ queryKey: ['backups'], queryFn: () => unwrap(client.GET('/api/backups')) });
export const useRunBackup = () => useInvalidating(() => unwrap(client.POST('/api/backups')), [['backups']]);
export const useLockouts = () => useQuery({ queryKey: ['lockouts'], queryFn: () => unwrap(client.GET('/api/security/lockouts')) });
export const useLiftLockout = () =>
  useInvalidating(({ kind, key }: { kind: string; key: string }) => unwrap(client.DELETE('/api/security/lockouts/{kind}/{key}', { params: { path: { kind, key } } })), [['lockouts'], ['summary']]);
export const rotateToken = () => unwrap(client.POST('/api/token/rotate'));
export const meterValuesCsvUrl = (transactionId: number): string => `/api/sessions/${transactionId}/meter-values.csv`;

export const useSettings = () => useQuery({ queryKey: ['settings'], queryFn: () => unwrap(client.GET('/api/ui/settings')), staleTime: Number.POSITIVE_INFINITY });

/** Head-office sync: the state (kept live by sync.status events), its parked records, "sync now". */
export const useSyncStatus = () => useQuery({ queryKey: ['sync'], queryFn: () => unwrap(client.GET('/api/sync')) });
export const useParkedRecords = () => useQuery({ queryKey: ['sync-parked'], queryFn: () => unwrap(client.GET('/api/sync/parked')) });
export const useSyncNow = () => useInvalidating(() => unwrap(client.POST('/api/sync/run')), [['sync'], ['sync-parked']]);
export const useResolveParked = () =>
  useInvalidating(
    ({ id, action }: { id: number; action: 'retry' | 'dismiss' }) =>
      unwrap(
        action === 'retry'
          ? client.POST('/api/sync/parked/{id}/retry', { params: { path: { id: String(id) } } })
          : client.POST('/api/sync/parked/{id}/dismiss', { params: { path: { id: String(id) } } }),
      ),
    [['sync'], ['sync-parked']],
  );
