import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { batchCommitter, type OpTable } from './batch-commit.js';
import { type Db, openDb } from './db.js';
import { type FromWriter, type ToWriter, toWire, type WriterWorkerData } from './writer-protocol.js';

type BatchMessage = Extract<ToWriter, { names: string[] }>;

/**
 * The writer's worker thread: its own connection (WAL, synchronous=FULL), the batches that
 * waited while the last commit ran in one transaction, each answer posted once COMMIT (and its
 * fsync) returned. A worker entry calls this
 * with every op table it serves and, optionally, a per-connection setup.
 */
export function serveWrites<S>(ops: OpTable, configure?: (db: Db, setup: S) => void): void {
  const port = parentPort;
  if (!port) throw new Error('serveWrites() runs in a worker thread');
  const d = workerData as WriterWorkerData;
  const db = openDb(d.file);
  // Checkpoints are run below, after the answer is posted, not inside a COMMIT.
  db.pragma('wal_autocheckpoint = 0');
  configure?.(db, d.setup as S);
  const commit = batchCommitter(db, ops);
  const wal = walSizeReader(db, d.file);
  const reply = (r: FromWriter) => {
    try {
      port.postMessage(r);
    } catch (err) {
      // A result that cannot be copied back (an op returning a function): that answer fails, the thread lives on.
      const error = toWire(err);
      port.postMessage('results' in r ? { seq: r.seq, results: r.results.map(() => ({ ok: false, error })) } : { seq: r.seq, fatal: error });
    }
  };
  port.on('message', (first: ToWriter) => {
    // Everything that arrived while the last commit ran goes into the next one: the main thread
    // sends each event-loop turn's jobs at once, and the commits form from what waited.
    const waiting: ToWriter[] = [first];
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) waiting.push(m.message as ToWriter);
    for (let i = 0; i < waiting.length; ) {
      const m = waiting[i]!;
      if ('close' in m) {
        wal.close();
        db.close();
        port.close();
        return;
      }
      if ('pragma' in m) {
        try {
          reply({ seq: m.seq, results: [{ ok: true, value: db.pragma(m.pragma) }] });
        } catch (err) {
          reply({ seq: m.seq, fatal: toWire(err) });
        }
        i++;
        continue;
      }
      // Consecutive batches, up to maxBatch jobs, share one transaction and one fsync.
      const group: BatchMessage[] = [m];
      let jobs = m.names.length;
      for (let j = i + 1; j < waiting.length; j++) {
        const next = waiting[j]!;
        if (!('names' in next) || jobs + next.names.length > d.maxBatch) break;
        group.push(next);
        jobs += next.names.length;
      }
      i += group.length;
      try {
        const results = commit(group.length === 1 ? m.names : group.flatMap((g) => g.names), group.length === 1 ? m.args : group.flatMap((g) => g.args));
        let at = 0;
        for (const g of group) {
          reply({ seq: g.seq, results: results.slice(at, at + g.names.length).map((r) => (r.ok ? r : { ok: false, error: toWire(r.error) })) });
          at += g.names.length;
        }
      } catch (err) {
        for (const g of group) reply({ seq: g.seq, fatal: toWire(err) });
      }
    }
    if (wal.bytes() >= d.walCheckpointBytes) {
      try {
        db.pragma('wal_checkpoint(PASSIVE)');
      } catch {
        // A checkpoint that cannot run now (disk full, a reader) is retried after the next commit.
      }
    }
  });
}

/**
 * The WAL's current size: mxFrame (last valid frame) of the WAL-index header, at byte 16 of the
 * -shm file in native byte order (sqlite.org/fileformat2.html, "The WAL-Index Format"). The
 * -wal file's own size is no use: it keeps its high-water mark after a checkpoint.
 */
function walSizeReader(db: Db, file: string): { bytes(): number; close(): void } {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const buf = Buffer.alloc(4);
  let fd: number | null = null;
  return {
    bytes() {
      try {
        fd ??= openSync(`${file}-shm`, 'r');
        readSync(fd, buf, 0, 4, 16);
      } catch {
        return 0;
      }
      return (endianness() === 'LE' ? buf.readUInt32LE(0) : buf.readUInt32BE(0)) * pageSize;
    },
    close() {
      if (fd !== null) closeSync(fd);
    },
  };
}
