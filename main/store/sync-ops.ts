/**
 * Every write the head-office sync makes (issue 10), as plain functions of (db, plain-data args)
 * like admin-ops.ts: they run in the app's one group-commit writer, so they share its commit
 * order and outage policy (a store outage fails them with StoreWriteError instead of writing past
 * it). Each unit that must stay whole (a batch's results, the whole auth list with its version
 * and ETag) is one op, so one transaction.
 */
import type { Db } from './db.js';
import { type HeadofficeTag, replaceHeadofficeTags } from './queries/headoffice-tags.js';
import { enqueueAlert, markSent, noteFailure, park, pruneSent, resolveParked } from './queries/outbox.js';
import { getSetting, setSetting } from './queries/settings.js';
import type { GroupCommitWriter } from './writer.js';

/** The settings the sync keeps its state in (read by the sync service, written only here). */
export const SYNC_SETTINGS = {
  lastSuccessAt: 'sync.lastSuccessAt',
  lastError: 'sync.lastError',
  authListEtag: 'sync.authList.etag',
  authListVersion: 'sync.authList.version',
} as const;

type Alert = Parameters<typeof enqueueAlert>[1];

/** Alerts for head office, oldest first (some may have waited out a store outage in memory). */
function queueAlerts(db: Db, a: { alerts: Alert[] }): void {
  for (const alert of a.alerts) enqueueAlert(db, alert);
}

/** An operator's decision on a parked record; false when it is not parked (any more). */
function resolveParkedRecord(db: Db, a: { id: number; to: 'pending' | 'dismissed' }): boolean {
  return resolveParked(db, a.id, a.to);
}

function pruneSentRecords(db: Db, a: { before: string }): number {
  return pruneSent(db, a.before);
}

/** Records head office could not be asked about (unreachable, refused): they stay pending. */
function noteUploadFailure(db: Db, a: { ids: number[]; error: string }): void {
  noteFailure(db, a.ids, a.error);
}

/** Head office's answer for one request, all of it together: sent, parked with reasons, and the records it did not mention. */
function recordUploadResults(db: Db, a: { sent: number[]; parked: Array<{ id: number; reason: string }>; missing: number[]; at: string }): void {
  for (const p of a.parked) park(db, p.id, p.reason);
  markSent(db, a.sent, a.at);
  if (a.missing.length) noteFailure(db, a.missing, 'head office did not answer for this record');
}

function uploadSucceeded(db: Db, a: { at: string }): void {
  setSetting(db, SYNC_SETTINGS.lastSuccessAt, a.at);
}

function uploadFailed(db: Db, a: { message: string; at: string }): void {
  setSetting(db, SYNC_SETTINGS.lastError, JSON.stringify(a));
}

/**
 * Makes head office's cards the pulled list, with its version and ETag, in one transaction. A
 * list older than the applied one is a stale replica: ignored (null). The version check runs in
 * the op, so no other write can slip between check and apply.
 */
function applyAuthList(db: Db, a: { version: number; etag: string | null; tags: HeadofficeTag[] }): { added: number; updated: number; removed: number } | null {
  const applied = getSetting(db, SYNC_SETTINGS.authListVersion);
  if (applied !== undefined && a.version < Number(applied)) return null;
  const counts = replaceHeadofficeTags(db, a.tags);
  setSetting(db, SYNC_SETTINGS.authListVersion, String(a.version));
  if (a.etag !== null) setSetting(db, SYNC_SETTINGS.authListEtag, a.etag);
  return counts;
}

export const syncOps = {
  queueAlerts,
  resolveParkedRecord,
  pruneSentRecords,
  noteUploadFailure,
  recordUploadResults,
  uploadSucceeded,
  uploadFailed,
  applyAuthList,
};

export type SyncOps = typeof syncOps;
/** The writer as the sync sees it (the app's one writer, shared with OCPP and the REST API). */
export type SyncWriter = GroupCommitWriter<SyncOps>;
