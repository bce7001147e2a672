import { Type } from '@sinclair/typebox';
import type { BackupScheduler } from '../../scheduler/backups.js';
import { Created } from '../http-server.js';
import { Backup } from '../responses/operations.js';
import { HttpError, type Route } from '../router.js';

export function backupRoutes(backups: BackupScheduler): Route[] {
  return [
    { method: 'GET', path: '/api/backups', response: Type.Array(Backup), summary: 'Database backups, newest first', handler: () => backups.list() },
    {
      method: 'POST',
      path: '/api/backups',
      response: Backup,
      summary: 'Run an online database backup now',
      created: true,
      handler: async () => {
        try {
          return new Created(await backups.runNow());
        } catch (err) {
          throw new HttpError(507, `backup failed: ${(err as Error).message}`);
        }
      },
    },
  ];
}
