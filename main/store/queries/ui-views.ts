import type { Db } from '../db.js';
import { stmt } from '../statements.js';
import { type Charger, getCharger } from './chargers.js';

/**
 * Reads for the UI's views the seed routes do not give: the charger table paged, searched,
 * filtered and sorted in SQL (5,000 chargers), the dashboard's figures, a charger's message log
 * paged by action.
 */

export const CHARGER_STATES = ['online', 'offline', 'faulted', 'charging'] as const;
export const CHARGER_SORTS = {
  chargePointId: 'c.charge_point_id',
  vendor: 'c.vendor',
  model: 'c.model',
  firmwareVersion: 'c.firmware_version',
  ipAddress: 'c.ip_address',
  targetGroup: 'c.target_group',
  lastSeen: 'c.last_seen',
  online: 'c.is_connected',
} as const;
/** A charger (table alias `cp`) with a connector in this status; statuses are constants here. */
const HAS = (status: 'Faulted' | 'Charging', cp = 'c') => `EXISTS (SELECT 1 FROM connectors k WHERE k.charge_point_id = ${cp}.charge_point_id AND k.status = '${status}')`;
const STATE_SQL: Record<(typeof CHARGER_STATES)[number], string> = {
  online: 'c.is_connected = 1',
  offline: 'c.is_connected = 0',
  faulted: HAS('Faulted'),
  charging: HAS('Charging'),
};

export interface ChargerRow extends Charger {
  connectors: Array<{ connectorId: number; status: string; errorCode: string }>;
}

export interface ChargerPageQuery {
  q: string;
  /** '(none)': chargers without a group. */
  group: string;
  state: (typeof CHARGER_STATES)[number] | undefined;
  sort: keyof typeof CHARGER_SORTS;
  dir: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export function chargerPage(db: Db, p: ChargerPageQuery): { total: number; items: ChargerRow[]; groups: string[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  if (p.q) {
    where.push(
      "(c.charge_point_id LIKE ? ESCAPE '\\' OR c.vendor LIKE ? ESCAPE '\\' OR c.model LIKE ? ESCAPE '\\' OR c.ip_address LIKE ? ESCAPE '\\' OR c.serial_number LIKE ? ESCAPE '\\' OR c.firmware_version LIKE ? ESCAPE '\\')",
    );
    const like = `%${p.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    args.push(like, like, like, like, like, like);
  }
  if (p.group) {
    where.push('c.target_group IS ?');
    args.push(p.group === '(none)' ? null : p.group);
  }
  if (p.state) where.push(STATE_SQL[p.state]);
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (stmt(db, `SELECT count(*) AS n FROM chargers c ${filter}`).get(...args) as { n: number }).n;
  // Ties broken by id, so paging is stable; NULLs last whichever the direction.
  const order = `${CHARGER_SORTS[p.sort]} IS NULL, ${CHARGER_SORTS[p.sort]} ${p.dir.toUpperCase()}, c.charge_point_id`;
  const ids = (stmt(db, `SELECT c.charge_point_id AS id FROM chargers c ${filter} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...args, p.limit, p.offset) as Array<{ id: string }>).map((r) => r.id);
  const connectors = stmt(
    db,
    'SELECT charge_point_id AS cp, connector_id AS connectorId, status, error_code AS errorCode FROM connectors WHERE charge_point_id IN (SELECT value FROM json_each(?)) ORDER BY connector_id',
  ).all(JSON.stringify(ids)) as Array<{ cp: string; connectorId: number; status: string; errorCode: string }>;
  const byCp = new Map<string, ChargerRow['connectors']>();
  for (const { cp, ...k } of connectors) (byCp.get(cp) ?? byCp.set(cp, []).get(cp)!).push(k);
  const items = ids.flatMap((id) => {
    const c = getCharger(db, id);
    return c ? [{ ...c, connectors: byCp.get(id) ?? [] }] : [];
  });
  const groups = (stmt(db, 'SELECT DISTINCT target_group AS g FROM chargers WHERE target_group IS NOT NULL ORDER BY 1').all() as Array<{ g: string }>).map((r) => r.g);
  return { total, items, groups };
}

/** The dashboard's figures; energy counts sessions started since `since` (the depot's day). */
export function dashboardFigures(db: Db, since: string) {
  const counts = stmt(db, `SELECT count(*) AS total, coalesce(sum(is_connected), 0) AS online, coalesce(sum(${HAS('Faulted', 'chargers')}), 0) AS faulted FROM chargers`).get() as {
    total: number;
    online: number;
    faulted: number;
  };
  const active = (stmt(db, "SELECT count(*) AS n FROM transactions WHERE status = 'Active'").get() as { n: number }).n;
  const energyTodayWh = (
    stmt(
      db,
      "SELECT coalesce(sum(CASE WHEN status = 'Completed' THEN energy_wh ELSE max(coalesce(last_meter_wh, meter_start) - meter_start, 0) END), 0) AS wh FROM transactions WHERE start_time >= ?",
    ).get(since) as { wh: number }
  ).wh;
  // Power now: each active session's latest Power.Active.Import (summed over phases), in W.
  const powerW = (
    stmt(
      db,
      `SELECT coalesce(sum(CASE WHEN m.unit = 'kW' THEN m.value_num * 1000 ELSE m.value_num END), 0) AS w
         FROM transactions t JOIN meter_values m ON m.transaction_id = t.id AND m.measurand = 'Power.Active.Import'
        WHERE t.status = 'Active' AND m.timestamp = (SELECT max(timestamp) FROM meter_values x WHERE x.transaction_id = t.id AND x.measurand = 'Power.Active.Import')`,
    ).get() as { w: number }
  ).w;
  const faults = stmt(
    db,
    "SELECT charge_point_id AS chargePointId, connector_id AS connectorId, error_code AS errorCode, info, status_at AS at FROM connectors WHERE status = 'Faulted' OR error_code != 'NoError' ORDER BY status_at DESC LIMIT 20",
  ).all() as Array<{ chargePointId: string; connectorId: number; errorCode: string; info: string | null; at: string }>;
  return { counts, active, energyTodayWh, powerW, faults };
}

/** A frame's action: calls name it; results and errors get it from the call they answer. */
export function messagePage(db: Db, cpId: string, action: string, limit: number, offset: number) {
  const base = `SELECT m.id, m.direction, m.at, m.frame,
      CASE WHEN json_valid(m.frame) AND json_extract(m.frame, '$[0]') = 2 THEN json_extract(m.frame, '$[2]')
           WHEN json_valid(m.frame) THEN (SELECT json_extract(c.frame, '$[2]') FROM message_log c WHERE c.charge_point_id = m.charge_point_id AND c.id < m.id AND c.direction != m.direction AND json_valid(c.frame) AND json_extract(c.frame, '$[0]') = 2 AND json_extract(c.frame, '$[1]') = json_extract(m.frame, '$[1]') ORDER BY c.id DESC LIMIT 1)
      END AS action
    FROM message_log m WHERE m.charge_point_id = ?`;
  const filtered = `SELECT * FROM (${base}) ${action ? 'WHERE action = ?' : ''}`;
  const args = action ? [cpId, action] : [cpId];
  const total = (stmt(db, `SELECT count(*) AS n FROM (${filtered})`).get(...args) as { n: number }).n;
  const items = stmt(db, `${filtered} ORDER BY id DESC LIMIT ? OFFSET ?`).all(...args, limit, offset);
  return { total, items };
}
