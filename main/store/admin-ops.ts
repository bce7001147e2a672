/**
 * Every write the REST API and the command effects make, as plain functions of (db, plain-data
 * args), like the OCPP side's ops (ocpp/ops.ts). They run in the same group-commit writer, so
 * they share its commit order with the chargers' writes and its outage policy: during a store
 * outage they fail with StoreWriteError (answered 503) instead of writing past it. A check and
 * the write it guards run in one op, so nothing can change in between.
 */
import type { Db } from './db.js';
import { type AuditEntry, insertAudit } from './queries/audit.js';
import { setAvailability, settleScheduledAvailability } from './queries/availability.js';
import { saveConfiguration, setConfigurationValue } from './queries/charger-config.js';
import * as chargers from './queries/chargers.js';
import { clearChargingProfiles, saveChargingProfile } from './queries/charging-profiles.js';
import * as idTags from './queries/id-tags.js';
import { type LocalListEntry, saveLocalList } from './queries/local-list.js';
import { deleteJob, insertJob, type MaintenanceKind, recordJobAnswer, updateLatestJob } from './queries/maintenance.js';
import * as reservations from './queries/reservations.js';
import { setSetting } from './queries/settings.js';
import type { GroupCommitWriter } from './writer.js';

type Cp = { chargePointId: string };

// --- REST: chargers, RFID cards, settings ---

function createCharger(db: Db, a: Cp & { fields: chargers.ChargerFields & { passwordHash: string | null } }): boolean {
  return chargers.insertCharger(db, a.chargePointId, a.fields);
}

/** Fields and password in one step; false when the charger does not exist (any more). */
function updateCharger(db: Db, a: Cp & { fields: chargers.ChargerFields; passwordHash?: string | null }): boolean {
  if (!chargers.getCharger(db, a.chargePointId)) return false;
  if (Object.keys(a.fields).length) chargers.updateCharger(db, a.chargePointId, a.fields);
  if (a.passwordHash !== undefined) chargers.setChargerPassword(db, a.chargePointId, a.passwordHash);
  return true;
}

function deleteCharger(db: Db, a: Cp): boolean {
  return chargers.deleteCharger(db, a.chargePointId);
}

/** A last-seen time reported over REST: unlike the OCPP presence op, not best-effort. */
function reportLastSeen(db: Db, a: Cp & { at: string }): void {
  chargers.touchLastSeen(db, a.chargePointId, a.at, false);
}

/** OCPP idTags are case-insensitive: ABC and abc would be one card to a charger, so a clash is refused. */
function createIdTag(db: Db, a: Parameters<typeof idTags.insertIdTag>[1]): { created: idTags.IdTag } | { clash: idTags.IdTag } {
  const clash = idTags.findIdTagForAuthorization(db, a.tagId);
  return clash ? { clash } : { created: idTags.insertIdTag(db, a) };
}

function updateIdTag(db: Db, a: { tagId: string; fields: Parameters<typeof idTags.updateIdTag>[2] }): idTags.IdTag | undefined {
  return idTags.updateIdTag(db, a.tagId, a.fields);
}

function deleteIdTag(db: Db, a: { tagId: string }): boolean {
  return idTags.deleteIdTag(db, a.tagId);
}

function putSetting(db: Db, a: { key: string; value: string }): void {
  setSetting(db, a.key, a.value);
}

// --- Command effects ---

function auditCommand(db: Db, a: AuditEntry): void {
  insertAudit(db, a);
}

function saveConfigurationSnapshot(db: Db, a: Cp & { entries: Array<{ key: string; value?: string; readonly: boolean }>; full: boolean; at: string }): void {
  saveConfiguration(db, a.chargePointId, a.entries, a.full, a.at);
}

function setPendingPassword(db: Db, a: Cp & { hash: string | null }): void {
  chargers.setPendingPassword(db, a.chargePointId, a.hash);
}

/** A ChangeConfiguration the charger accepted; for the AuthorizationKey, its pending key becomes the key. */
function configurationChanged(db: Db, a: Cp & { key: string; value: string; promotePassword: boolean; at: string }): void {
  if (a.promotePassword) chargers.promotePendingPassword(db, a.chargePointId);
  setConfigurationValue(db, a.chargePointId, a.key, a.value, a.at);
}

function recordAvailability(db: Db, a: Cp & { connectorId: number; requested: string; state: string; at: string }): void {
  setAvailability(db, a.chargePointId, a.connectorId, a.requested, a.state, a.at);
}

function settleAvailability(db: Db, a: Cp & { connectorId: number; status: string; at: string }): boolean {
  return settleScheduledAvailability(db, a.chargePointId, a.connectorId, a.status, a.at);
}

function recordLocalList(db: Db, a: Cp & { version: number; entries: LocalListEntry[]; removed: string[]; full: boolean; at: string }): void {
  saveLocalList(db, a.chargePointId, a.version, a.entries, a.removed, a.full, a.at);
}

function removeChargingProfiles(db: Db, a: Cp & { criteria: Parameters<typeof clearChargingProfiles>[2] }): number {
  return clearChargingProfiles(db, a.chargePointId, a.criteria);
}

type ReservationTerms = Cp & { connectorId: number; idTag: string; parentIdTag: string | null; expiryDate: string; at: string };

/**
 * Stores a ReserveNow before it goes out: a fresh id, or the caller's. Re-sending an id of the
 * same charger replaces that reservation (1.6 §5.13); another charger's id is refused.
 */
function openReservation(db: Db, a: ReservationTerms & { id?: number }): { reservationId: number } | { ownedBy: string } {
  if (a.id === undefined) return { reservationId: reservations.createReservation(db, a) };
  const existing = reservations.getReservation(db, a.id);
  if (existing && existing.chargePointId !== a.chargePointId) return { ownedBy: existing.chargePointId };
  if (!existing) reservations.insertReservationWithId(db, { ...a, id: a.id });
  return { reservationId: a.id };
}

function applyReserveNow(db: Db, a: Parameters<typeof reservations.applyReserveNow>[1]): void {
  reservations.applyReserveNow(db, a);
}

/** A ReserveNow that failed: its reservation, if still only requested, did not happen. */
function failRequestedReservation(db: Db, a: { id: number; at: string }): void {
  if (reservations.getReservation(db, a.id)?.status === 'Requested') reservations.setReservationStatus(db, a.id, 'Failed', a.at);
}

function setReservationStatus(db: Db, a: { id: number; status: string; at: string }): void {
  reservations.setReservationStatus(db, a.id, a.status, a.at);
}

function expireReservations(db: Db, a: { now: string }): reservations.Reservation[] {
  return reservations.expireReservations(db, a.now);
}

function openJob(db: Db, a: Parameters<typeof insertJob>[1]): number {
  return insertJob(db, a);
}

function jobAnswered(db: Db, a: { id: number } & Parameters<typeof recordJobAnswer>[2]): void {
  recordJobAnswer(db, a.id, a);
}

function dropJob(db: Db, a: { id: number }): void {
  deleteJob(db, a.id);
}

function jobProgress(db: Db, a: Cp & { kind: MaintenanceKind; status: string; at: string }): void {
  updateLatestJob(db, a.chargePointId, a.kind, a.status, a.at);
}

export const adminOps = {
  createCharger,
  updateCharger,
  deleteCharger,
  reportLastSeen,
  createIdTag,
  updateIdTag,
  deleteIdTag,
  putSetting,
  auditCommand,
  saveConfigurationSnapshot,
  setPendingPassword,
  configurationChanged,
  recordAvailability,
  settleAvailability,
  recordLocalList,
  saveChargingProfile,
  removeChargingProfiles,
  openReservation,
  applyReserveNow,
  failRequestedReservation,
  setReservationStatus,
  expireReservations,
  openJob,
  jobAnswered,
  dropJob,
  jobProgress,
};

export type AdminOps = typeof adminOps;
/** The writer as REST routes and command effects see it (the app's one writer, shared with OCPP). */
export type AdminWriter = GroupCommitWriter<AdminOps>;
