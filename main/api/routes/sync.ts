import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import { SyncNotConfiguredError, type SyncService } from '../../sync/service.js';
import { ParkedRecord, ParkedResolved, SyncRun, SyncStatus } from '../responses/sync.js';
import { HttpError, type Route } from '../router.js';
import { intParam } from './params.js';

/** Head-office sync (issue 10): state, "sync now", and the records head office rejected. */
export function syncRoutes(sync: SyncService): Route[] {
  const idOf = (raw: string) => {
    const id = Number(raw);
    if (!Number.isSafeInteger(id) || id < 1) throw new HttpError(400, `record id "${raw}" is not a positive integer`, 'id');
    return id;
  };
  const resolve = async (raw: string, action: 'retry' | 'dismiss') => {
    const id = idOf(raw);
    if (!(await sync.resolveParked(id, action))) throw new HttpError(404, `no parked record ${id}`, 'id');
    return { id, action, status: sync.status() };
  };
  return [
    {
      method: 'GET',
      path: '/api/sync',
      response: SyncStatus,
      summary: 'Head-office sync state: pending count, oldest pending age, parked count, last success and error, backoff, next nightly run, running sync progress, last run',
      // Typed by its schema: a field the schema names that SyncStatus lacks or types otherwise fails the build (test/ui/api-responses catches the other way).
      handler: (): Static<typeof SyncStatus> => sync.status(),
    },
    {
      method: 'POST',
      path: '/api/sync/run',
      response: SyncRun,
      summary: 'Sync now: upload everything pending, send the day manifests, pull the auth list and push it to connected chargers; answers the run result (409 when head office is not configured)',
      handler: async () => {
        try {
          return (await sync.run('manual')) satisfies Static<typeof SyncRun>;
        } catch (err) {
          if (err instanceof SyncNotConfiguredError) throw new HttpError(409, err.message);
          throw err;
        }
      },
    },
    {
      method: 'GET',
      path: '/api/sync/parked',
      response: Type.Array(ParkedRecord),
      summary: 'Records head office rejected, with its reason (limit, offset); they are not retried until retried here',
      handler: ({ query }) => sync.parked(intParam(query, 'limit', 100, 1, 1000), intParam(query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER)),
    },
    { method: 'POST', path: '/api/sync/parked/:id/retry', response: ParkedResolved, summary: 'Queue a parked record for upload again', handler: ({ params }) => resolve(params.id!, 'retry') },
    {
      method: 'POST',
      path: '/api/sync/parked/:id/dismiss',
      response: ParkedResolved,
      summary: 'Give up on a parked record (it stays in the store, marked dismissed)',
      handler: ({ params }) => resolve(params.id!, 'dismiss'),
    },
  ];
}
