import type { Db } from '../../store/db.js';
import { listSessions } from '../../store/queries/transactions.js';
import { SessionPage } from '../responses/sessions.js';
import type { Route } from '../router.js';
import { enumParam, intParam, isoParam } from './params.js';

/** Seed 001 charging sessions, newest first, paginated (limit/offset) and filterable. */
export function sessionRoutes(db: Db): Route[] {
  const list = (query: URLSearchParams, chargePointId?: string) => {
    const stationFilter = chargePointId ?? query.get('station') ?? undefined;
    const idTag = query.get('idTag') ?? undefined;
    const status = enumParam(query, 'status', ['Active', 'Completed'] as const);
    const from = isoParam(query, 'from');
    const to = isoParam(query, 'to');
    return listSessions(db, {
      ...(stationFilter && { chargePointId: stationFilter }),
      ...(idTag && { idTag }),
      ...(status && { status }),
      ...(from && { from }),
      ...(to && { to }),
      limit: intParam(query, 'limit', 100, 1, 10000),
      offset: intParam(query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER),
    });
  };
  return [
    {
      method: 'GET',
      path: '/api/sessions',
      response: SessionPage,
      summary: 'List sessions (filters: station, idTag ignoring case, status, from/to on the start time, ISO 8601, no offset = UTC; limit, offset)',
      handler: ({ query }) => list(query),
    },
    { method: 'GET', path: '/api/sessions/station/:cpId', response: SessionPage, summary: 'Sessions of one station', handler: ({ query, params }) => list(query, params.cpId!) },
  ];
}
