import type { Db } from './db.js';

/** Write ops as plain functions of (db, plain-data args): they run inside the writer's transaction. */
export type OpTable = Record<string, (db: Db, args: never) => unknown>;

/** One job's outcome: its op's return value, or what it threw. */
export type JobResult = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Runs a batch of jobs (op names and their args, in parallel arrays) in ONE transaction and
 * commits it. If one job throws, the batch is rolled back and redone with a savepoint per job,
 * so that job fails alone. A fatal error (disk full, read-only, I/O) is thrown: nothing of the
 * batch is committed. Used by the in-thread writer and by the writer's worker thread alike.
 */
export function batchCommitter(db: Db, ops: OpTable): (names: readonly string[], args: readonly unknown[]) => JobResult[] {
  const op = (name: string) => {
    const f = ops[name] as ((d: Db, a: unknown) => unknown) | undefined;
    if (!f) throw new Error(`unknown write op ${name}`);
    return f;
  };
  // Built once: better-sqlite3 wraps a function per transaction() call.
  const runFast = db.transaction((names: readonly string[], args: readonly unknown[], results: JobResult[]) => {
    for (let i = 0; i < names.length; i++) results[i] = { ok: true, value: op(names[i]!)(db, args[i]) };
  });
  const savepoint = db.transaction((name: string, a: unknown) => op(name)(db, a));
  const runIsolated = db.transaction((names: readonly string[], args: readonly unknown[], results: JobResult[]) => {
    for (let i = 0; i < names.length; i++) {
      try {
        results[i] = { ok: true, value: savepoint(names[i]!, args[i]) };
      } catch (err) {
        if (isFatalSqliteError(err)) throw err;
        results[i] = { ok: false, error: err };
      }
    }
  });
  return (names, args) => {
    const results: JobResult[] = new Array(names.length);
    try {
      // Fast path: the whole batch in one transaction, no savepoint per job.
      runFast(names, args, results);
    } catch (err) {
      // A full disk or read-only file fails the whole batch, not just this job.
      if (isFatalSqliteError(err)) throw err;
      runIsolated(names, args, results);
    }
    return results;
  };
}

export function isFatalSqliteError(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  return /^SQLITE_(FULL|READONLY|IOERR|CORRUPT|CANTOPEN|NOTADB|BUSY|LOCKED)/.test(code);
}
