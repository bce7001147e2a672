/** Load management's tables (migration 011) and what it reads of sessions and connectors. */
import type { Db } from '../db.js';
import { nowIso, stmt } from '../statements.js';

export type Phases = 1 | 3;

export interface SiteLimit {
  /** Amps per phase; null: no limit (load management off). */
  limitAmps: number | null;
  phases: Phases;
}

export interface StoredCircuit {
  id: number;
  name: string;
  limitAmps: number;
  /** Members: the chargers of a target group, or a hand-picked set (exactly one is set). */
  targetGroup: string | null;
  chargePointIds: string[] | null;
  createdAt: string;
  updatedAt: string;
}

export type CircuitFields = Pick<StoredCircuit, 'name' | 'limitAmps' | 'targetGroup' | 'chargePointIds'>;

export interface ChargerLoadSettings {
  priority: number | null;
  minAmps: number | null;
  phases: Phases | null;
}

export type ProfilePurpose = 'TxDefaultProfile' | 'TxProfile';
export type ProfileStatus = 'accepted' | 'rejected' | 'unsupported';

/** What a charger answered to the last profile of a purpose we sent to a connector. */
export interface ToldProfile {
  chargePointId: string;
  connectorId: number;
  purpose: ProfilePurpose;
  limitAmps: number;
  transactionId: number | null;
  status: ProfileStatus;
  validTo: string | null;
  sentAt: string;
}

export interface ActiveSession {
  transactionId: number;
  chargePointId: string;
  connectorId: number;
  idTag: string;
  startTime: string;
}

export function getSite(db: Db): SiteLimit {
  const row = stmt(db, 'SELECT limit_amps AS limitAmps, phases FROM load_site WHERE id = 1').get() as SiteLimit | undefined;
  return row ?? { limitAmps: null, phases: 3 };
}

export function setSite(db: Db, site: SiteLimit): void {
  stmt(
    db,
    `INSERT INTO load_site(id, limit_amps, phases, updated_at) VALUES (1, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET limit_amps = excluded.limit_amps, phases = excluded.phases, updated_at = excluded.updated_at`,
  ).run(site.limitAmps, site.phases, nowIso());
}

type CircuitRow = Omit<StoredCircuit, 'chargePointIds'> & { chargePointIds: string | null };
const CIRCUIT_SELECT = `SELECT id, name, limit_amps AS limitAmps, target_group AS targetGroup, charge_point_ids AS chargePointIds,
  created_at AS createdAt, updated_at AS updatedAt FROM load_circuits`;
const toCircuit = (r: CircuitRow): StoredCircuit => ({ ...r, chargePointIds: r.chargePointIds === null ? null : (JSON.parse(r.chargePointIds) as string[]) });

export function listCircuits(db: Db): StoredCircuit[] {
  return (stmt(db, `${CIRCUIT_SELECT} ORDER BY id`).all() as CircuitRow[]).map(toCircuit);
}

export function getCircuit(db: Db, id: number): StoredCircuit | undefined {
  const row = stmt(db, `${CIRCUIT_SELECT} WHERE id = ?`).get(id) as CircuitRow | undefined;
  return row && toCircuit(row);
}

export function getCircuitByName(db: Db, name: string): StoredCircuit | undefined {
  const row = stmt(db, `${CIRCUIT_SELECT} WHERE name = ?`).get(name) as CircuitRow | undefined;
  return row && toCircuit(row);
}

const circuitArgs = (c: CircuitFields) => [c.name, c.limitAmps, c.targetGroup, c.chargePointIds === null ? null : JSON.stringify(c.chargePointIds)];

export function insertCircuit(db: Db, c: CircuitFields): number {
  const at = nowIso();
  return Number(
    stmt(db, 'INSERT INTO load_circuits(name, limit_amps, target_group, charge_point_ids, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(...circuitArgs(c), at, at).lastInsertRowid,
  );
}

export function updateCircuit(db: Db, id: number, c: CircuitFields): void {
  stmt(db, 'UPDATE load_circuits SET name = ?, limit_amps = ?, target_group = ?, charge_point_ids = ?, updated_at = ? WHERE id = ?').run(...circuitArgs(c), nowIso(), id);
}

export function deleteCircuit(db: Db, id: number): boolean {
  return stmt(db, 'DELETE FROM load_circuits WHERE id = ?').run(id).changes > 0;
}

/** What the site tree needs of a registered charger. */
export interface RegistryCharger {
  chargePointId: string;
  maximumAmps: number | null;
  ratedAmps: number | null;
  targetGroup: string | null;
}

/** Every registered charger, narrowly read: a load batch runs every few seconds over thousands. */
export function loadRegistry(db: Db): RegistryCharger[] {
  return stmt(
    db,
    'SELECT charge_point_id AS chargePointId, maximum_amps AS maximumAmps, rated_amps AS ratedAmps, target_group AS targetGroup FROM chargers ORDER BY charge_point_id',
  ).all() as RegistryCharger[];
}

export function chargerLoadSettings(db: Db): Map<string, ChargerLoadSettings> {
  const rows = stmt(db, 'SELECT charge_point_id AS id, priority, min_amps AS minAmps, phases FROM load_charger_settings').all() as Array<ChargerLoadSettings & { id: string }>;
  return new Map(rows.map(({ id, ...s }) => [id, s]));
}

export function setChargerLoadSettings(db: Db, chargePointId: string, s: ChargerLoadSettings): void {
  if (s.priority === null && s.minAmps === null && s.phases === null) {
    stmt(db, 'DELETE FROM load_charger_settings WHERE charge_point_id = ?').run(chargePointId);
    return;
  }
  stmt(
    db,
    `INSERT INTO load_charger_settings(charge_point_id, priority, min_amps, phases) VALUES (?, ?, ?, ?)
     ON CONFLICT(charge_point_id) DO UPDATE SET priority = excluded.priority, min_amps = excluded.min_amps, phases = excluded.phases`,
  ).run(chargePointId, s.priority, s.minAmps, s.phases);
}

export function tagPriorities(db: Db): Map<string, number> {
  const rows = stmt(db, 'SELECT id_tag AS idTag, priority FROM load_tag_priorities').all() as Array<{ idTag: string; priority: number }>;
  return new Map(rows.map((r) => [r.idTag, r.priority]));
}

export function setTagPriority(db: Db, idTag: string, priority: number | null): void {
  if (priority === null) stmt(db, 'DELETE FROM load_tag_priorities WHERE id_tag = ?').run(idTag);
  else stmt(db, 'INSERT INTO load_tag_priorities(id_tag, priority) VALUES (?, ?) ON CONFLICT(id_tag) DO UPDATE SET priority = excluded.priority').run(idTag, priority);
}

const TOLD_SELECT = `SELECT charge_point_id AS chargePointId, connector_id AS connectorId, purpose, limit_amps AS limitAmps, transaction_id AS transactionId,
  status, valid_to AS validTo, sent_at AS sentAt FROM load_profiles`;

export function listTold(db: Db): ToldProfile[] {
  return stmt(db, TOLD_SELECT).all() as ToldProfile[];
}

export function saveTold(db: Db, t: ToldProfile): void {
  stmt(
    db,
    `INSERT INTO load_profiles(charge_point_id, connector_id, purpose, limit_amps, transaction_id, status, valid_to, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(charge_point_id, connector_id, purpose) DO UPDATE SET limit_amps = excluded.limit_amps, transaction_id = excluded.transaction_id,
       status = excluded.status, valid_to = excluded.valid_to, sent_at = excluded.sent_at`,
  ).run(t.chargePointId, t.connectorId, t.purpose, t.limitAmps, t.transactionId, t.status, t.validTo, t.sentAt);
}

export function deleteTold(db: Db, chargePointId: string, connectorId: number, purpose: ProfilePurpose): void {
  stmt(db, 'DELETE FROM load_profiles WHERE charge_point_id = ? AND connector_id = ? AND purpose = ?').run(chargePointId, connectorId, purpose);
}

export function activeSessions(db: Db): ActiveSession[] {
  return stmt(
    db,
    `SELECT id AS transactionId, charge_point_id AS chargePointId, connector_id AS connectorId, id_tag AS idTag, start_time AS startTime
     FROM transactions WHERE status = 'Active' ORDER BY id`,
  ).all() as ActiveSession[];
}

/** Connectors (above 0) each charger has reported; a charger not yet heard from has one. */
export function connectorCounts(db: Db): Map<string, number> {
  const rows = stmt(db, 'SELECT charge_point_id AS id, count(*) AS n FROM connectors WHERE connector_id > 0 GROUP BY charge_point_id').all() as Array<{ id: string; n: number }>;
  return new Map(rows.map((r) => [r.id, r.n]));
}
