/**
 * Every write of the installer's toolkit (main/discovery, its REST routes), as plain functions
 * of (db, plain-data args) run by the group-commit writer like the chargers' ops: they share its
 * commit order and outage policy instead of writing past it.
 */
import type { Db } from './db.js';
import { type ChargerFields, getCharger, insertCharger } from './queries/chargers.js';
import * as discovery from './queries/discovery.js';
import * as provisioning from './queries/provisioning.js';
import type { GroupCommitWriter } from './writer.js';

/** Creates the charger and its provisioning record together; false when the id is taken. */
function provisionCharger(db: Db, a: { chargePointId: string; fields: ChargerFields; passwordHash: string | null }): boolean {
  if (getCharger(db, a.chargePointId)) return false;
  insertCharger(db, a.chargePointId, { ...a.fields, passwordHash: a.passwordHash });
  provisioning.startProvisioning(db, a.chargePointId);
  return true;
}

export const discoveryOps = {
  recordSighting: (db: Db, a: discovery.DeviceSighting) => discovery.recordSighting(db, a),
  markGone: (db: Db, a: { candidates: string[]; found: string[] }) => discovery.markGone(db, a.candidates, new Set(a.found)),
  deleteDevice: (db: Db, a: { ip: string }) => discovery.deleteDevice(db, a.ip),
  insertScan: (db: Db, a: Parameters<typeof discovery.insertScan>[1]) => discovery.insertScan(db, a),
  finishScan: (db: Db, a: Parameters<typeof discovery.finishScan>[1]) => discovery.finishScan(db, a),
  failInterruptedScans: (db: Db, _a: Record<string, never>) => discovery.failInterruptedScans(db),
  provisionCharger,
  addProvisioningStep: (db: Db, a: provisioning.ProvisioningStep) => provisioning.addStep(db, a),
  markTemplateApplied: (db: Db, a: { chargePointId: string; rebootRequired: boolean }) => provisioning.markTemplateApplied(db, a.chargePointId, a.rebootRequired),
  clearRebootRequired: (db: Db, a: { chargePointId: string }) => provisioning.clearRebootRequired(db, a.chargePointId),
  putTemplate: (db: Db, a: Omit<provisioning.ConfigTemplate, 'updatedAt'>) => provisioning.putTemplate(db, a),
  deleteTemplate: (db: Db, a: { targetGroup: string }) => provisioning.deleteTemplate(db, a.targetGroup),
};

export type DiscoveryOps = typeof discoveryOps;

/** What the toolkit needs of the writer. */
export type DiscoveryWriter = Pick<GroupCommitWriter<DiscoveryOps>, 'run' | 'runLazy'>;
