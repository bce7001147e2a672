import type { Db } from '../store/db.js';
import { type OutboxKind, type OutboxRecord, pendingBatch } from '../store/queries/outbox.js';
import { nowIso } from '../store/statements.js';
import type { SyncWriter } from '../store/sync-ops.js';
import { StoreWriteError } from '../store/writer.js';
import { type HeadofficeClient, HeadofficeError } from './client.js';

/** Where each kind of record goes (resources/headoffice-openapi.yaml). */
const ENDPOINTS: ReadonlyArray<{ path: string; kinds: readonly OutboxKind[] }> = [
  { path: '/v1/sessions', kinds: ['session'] },
  { path: '/v1/snapshots', kinds: ['snapshot', 'alert'] },
];

interface RecordResult {
  idempotency_key: string;
  status: 'accepted' | 'duplicate' | 'rejected';
  reason?: string;
}

export interface BatchOutcome {
  sent: number;
  parked: Array<{ id: number; kind: string; idempotencyKey: string; reason: string }>;
}

function parseResults(body: unknown): Map<string, RecordResult> {
  const results = (body as { results?: unknown } | undefined)?.results;
  if (!Array.isArray(results)) throw new HeadofficeError('head office answered without a results array', 'protocol');
  const byKey = new Map<string, RecordResult>();
  for (const r of results as RecordResult[]) {
    if (typeof r?.idempotency_key !== 'string' || !['accepted', 'duplicate', 'rejected'].includes(r.status)) {
      throw new HeadofficeError(`head office answered an invalid result ${JSON.stringify(r)}`, 'protocol');
    }
    byKey.set(r.idempotency_key, r);
  }
  return byKey;
}

/**
 * Sends the oldest pending records (at most `batchSize` per endpoint) and records each one's result in one
 * transaction: accepted or duplicate -> sent; rejected -> parked with head office's reason (kept,
 * shown, never retried by itself). A record the answer does not mention stays pending. A
 * request refused as a whole for a reason about its content (400, 413, 422) is split, so one
 * bad record ends up parked alone and the others go through.
 * Throws HeadofficeError when head office could not be reached or would not take the request.
 *
 * Throws StoreWriteError when the results could not be recorded (a store outage): the records
 * stay pending, nothing is lost. One head office already accepted is sent again later under the
 * same idempotency key; head office answers it "duplicate", which marks it sent, so it is never
 * counted twice. The caller backs off instead of re-sending while the store cannot write.
 */
export async function uploadBatch(db: Db, writer: SyncWriter, client: HeadofficeClient, batchSize: number): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { sent: 0, parked: [] };
  // Each endpoint gets its own batch and its try: snapshots head office chokes on must not hold sessions back.
  let failure: unknown = null;
  for (const { path, kinds } of ENDPOINTS) {
    const records = pendingBatch(db, kinds, batchSize);
    if (!records.length) continue;
    try {
      await send(writer, client, path, records, outcome);
    } catch (err) {
      // With the store down the next endpoint's results could not be recorded either.
      if (err instanceof StoreWriteError) throw err;
      failure ??= err;
    }
  }
  if (failure) throw failure;
  return outcome;
}

async function send(writer: SyncWriter, client: HeadofficeClient, endpoint: string, records: OutboxRecord[], outcome: BatchOutcome): Promise<void> {
  let results: Map<string, RecordResult>;
  try {
    const res = await client.request('POST', endpoint, { records: records.map((r) => JSON.parse(r.payload) as unknown) });
    results = parseResults(res.body);
  } catch (err) {
    const e = err instanceof HeadofficeError ? err : new HeadofficeError(String(err), 'protocol', null, { cause: err });
    if (!e.aboutContent) {
      await writer.run('noteUploadFailure', { ids: records.map((r) => r.id), error: e.message });
      throw e;
    }
    if (records.length > 1) {
      const half = Math.ceil(records.length / 2);
      await send(writer, client, endpoint, records.slice(0, half), outcome);
      await send(writer, client, endpoint, records.slice(half), outcome);
      return;
    }
    results = new Map([[records[0]!.idempotencyKey, { idempotency_key: records[0]!.idempotencyKey, status: 'rejected', reason: e.message }]]);
  }
  const sent: number[] = [];
  const missing: number[] = [];
  const parked: BatchOutcome['parked'] = [];
  for (const r of records) {
    const result = results.get(r.idempotencyKey);
    if (!result) missing.push(r.id);
    else if (result.status === 'rejected') {
      const reason = result.reason?.trim() || 'rejected by head office (no reason given)';
      parked.push({ id: r.id, kind: r.kind, idempotencyKey: r.idempotencyKey, reason });
    } else sent.push(r.id);
  }
  // One op: the whole answer is recorded together, or (store outage) none of it.
  await writer.run('recordUploadResults', { sent, parked: parked.map((p) => ({ id: p.id, reason: p.reason })), missing, at: nowIso() });
  outcome.sent += sent.length;
  outcome.parked.push(...parked);
  if (missing.length) throw new HeadofficeError(`head office answered for ${records.length - missing.length} of ${records.length} records`, 'protocol');
}
