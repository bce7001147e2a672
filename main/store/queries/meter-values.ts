import type { Db } from '../db.js';
import { stmt } from '../statements.js';

/** One sampled value with the OCPP 1.6 defaults filled in and its timestamp a UTC instant, so the identity index is exact. */
export interface MeterSample {
  chargePointId: string;
  connectorId: number;
  transactionId: number | null;
  timestamp: string;
  value: string;
  valueNum: number | null;
  context: string;
  format: string;
  measurand: string;
  phase: string | null;
  location: string;
  unit: string;
  source: 'MeterValues' | 'StopTransaction' | 'TransactionEvent';
}

const COLUMNS = 'charge_point_id, connector_id, transaction_id, timestamp, value, value_num, context, format, measurand, phase, location, unit, source';
const ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
/** Rows per INSERT: one statement for a whole MeterValues message is much cheaper than one per sample. */
const CHUNK = 32;

/**
 * Inserts the samples; a retried message's samples are ignored (the identity index covers
 * every column a sample states, value included). Returns how many were new.
 */
export function insertMeterSamples(db: Db, samples: MeterSample[]): number {
  let added = 0;
  for (let i = 0; i < samples.length; i += CHUNK) {
    const part = samples.length - i > CHUNK ? samples.slice(i, i + CHUNK) : i === 0 ? samples : samples.slice(i);
    const args: unknown[] = [];
    for (const m of part) {
      args.push(m.chargePointId, m.connectorId, m.transactionId, m.timestamp, m.value, m.valueNum, m.context, m.format, m.measurand, m.phase, m.location, m.unit, m.source);
    }
    added += stmt(db, `INSERT OR IGNORE INTO meter_values(${COLUMNS}) VALUES ${new Array(part.length).fill(ROW).join(', ')}`).run(...args).changes;
  }
  return added;
}

export interface StoredSample {
  id: number;
  chargePointId: string;
  connectorId: number;
  transactionId: number | null;
  timestamp: string;
  value: string;
  context: string;
  format: string;
  measurand: string;
  phase: string | null;
  location: string;
  unit: string;
  source: string;
}

const SELECT = `SELECT id, charge_point_id AS chargePointId, connector_id AS connectorId, transaction_id AS transactionId, timestamp, value,
  context, format, measurand, phase, location, unit, source FROM meter_values`;

/**
 * Samples its own charger sent under a session's id. Another charger's samples naming the
 * same id (a stale id from before a store reset) are kept but not shown with the session.
 */
const OF_SESSION = `${SELECT} WHERE transaction_id = ? AND charge_point_id = (SELECT charge_point_id FROM transactions WHERE id = ?)`;

/** Every sample of one session, in time order (timestamps are stored as UTC instants). */
export function samplesOfTransaction(db: Db, transactionId: number): StoredSample[] {
  return stmt(db, `${OF_SESSION} ORDER BY timestamp, id`).all(transactionId, transactionId) as StoredSample[];
}

/** A session's signed samples (format SignedData, e.g. OCMF for Eichrecht), values in full. */
export function signedSamplesOfTransaction(db: Db, transactionId: number): StoredSample[] {
  return stmt(db, `${OF_SESSION} AND format = 'SignedData' ORDER BY timestamp, id`).all(transactionId, transactionId) as StoredSample[];
}

export function countSamples(db: Db): number {
  return (stmt(db, 'SELECT count(*) AS n FROM meter_values').get() as { n: number }).n;
}
