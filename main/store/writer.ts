import type { Db } from './db.js';

export type OpTable = Record<string, (db: Db, args: never) => unknown>;
type ArgsOf<F> = F extends (db: Db, args: infer A) => unknown ? A : never;
type ResultOf<F> = F extends (db: Db, args: never) => infer R ? R : never;

type Result = { ok: boolean; value: unknown };

interface Job {
  op: string;
  args: unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
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
 * message is on disk; one fsync is shared by all chargers of the batch.
 */
export class GroupCommitWriter<T extends OpTable> {
  private queue: Job[] = [];
  private scheduled = false;
  private closed = false;
  private readonly maxBatch: number;
  /** Set while the last commit failed (disk full, read-only): the service reports it. */
  lastError: Error | null = null;

  /** Best-effort jobs dropped because their batch could not be committed. */
  dropped = 0;

  constructor(
    db: Db,
    private readonly ops: T,
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
    const op = (job: Job) => this.ops[job.op] as (db: Db, a: unknown) => unknown;
    this.runFast = db.transaction((batch: Job[], results: Result[]) => {
      for (let i = 0; i < batch.length; i++) results[i] = { ok: true, value: op(batch[i]!)(db, batch[i]!.args) };
    });
    const savepoint = db.transaction((job: Job) => op(job)(db, job.args));
    this.runIsolated = db.transaction((batch: Job[], results: Result[]) => {
      for (let i = 0; i < batch.length; i++) {
        try {
          results[i] = { ok: true, value: savepoint(batch[i]!) };
        } catch (err) {
          if (isFatalSqliteError(err)) throw err;
          results[i] = { ok: false, value: err };
        }
      }
    });
  }
  private readonly recoveryQuietMs: number;
  private readonly lazyMs: number;
  private recoveryTimer: NodeJS.Timeout | null = null;
  private readonly onCommitError: ((err: Error) => void) | undefined;
  private readonly onRecovered: (() => void) | undefined;
  private readonly bestEffort: ReadonlySet<string>;
  // Built once (in the constructor): better-sqlite3 wraps a function per transaction() call.
  private readonly runFast: (batch: Job[], results: Result[]) => void;
  private readonly runIsolated: (batch: Job[], results: Result[]) => void;

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

  private enqueue(op: string, args: unknown, urgent: boolean): Promise<never> {
    if (this.closed) return Promise.reject(new StoreWriteError('store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ op, args, resolve: resolve as (v: unknown) => void, reject });
      if (urgent) {
        if (!this.scheduled) {
          this.scheduled = true;
          setImmediate(this.flushNow);
        }
      } else if (!this.scheduled && !this.lazyTimer) {
        this.lazyTimer = setTimeout(this.flushNow, this.lazyMs);
      }
    });
  }

  private readonly flushNow = (): void => this.flush();
  private lazyTimer: NodeJS.Timeout | null = null;

  /** Pending jobs not yet committed. */
  get backlog(): number {
    return this.queue.length;
  }

  flush(): void {
    this.scheduled = false;
    if (this.lazyTimer) {
      clearTimeout(this.lazyTimer);
      this.lazyTimer = null;
    }
    while (this.queue.length) {
      const batch = this.queue.length > this.maxBatch ? this.queue.splice(0, this.maxBatch) : this.queue.splice(0);
      this.commit(batch);
    }
  }

  private commit(batch: Job[]): void {
    const results: Result[] = new Array(batch.length);
    try {
      try {
        // Fast path: the whole batch in one transaction, no savepoint per job.
        this.runFast(batch, results);
      } catch (err) {
        // A full disk or read-only file fails the whole batch, not just this job.
        if (isFatalSqliteError(err)) throw err;
        // One job failed and rolled the batch back: redo it with a savepoint per job, so
        // only that job fails.
        this.runIsolated(batch, results);
      }
    } catch (err) {
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
      return;
    }
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
    for (let i = 0; i < batch.length; i++) {
      const r = results[i]!;
      if (r.ok) batch[i]!.resolve(r.value);
      else batch[i]!.reject(r.value);
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

  /** Commits what is queued and refuses new work. */
  close(): void {
    this.flush();
    this.closed = true;
    this.cancelRecovery();
  }
}

export function isFatalSqliteError(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  return /^SQLITE_(FULL|READONLY|IOERR|CORRUPT|CANTOPEN|NOTADB|BUSY|LOCKED)/.test(code);
}
