import { Type } from '@sinclair/typebox';
import type { AdminWriter } from '../../store/admin-ops.js';
import type { Db } from '../../store/db.js';
import { listAudit } from '../../store/queries/audit.js';
import { listReservations } from '../../store/queries/reservations.js';
import { AuditEntry, NewToken } from '../responses/operations.js';
import type { Route } from '../router.js';
import { rotateApiToken } from '../token.js';
import { intParam } from './params.js';

/** Audit log of commands, reservations, and token rotation. */
export function operationRoutes(db: Db, writer: AdminWriter): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/audit',
      response: Type.Array(AuditEntry),
      summary: 'Commands sent: who, what, when, result (filter: station; limit, offset)',
      handler: ({ query }) => {
        const station = query.get('station') ?? undefined;
        return listAudit(db, { ...(station && { chargePointId: station }), limit: intParam(query, 'limit', 100, 1, 10000), offset: intParam(query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER) });
      },
    },
    {
      method: 'GET',
      path: '/api/reservations',
      summary: 'Reservations (filters: station, status)',
      handler: ({ query }) => {
        const station = query.get('station') ?? undefined;
        const status = query.get('status') ?? undefined;
        return listReservations(db, { ...(station && { chargePointId: station }), ...(status && { status }) });
      },
    },
    {
      method: 'POST',
      path: '/api/token/rotate',
      response: NewToken,
      summary: 'Issue a new API token; the old one stops working at once',
      handler: async () => ({ token: await rotateApiToken(writer) }),
    },
  ];
}
