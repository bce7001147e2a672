/**
 * Every op table the service's writer runs: the chargers' writes (ocpp/ops.ts), the REST and
 * command ones (store/admin-ops.ts), the sync's, discovery's and load management's. A new op
 * table is added here; the writer's worker thread (app-writes.worker.ts) serves this table.
 */
import { writeOps } from './ocpp/ops.js';
import { adminOps } from './store/admin-ops.js';
import type { Db } from './store/db.js';
import { discoveryOps } from './store/discovery-ops.js';
import { loadOps } from './store/load-ops.js';
import { configureOutbox } from './store/queries/outbox.js';
import { syncOps } from './store/sync-ops.js';
import { workerCommitter } from './store/worker-committer.js';
import type { BatchCommitter } from './store/writer.js';

export const appOps = { ...writeOps, ...adminOps, ...syncOps, ...discoveryOps, ...loadOps };
export type AppOps = typeof appOps;

/** What the writing connection needs beyond its pragmas (the same on either thread). */
export interface WriteSetup {
  includeMeterSamples: boolean;
}

export function configureWriteConnection(db: Db, s: WriteSetup): void {
  configureOutbox(db, { includeMeterSamples: s.includeMeterSamples });
}

/**
 * The writer's worker entry: the .ts module under tsx, the .js file the desktop bundle puts
 * beside its main bundle (main/desktop/bundle.ts) when running bundled.
 */
const APP_WRITES_WORKER = new URL(import.meta.url.endsWith('.ts') ? './app-writes.worker.ts' : './app-writes.worker.js', import.meta.url);

/** Commits the service's writes on a worker thread with its own connection to `file`. */
export function appCommitter(file: string, setup: WriteSetup): BatchCommitter<AppOps> {
  return workerCommitter<AppOps>(APP_WRITES_WORKER, { file, setup });
}
