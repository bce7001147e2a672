/**
 * Load management's writes as ops of the app's one group-commit writer (like ocpp/ops.ts), so
 * they share its commit order and its outage policy with every other write.
 */
import type { Db } from './db.js';
import * as store from './queries/load-management.js';
import type { GroupCommitWriter } from './writer.js';

export const loadOps = {
  setLoadSite: (db: Db, a: store.SiteLimit): void => store.setSite(db, a),
  createCircuit: (db: Db, a: store.CircuitFields): number => store.insertCircuit(db, a),
  updateCircuit: (db: Db, a: { id: number; fields: store.CircuitFields }): void => store.updateCircuit(db, a.id, a.fields),
  deleteCircuit: (db: Db, a: { id: number }): boolean => store.deleteCircuit(db, a.id),
  setChargerLoadSettings: (db: Db, a: { chargePointId: string; settings: store.ChargerLoadSettings }): void => store.setChargerLoadSettings(db, a.chargePointId, a.settings),
  setTagPriority: (db: Db, a: { idTag: string; priority: number | null }): void => store.setTagPriority(db, a.idTag, a.priority),
  saveLoadProfile: (db: Db, a: store.ToldProfile): void => store.saveTold(db, a),
  deleteLoadProfile: (db: Db, a: { chargePointId: string; connectorId: number; purpose: store.ProfilePurpose }): void => store.deleteTold(db, a.chargePointId, a.connectorId, a.purpose),
};

export type LoadOps = typeof loadOps;
/** The writer as load management sees it (the app's one writer). */
export type LoadWriter = GroupCommitWriter<LoadOps>;
