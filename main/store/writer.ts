import { batchCommitter, type JobResult, type OpTable } from './batch-commit.js';
import type { Db } from './db.js';

export { isFatalSqliteError, type OpTable } from './batch-commit.js';

type ArgsOf<F> = F extends (db: Db, args: infer A) => unknown ? A : never;
type ResultOf<F> = F extends (db: Db, args: never) => infer R ? R : never;

interface Job {
  op: string;
  args: unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** How a batch ended: every job's result, or a fatal error that committed none of it. */
export type BatchOutcome = { results: JobResult[] } | { fatal: unknown };

/**
 * Where batches are committed: on this thread's connection (inThreadCommitter) or on a worker
 * thread's own connection (worker-committer.ts). `T` only types the op names and args.
 */
export interface BatchCommitter<T extends OpTable> {
  /** Batches committing at once: with a worker, the next batch is on its way while one commits. */
  readonly maxInFlight: number;
  /** Commits one batch; `done` is called once, in submission order. */
  submit(names: string[], args: unknown[], done: (outcome: BatchOutcome) => void): void;
  /** Runs a PRAGMA on the writing connection, in order with the batches (checkpoints, tests' outages). */
  pragma(text: string): Promise<unknown>;
  close(): Promise<void>;
  /** Type only. */
  readonly ops?: T;
}

/** Commits on the caller's own connection, synchronously (an in-memory database, tests' ad-hoc op tables). */
export function inThreadCommitter<T extends OpTable>(db: Db, ops: T): BatchCommitter<T> {
  const commit = batchCommitter(db, ops);
  return {
    maxInFlight: 1,
    submit(names, args, done) {
      let outcome: BatchOutcome;
      try {
        outcome = { results: commit(names, args) };
      } catch (err) {
        outcome = { fatal: err };
      }
      done(outcome);
    },
    pragma: async (text) => db.pragma(text),
    close: async () => {},
  };
}

export class StoreWriteError extends Error {
  override name = 'StoreWriteError';
  /** What an API caller is told (answered 503): the SQLite error behind it, or why the store refused. */
  get unavailable(): string {
    return `store unavailable: ${(this.cause as Error | undefined)?.message ?? this.message}`;
  }
}

/**
 * Group commit: the writes queued until the next flush (the next event-loop turn, or up to
 * `lazyMs` for lazy ones) run in one SQLite transaction, and every promise settles only after
 * COMMIT returned. If one job throws, the batch is rolled back and redone with a savepoint per
 * job, so that job fails alone. Callers answer the charger after that, so an acknowledged
 * message is on disk; one fsync is shared by all chargers of the batch. With a worker
 * committer the commit (and its fsync) runs off this thread, and while one batch commits the
 * next one is already sent: whatever arrived meanwhile forms it.
 */
export class GroupCommitWriter<T extends OpTable> {
  private queue: Job[] = [];
  private scheduled = false;
  /** A flush was due but every in-flight slot was taken: the next settled batch flushes. */
  private due = false;
  private inFlight = 0;
  /** Jobs sent to the committer and not settled yet. */
  private committing = 0;
  private closed = false;
  private drained: (() => void) | null = null;
  private readonly maxBatch: number;
  /** Set while the last commit failed (disk full, read-only): the service reports it. */
  lastError: Error | null = null;

  /** Best-effort jobs dropped because their batch could not be committed. */
  dropped = 0;

  constructor(
    private readonly committer: BatchCommitter<T>,
    opts: {
      maxBatch?: number;
      onCommitError?: (err: Error) => void;
      onRecovered?: () => void;
      /**
       * Ops whose writes are housekeeping (presence, message log): when their batch cannot be
       * committed they are dropped (their promise resolves, `dropped` counts them) instead of
       * rejected, because onCommitError already reports the failure once; otherwise every
       * periodic flush logged its own error for as long as the disk stayed full. Their commits
       * alone do not count as recovery: an in-place update can still fit on a full disk.
       */
      bestEffort?: ReadonlyArray<keyof T & string>;
      /**
       * Recovery is declared (lastError cleared, onRecovered) only once a real write committed
       * and no commit failed for this long after it. 0: at the first successful commit. On a
       * nearly full disk some writes still fit into pages with room left while the next one
       * fails: without a quiet period every such write flapped the alert off and on.
       */
      recoveryQuietMs?: number;
      /** How long a lazy write may wait for others to share its commit. */
      lazyMs?: number;
    } = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 2000;
    this.lazyMs = opts.lazyMs ?? 15;
    this.onCommitError = opts.onCommitError;
    this.onRecovered = opts.onRecovered;
    this.bestEffort = new Set(opts.bestEffort ?? []);
    this.recoveryQuietMs = opts.recoveryQuietMs ?? 0;
  }
  private readonly recoveryQuietMs: number;
  private readonly lazyMs: number;
  private recoveryTimer: NodeJS.Timeout | null = null;
  private readonly onCommitError: ((err: Error) => void) | undefined;
  private readonly onRecovered: (() => void) | undefined;
  private readonly bestEffort: ReadonlySet<string>;

  /** A write whose caller answers a charger after it: committed on the next event-loop turn. */
  run<K extends keyof T & string>(op: K, args: ArgsOf<T[K]>): Promise<ResultOf<T[K]>> {
    return this.enqueue(op, args, true);
  }

  /**
   * A write nobody's acknowledgement depends on the timing of (boot details, status, presence,
   * message log): it waits up to `lazyMs` for company, so a connect storm of thousands of
   * chargers shares a few commits instead of paying one fsync each. The promise still settles
   * only after commit. A durable write arriving meanwhile takes it along at once.
   */
  runLazy<K extends keyof T & string>(op: K, args: ArgsOf<T[K]>): Promise<ResultOf<T[K]>> {
    return this.enqueue(op, args, false);
  }

  /** Runs a PRAGMA on the writing connection after the batches sent before it. */
  pragma(text: string): Promise<unknown> {
    return this.committer.pragma(text);
  }

  private enqueue(op: string, args: unknown, urgent: boolean): Promise<never> {
    if (this.closed) return Promise.reject(new StoreWriteError('store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ op, args, resolve: resolve as (v: unknown) => void, reject });
      if (urgent) {
        if (!this.scheduled) {
          this.scheduled = true;
          setImmediate(this.flushNow);
        }
      } else if (!this.scheduled && !this.lazyTimer && !this.due) {
        this.lazyTimer = setTimeout(this.flushNow, this.lazyMs);
      }
    });
  }

  private readonly flushNow = (): void => this.flush();
  private lazyTimer: NodeJS.Timeout | null = null;

  /** Jobs not yet committed: queued or committing. */
  get backlog(): number {
    return this.queue.length + this.committing;
  }

  flush(): void {
    this.scheduled = false;
    if (this.lazyTimer) {
      clearTimeout(this.lazyTimer);
      this.lazyTimer = null;
    }
    this.due = false;
    while (this.queue.length) {
      if (this.inFlight >= this.committer.maxInFlight) {
        this.due = true;
        return;
      }
      const batch = this.queue.length > this.maxBatch ? this.queue.splice(0, this.maxBatch) : this.queue.splice(0);
      const names = new Array<string>(batch.length);
      const args = new Array<unknown>(batch.length);
      for (let i = 0; i < batch.length; i++) {
        names[i] = batch[i]!.op;
        args[i] = batch[i]!.args;
      }
      this.inFlight++;
      this.committing += batch.length;
      this.committer.submit(names, args, (outcome) => this.settle(batch, outcome));
    }
  }

  private settle(batch: Job[], outcome: BatchOutcome): void {
    this.inFlight--;
    this.committing -= batch.length;
    if ('fatal' in outcome) this.failBatch(batch, outcome.fatal);
    else {
      if (this.lastError && !this.recoveryTimer && batch.some((job) => !this.bestEffort.has(job.op))) {
        if (this.recoveryQuietMs <= 0) this.recover();
        else {
          this.recoveryTimer = setTimeout(() => {
            this.recoveryTimer = null;
            this.recover();
          }, this.recoveryQuietMs);
          this.recoveryTimer.unref();
        }
      }
      const results = outcome.results;
      for (let i = 0; i < batch.length; i++) {
        const r = results[i]!;
        if (r.ok) batch[i]!.resolve(r.value);
        else batch[i]!.reject(r.error);
      }
    }
    // A synchronous committer settles inside flush(), whose loop goes on by itself.
    if (this.due) this.flush();
    if (this.drained && this.backlog === 0) this.drained();
  }

  private failBatch(batch: Job[], err: unknown): void {
    const e = new StoreWriteError(`commit failed: ${(err as Error).message}`, { cause: err });
    this.lastError = e;
    this.cancelRecovery();
    this.onCommitError?.(e);
    for (const job of batch) {
      if (this.bestEffort.has(job.op)) {
        this.dropped++;
        job.resolve(undefined);
      } else job.reject(e);
    }
  }

  private recover(): void {
    if (!this.lastError) return;
    this.lastError = null;
    this.onRecovered?.();
  }

  private cancelRecovery(): void {
    if (this.recoveryTimer) clearTimeout(this.recoveryTimer);
    this.recoveryTimer = null;
  }

  /** Refuses new work, commits what is queued, then closes the committer (its connection). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    if (this.backlog > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    this.cancelRecovery();
    await this.committer.close();
  }
}
