import { Type } from '@sinclair/typebox';
import type { EdgeEvents } from '../../events.js';
import type { OcppServer } from '../../ocpp/server.js';
import type { Db } from '../../store/db.js';
import { getCharger } from '../../store/queries/chargers.js';
import { statusHistory } from '../../store/queries/connectors.js';
import { CHARGER_SORTS, CHARGER_STATES, chargerPage, dashboardFigures, messagePage } from '../../store/queries/ui-views.js';
import { ChargerPage, MessagePage, StatusReport } from '../responses/chargers.js';
import { Summary } from '../responses/operations.js';
import { HttpError, type Route } from '../router.js';
import { enumParam, intParam } from './params.js';

/**
 * Views the UI needs and the seed routes do not give: the charger table paged, searched, filtered
 * and sorted on the server (5,000 chargers), the dashboard's figures in one call, a charger's
 * message log paged by action, and its status history.
 */

function pageQuery(query: URLSearchParams) {
  return {
    q: (query.get('q') ?? '').trim(),
    group: query.get('group') ?? '',
    state: enumParam(query, 'state', CHARGER_STATES),
    sort: enumParam(query, 'sort', Object.keys(CHARGER_SORTS) as Array<keyof typeof CHARGER_SORTS>) ?? 'chargePointId',
    dir: enumParam(query, 'dir', ['asc', 'desc'] as const) ?? 'asc',
    limit: intParam(query, 'limit', 100, 1, 1000),
    offset: intParam(query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER),
  };
}

/** Start of today in local time, as ISO: "energy today" is the depot's day. */
const startOfToday = (): string => {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
};

function summary(db: Db, ocpp: OcppServer, storeError: () => Error | null, loadAlerts: () => Array<EdgeEvents['alert']>) {
  const { counts, active, energyTodayWh, powerW, faults } = dashboardFigures(db, startOfToday());
  const store = storeError();
  const alerts = [
    ...(store ? [{ kind: 'store', message: `store writes failing: ${store.message}` }] : []),
    ...loadAlerts(),
    ...ocpp.throttle.list().map((l) => ({ kind: 'lockout', message: `${l.kind} ${l.key} locked out after failed charger logins` })),
    ...faults.map((f) => ({ kind: 'fault', message: `${f.chargePointId} connector ${f.connectorId}: ${f.errorCode}${f.info ? ` (${f.info})` : ''}`, at: f.at })),
  ];
  return { chargers: { total: counts.total, online: counts.online, offline: counts.total - counts.online, faulted: counts.faulted }, activeSessions: active, energyTodayWh, powerW, alerts };
}

export function uiRoutes(db: Db, ocpp: OcppServer, storeError: () => Error | null, loadAlerts: () => Array<EdgeEvents['alert']>): Route[] {
  const must = (id: string) => {
    if (!getCharger(db, id)) throw new HttpError(404, `no charger ${id}`, 'cpId');
  };
  return [
    {
      method: 'GET',
      path: '/api/ui/chargers',
      response: ChargerPage,
      summary: 'Chargers with connector states, paged (q, group, state: online|offline|faulted|charging; sort, dir: asc|desc; limit, offset) -> {total, items, groups}',
      handler: ({ query }) => chargerPage(db, pageQuery(query)),
    },
    {
      method: 'GET',
      path: '/api/ui/summary',
      response: Summary,
      summary: 'Dashboard figures: chargers online/offline/faulted, active sessions, energy today (Wh), power now (W), alerts (store, load over limit, lockouts, faults)',
      handler: () => summary(db, ocpp, storeError, loadAlerts),
    },
    {
      method: 'GET',
      path: '/api/ui/chargers/:cpId/messages',
      response: MessagePage,
      summary: "A charger's OCPP message log, newest first (action; limit, offset) -> {total, items}",
      handler: ({ params, query }) => {
        must(params.cpId!);
        return messagePage(db, params.cpId!, query.get('action') ?? '', intParam(query, 'limit', 50, 1, 500), intParam(query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER));
      },
    },
    {
      method: 'GET',
      path: '/api/ui/chargers/:cpId/status-history',
      response: Type.Array(StatusReport),
      summary: "A charger's connector status reports, newest first (limit)",
      handler: ({ params, query }) => {
        must(params.cpId!);
        return statusHistory(db, params.cpId!, intParam(query, 'limit', 100, 1, 1000));
      },
    },
  ];
}
