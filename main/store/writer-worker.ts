import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { batchCommitter, type OpTable } from './batch-commit.js';
import { type Db, openDb } from './db.js';
import { type FromWriter, type ToWriter, toWire, type WriterWorkerData } from './writer-protocol.js';

/**
 * The writer's worker thread: its own connection (WAL, synchronous=FULL), each batch in one
 * transaction, the answer posted once COMMIT (and its fsync) returned. A worker entry calls this
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
  port.on('message', (m: ToWriter) => {
    if ('close' in m) {
      wal.close();
      db.close();
      port.close();
      return;
    }
    let reply: FromWriter;
    try {
      if ('pragma' in m) reply = { seq: m.seq, results: [{ ok: true, value: db.pragma(m.pragma) }] };
      else reply = { seq: m.seq, results: commit(m.names, m.args).map((r) => (r.ok ? r : { ok: false, error: toWire(r.error) })) };
    } catch (err) {
      reply = { seq: m.seq, fatal: toWire(err) };
    }
    port.postMessage(reply);
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
