/**
 * The store check after a soak (or any run of SimChargers against the real service): what the
 * chargers' ledgers say the central system acknowledged must be in the database exactly once,
 * every acknowledged stop must have completed its session, and the file must be sound.
 */

import type { Db } from '../../main/store/db.js';
import type { SimCharger } from '../sim/charger.js';

export interface StoreCheck {
  /** Acknowledged StartTransactions checked against their rows. */
  sessionsChecked: number;
  /** Acknowledged StopTransactions checked (status, meter_stop, time, reason, energy). */
  stopsChecked: number;
  /** Acknowledged MeterValues messages checked, and the sample rows they stand for. */
  meterValuesChecked: number;
  meterRowsChecked: number;
  /** Sample rows of StopTransaction.transactionData checked. */
  stopDataRowsChecked: number;
  /** Acknowledged but not (or not correctly) on disk. */
  lost: number;
  /** On disk more than once. */
  duplicated: number;
  /** On disk although no charger got an acknowledgement for it (after every queue drained). */
  phantom: number;
  /** StopTransactions kept as orphans although they name a transaction of this run. */
  orphanStops: number;
  /** Sessions closed by inference (a lost stop) instead of by their own StopTransaction. */
  inferredStops: number;
  /** Sessions of this run still Active although every stop was acknowledged. */
  activeLeft: number;
  integrity: string;
  /** Human-readable descriptions of the first problems found (bounded). */
  problems: string[];
}

const MAX_PROBLEMS = 30;

/**
 * `prefix` selects the run's chargers (charge_point_id LIKE 'prefix-%'). Expects every
 * charger's transaction queue to be drained: otherwise committed-but-unanswered messages
 * count as phantom.
 */
export function checkStore(db: Db, chargers: readonly SimCharger[], prefix: string): StoreCheck {
  const r: StoreCheck = {
    sessionsChecked: 0,
    stopsChecked: 0,
    meterValuesChecked: 0,
    meterRowsChecked: 0,
    stopDataRowsChecked: 0,
    lost: 0,
    duplicated: 0,
    phantom: 0,
    orphanStops: 0,
    inferredStops: 0,
    activeLeft: 0,
    integrity: '',
    problems: [],
  };
  const problem = (p: string) => {
    if (r.problems.length < MAX_PROBLEMS) r.problems.push(p);
  };
  const like = `${prefix}-%`;
  const starts = chargers.flatMap((c) => c.ledger.starts);
  const stops = chargers.flatMap((c) => c.ledger.stops);
  const meters = chargers.flatMap((c) => c.ledger.meterValues);

  // Starts: each acknowledged one under its own id, with its identity.
  const startById = new Map<number, (typeof starts)[number]>();
  for (const s of starts) {
    const other = startById.get(s.transactionId);
    if (other) {
      // Two sessions acknowledged with one id: one of them was acknowledged and then lost.
      r.lost++;
      problem(`transactionId ${s.transactionId} acknowledged twice: ${other.chargePointId}@${other.timestamp} and ${s.chargePointId}@${s.timestamp}`);
    }
    startById.set(s.transactionId, s);
  }
  const byId = db.prepare(
    `SELECT charge_point_id AS chargePointId, connector_id AS connectorId, id_tag AS idTag, meter_start AS meterStart, start_time AS timestamp,
       meter_stop AS meterStop, stop_time AS stopTime, status, energy_wh AS energyWh, stop_reason AS reason, stop_inferred AS inferred
       FROM transactions WHERE id = ?`,
  );
  type Row = {
    chargePointId: string;
    connectorId: number;
    idTag: string;
    meterStart: number;
    timestamp: string;
    meterStop: number | null;
    stopTime: string | null;
    status: string;
    energyWh: number | null;
    reason: string | null;
    inferred: number;
  };
  for (const s of starts) {
    r.sessionsChecked++;
    const t = byId.get(s.transactionId) as Row | undefined;
    if (!t) {
      r.lost++;
      problem(`start ${s.chargePointId}#${s.transactionId} acknowledged but not stored`);
      continue;
    }
    if (t.chargePointId !== s.chargePointId || t.connectorId !== s.connectorId || t.idTag !== s.idTag || t.meterStart !== s.meterStart || t.timestamp !== s.timestamp) {
      r.lost++;
      problem(`start ${s.chargePointId}#${s.transactionId} stored as ${JSON.stringify(t)}`);
    }
  }
  const storedStarts = (db.prepare(`SELECT count(*) AS n FROM transactions WHERE charge_point_id LIKE ?`).get(like) as { n: number }).n;
  const dupStarts = db
    .prepare(
      `SELECT count(*) AS groups, coalesce(sum(n - 1), 0) AS extra FROM (
         SELECT count(*) AS n FROM transactions WHERE charge_point_id LIKE ? GROUP BY charge_point_id, connector_id, start_time, meter_start, id_tag HAVING n > 1)`,
    )
    .get(like) as { groups: number; extra: number };
  if (dupStarts.extra) {
    r.duplicated += dupStarts.extra;
    problem(`${dupStarts.groups} sessions stored more than once (${dupStarts.extra} extra rows)`);
  }
  const unacked = storedStarts - startById.size - dupStarts.extra;
  if (unacked > 0) {
    r.phantom += unacked;
    problem(`${unacked} transactions stored that no charger got an acknowledgement for`);
  }

  // Stops: every acknowledged one completed its session, by itself (not inferred), with its reading.
  const stopped = new Set<number>();
  for (const s of stops) {
    r.stopsChecked++;
    if (stopped.has(s.transactionId)) {
      r.duplicated++;
      problem(`stop of ${s.transactionId} acknowledged twice`);
    }
    stopped.add(s.transactionId);
    const t = byId.get(s.transactionId) as Row | undefined;
    const start = startById.get(s.transactionId);
    if (!t || !start) {
      r.lost++;
      problem(`stop of ${s.transactionId} acknowledged for a transaction not stored or never acknowledged`);
      continue;
    }
    const want = { status: 'Completed', meterStop: s.meterStop, stopTime: s.timestamp, reason: s.reason, energyWh: s.meterStop - start.meterStart, inferred: 0 };
    const got = { status: t.status, meterStop: t.meterStop, stopTime: t.stopTime, reason: t.reason, energyWh: t.energyWh, inferred: t.inferred };
    if (JSON.stringify(want) !== JSON.stringify(got)) {
      r.lost++;
      problem(`stop of ${start.chargePointId}#${s.transactionId}: expected ${JSON.stringify(want)}, stored ${JSON.stringify(got)}`);
    }
  }
  r.activeLeft = (db.prepare(`SELECT count(*) AS n FROM transactions WHERE charge_point_id LIKE ? AND status = 'Active'`).get(like) as { n: number }).n;
  const stillRunning = chargers.reduce((n, c) => n + c.transactions.filter((t) => !t.stopAcked).length, 0);
  if (r.activeLeft > stillRunning) problem(`${r.activeLeft} transactions still Active, ${stillRunning} sessions not stopped by their chargers`);
  r.inferredStops = (db.prepare(`SELECT count(*) AS n FROM transactions WHERE charge_point_id LIKE ? AND stop_inferred = 1`).get(like) as { n: number }).n;
  if (r.inferredStops) problem(`${r.inferredStops} sessions closed by inference instead of their own stop`);
  const orphans = db.prepare(`SELECT transaction_id AS tx, charge_point_id AS cp FROM orphan_stops WHERE charge_point_id LIKE ?`).all(like) as Array<{ tx: number; cp: string }>;
  r.orphanStops = orphans.length;
  for (const o of orphans.slice(0, 5)) problem(`orphan stop ${o.cp}#${o.tx}${startById.has(o.tx) ? ' for an acknowledged transaction' : ''}`);

  // MeterValues: every acknowledged one with all its samples, once; nothing unacknowledged.
  const expected = new Map<string, number>();
  for (const m of meters) {
    r.meterValuesChecked++;
    r.meterRowsChecked += m.samples;
    const key = `${m.transactionId}|${m.timestamp}`;
    if (expected.has(key)) {
      r.duplicated++;
      problem(`MeterValues ${key} acknowledged twice`);
    }
    expected.set(key, m.samples);
  }
  const actual = db.prepare(`SELECT transaction_id AS tx, timestamp, count(*) AS n FROM meter_values WHERE source = 'MeterValues' AND charge_point_id LIKE ? GROUP BY 1, 2`).all(like) as Array<{
    tx: number | null;
    timestamp: string;
    n: number;
  }>;
  const seen = new Set<string>();
  for (const a of actual) {
    const key = `${a.tx}|${a.timestamp}`;
    seen.add(key);
    const want = expected.get(key);
    if (want === undefined) {
      r.phantom++;
      problem(`MeterValues ${key} stored (${a.n} rows) but never acknowledged`);
    } else if (a.n > want) {
      r.duplicated += a.n - want;
      problem(`MeterValues ${key}: ${a.n} rows stored for ${want} samples`);
    } else if (a.n < want) {
      r.lost++;
      problem(`MeterValues ${key}: only ${a.n} of ${want} samples stored`);
    }
  }
  for (const key of expected.keys()) {
    if (seen.has(key)) continue;
    r.lost++;
    problem(`MeterValues ${key} acknowledged but not stored`);
  }
  const dupMeter = db
    .prepare(
      `SELECT coalesce(sum(n - 1), 0) AS extra FROM (
         SELECT count(*) AS n FROM meter_values WHERE charge_point_id LIKE ?
         GROUP BY charge_point_id, connector_id, transaction_id, timestamp, measurand, phase, location, context, source HAVING n > 1)`,
    )
    .get(like) as { extra: number };
  if (dupMeter.extra) {
    r.duplicated += dupMeter.extra;
    problem(`${dupMeter.extra} duplicate meter rows`);
  }
  r.stopDataRowsChecked = stops.reduce((n, s) => n + s.transactionDataSamples, 0);
  const stopRows = (db.prepare(`SELECT count(*) AS n FROM meter_values WHERE source = 'StopTransaction' AND charge_point_id LIKE ?`).get(like) as { n: number }).n;
  if (stopRows > r.stopDataRowsChecked) {
    r.duplicated += stopRows - r.stopDataRowsChecked;
    problem(`${stopRows} transactionData rows stored for ${r.stopDataRowsChecked} acknowledged`);
  } else if (stopRows < r.stopDataRowsChecked) {
    r.lost += r.stopDataRowsChecked - stopRows;
    problem(`${stopRows} transactionData rows stored for ${r.stopDataRowsChecked} acknowledged`);
  }

  const integrity = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
  r.integrity = integrity.map((x) => x.integrity_check).join('; ');
  if (r.integrity !== 'ok') problem(`integrity_check: ${r.integrity.slice(0, 500)}`);
  const fk = db.pragma('foreign_key_check') as unknown[];
  if (fk.length) problem(`foreign_key_check: ${fk.length} violations`);
  return r;
}

/** True when the check found nothing wrong. */
export function storeCheckOk(r: StoreCheck): boolean {
  return r.problems.length === 0 && r.lost === 0 && r.duplicated === 0 && r.phantom === 0 && r.orphanStops === 0 && r.inferredStops === 0 && r.integrity === 'ok';
}
