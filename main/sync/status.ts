/** What the API, the event stream and the Sync screen show of head-office sync (issue 10). */
export interface SyncStatus {
  /** false: no headofficeUrl, the depot runs standalone and the outbox only fills. */
  configured: boolean;
  headofficeUrl: string | null;
  pending: number;
  oldestPendingAt: string | null;
  oldestPendingAgeSec: number | null;
  parked: number;
  lastSuccessAt: string | null;
  lastError: { message: string; at: string } | null;
  /** Failed attempts in a row; the next one waits longer (exponential backoff with jitter). */
  consecutiveFailures: number;
  /** Milliseconds until the next upload attempt while backing off, else null. */
  nextAttemptInMs: number | null;
  nightly: { cron: string; nextRunAt: string | null };
  authListVersion: number | null;
  running: SyncProgress | null;
  lastRun: SyncRunResult | null;
}

export type SyncTrigger = 'nightly' | 'manual';

export interface SyncProgress {
  trigger: SyncTrigger;
  phase: 'upload' | 'manifest' | 'auth-list' | 'push';
  startedAt: string;
  /** Records pending when the run began: with uploaded + parked, the progress of the upload phase. */
  pendingAtStart: number;
  uploaded: number;
  parked: number;
}

export interface SyncRunResult {
  trigger: SyncTrigger;
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  uploaded: number;
  parked: number;
  /** Each failed phase with its error; empty when ok. */
  errors: Array<{ phase: SyncProgress['phase']; message: string }>;
  manifests: Array<{ date: string; sessions: number; digest: string }>;
  authList: { changed: boolean; version: number | null; added: number; updated: number; removed: number } | null;
  pushed: Array<{ chargePointId: string; ok: boolean; error?: string }>;
}
