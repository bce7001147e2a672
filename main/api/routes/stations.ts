import { Type } from '@sinclair/typebox';
import type { Db } from '../../store/db.js';
import { getCharger, listChargers } from '../../store/queries/chargers.js';
import { listConnectors } from '../../store/queries/connectors.js';
import { Charger, Station } from '../responses/chargers.js';
import { HttpError, type Route } from '../router.js';

/** Seed 001 station management: the registry with live connector state. */
export function stationRoutes(db: Db): Route[] {
  const withConnectors = (id: string) => {
    const charger = getCharger(db, id);
    if (!charger) throw new HttpError(404, `no station ${id}`, 'cpId');
    return { ...charger, connectors: listConnectors(db, id) };
  };
  return [
    { method: 'GET', path: '/api/stations', response: Type.Array(Charger), summary: 'List all stations', handler: () => listChargers(db) },
    { method: 'GET', path: '/api/stations/connected/list', response: Type.Array(Charger), summary: 'List connected stations', handler: () => listChargers(db, { connectedOnly: true }) },
    { method: 'GET', path: '/api/stations/:cpId', response: Station, summary: 'Station details with connectors', handler: ({ params }) => withConnectors(params.cpId!) },
  ];
}
