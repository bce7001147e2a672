import { Worker } from 'node:worker_threads';
import type { OpTable } from './batch-commit.js';
import type { BatchCommitter, BatchOutcome } from './writer.js';
import { type FromWriter, revive, type ToWriter, toWire, type WriterWorkerData } from './writer-protocol.js';

export interface WorkerCommitterOptions {
  /** The database file (already migrated by the caller). */
  file: string;
  /** Handed to the entry's connection setup (for example the outbox options). */
  setup?: unknown;
  /** The worker runs a PASSIVE checkpoint after a commit once the WAL holds this much. */
  walCheckpointBytes?: number;
  /** Jobs per transaction at most (as the writer's maxBatch; default 2000). */
  maxBatch?: number;
}

/**
 * The writer's jobs live for one commit: a small young generation keeps them from growing the
 * worker's heap (and the process RSS) during a connect storm; with V8's default it grew by
 * about 5 KB per connected charger (bench (b): 15.8 -> 10.9 KB per idle charger at 19,900).
 * Objects that outgrow it are promoted, never refused: only the old generation has a hard cap.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 };

/**
 * Commits on a worker thread with its own connection: `entry` is a module that calls
 * serveWrites() (writer-worker.ts) with its op tables, so only op names and plain-data args
 * cross the thread boundary. Every flush is sent at once: while the worker commits (and
 * fsyncs) one transaction the next batches wait in its port, and it commits them together.
 */
export function workerCommitter<T extends OpTable>(entry: URL, o: WorkerCommitterOptions): BatchCommitter<T> {
  const workerData: WriterWorkerData = { file: o.file, setup: o.setup, walCheckpointBytes: o.walCheckpointBytes ?? 8 * 1024 * 1024, maxBatch: o.maxBatch ?? 2000 };
  // Under tsx (tests, npm run serve) the .ts entry needs tsx's loader inside the worker too;
  // the desktop bundle ships the entry as plain JavaScript beside the main bundle.
  const worker = entry.pathname.endsWith('.ts')
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`, {
        eval: true,
        workerData,
        execArgv: [],
        resourceLimits: WORKER_LIMITS,
      })
    : new Worker(entry, { workerData, execArgv: [], resourceLimits: WORKER_LIMITS });
  worker.unref();
  const waiting = new Map<number, (m: FromWriter) => void>();
  let seq = 0;
  let gone: Error | null = null;
  let closing = false;

  const send = (m: ToWriter, reply: (m: FromWriter) => void) => {
    if (gone) return reply({ seq: m.seq, fatal: { name: 'Error', message: gone.message, code: 'SQLITE_CANTOPEN' } });
    // Held open only while it owes an answer: an idle writer does not keep the process alive.
    if (waiting.size === 0) worker.ref();
    waiting.set(m.seq, reply);
    try {
      worker.postMessage(m);
    } catch (err) {
      // Args that cannot be copied to the thread (a function, a symbol): those jobs fail, not the store.
      const error = toWire(err);
      answered('names' in m ? { seq: m.seq, results: m.names.map(() => ({ ok: false, error })) } : { seq: m.seq, fatal: error });
    }
  };
  const answered = (m: FromWriter) => {
    const reply = waiting.get(m.seq);
    waiting.delete(m.seq);
    if (waiting.size === 0) worker.unref();
    reply?.(m);
  };
  worker.on('message', answered);
  const fail = (err: Error) => {
    gone ??= err;
    for (const s of [...waiting.keys()]) answered({ seq: s, fatal: { name: 'Error', message: err.message, code: 'SQLITE_CANTOPEN' } });
  };
  worker.on('error', (err) => fail(new Error(`store writer thread failed: ${err.message}`, { cause: err })));
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      if (!closing) fail(new Error(`store writer thread exited (${code})`));
      resolve();
    }),
  );

  return {
    maxInFlight: Number.POSITIVE_INFINITY,
    submit(names, args, done) {
      send({ seq: ++seq, names, args }, (m) => {
        const outcome: BatchOutcome = 'fatal' in m ? { fatal: revive(m.fatal) } : { results: m.results.map((r) => (r.ok ? r : { ok: false, error: revive(r.error) })) };
        done(outcome);
      });
    },
    pragma: (text) =>
      new Promise((resolve, reject) =>
        send({ seq: ++seq, pragma: text }, (m) => {
          if ('fatal' in m) reject(revive(m.fatal));
          else resolve((m.results[0] as { value: unknown }).value);
        }),
      ),
    async close() {
      closing = true;
      if (!gone) worker.postMessage({ seq: ++seq, close: true } satisfies ToWriter);
      worker.ref();
      await exited;
    },
  };
}
