import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import type { Db } from './db.js';

const PREFIX = 'ocpp-edge-';
const SUFFIX = '.db';

export class BackupError extends Error {
  override name = 'BackupError';
}

export interface BackupFile {
  file: string;
  name: string;
  bytes: number;
  createdAt: string;
}

/** `2026-12-02T06:38:31.042Z` -> `20261202T063831042Z`: sorts as time does, to the millisecond. */
const stamp = (d: Date) => d.toISOString().replace(/[-:.]/g, '');

/**
 * Reserves a new file `<prefix><stamp>-<nnn><suffix>` in `dir` (created empty, exclusively), so
 * two backups in the same millisecond, even from two processes, never share a name. The
 * sequence number keeps names of one millisecond in the order they were taken.
 */
function reserveName(dir: string, now: Date): string {
  for (let seq = 0; seq < 1000; seq++) {
    const name = `${PREFIX}${stamp(now)}-${String(seq).padStart(3, '0')}${SUFFIX}`;
    if (existsSync(join(dir, name))) continue;
    try {
      closeSync(openSync(join(dir, `${name}.partial`), 'wx'));
      return name;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new BackupError(`no free backup name for ${stamp(now)} in ${dir}`);
}

/** Opens a copy read-only and runs SQLite's integrity check on it. */
export function checkIntegrity(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

/**
 * Online backup with SQLite's backup API: chargers keep being served while pages are copied.
 * The copy is checked before it counts, then the oldest beyond `keep` are removed.
 */
export async function backupNow(db: Db, dir: string, keep: number, now = new Date()): Promise<BackupFile> {
  mkdirSync(dir, { recursive: true });
  const name = reserveName(dir, now);
  const file = join(dir, name);
  const partial = `${file}.partial`;
  try {
    await db.backup(partial);
    const integrity = checkIntegrity(partial);
    if (integrity !== 'ok') throw new BackupError(`backup failed its integrity check: ${integrity}`);
    renameSync(partial, file);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err instanceof BackupError ? err : new BackupError(`backup to ${file} failed: ${(err as Error).message}`, { cause: err });
  }
  for (const old of listBackups(dir).slice(keep)) rmSync(old.file, { force: true });
  return { file, name, bytes: statSync(file).size, createdAt: now.toISOString() };
}

/** Backups in `dir`, newest first. */
export function listBackups(dir: string): BackupFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.startsWith(PREFIX) && n.endsWith(SUFFIX))
    .sort()
    .reverse()
    .map((name) => {
      const file = join(dir, name);
      const st = statSync(file);
      return { file, name, bytes: st.size, createdAt: st.mtime.toISOString() };
    });
}

/**
 * Refuses (BackupError) while any connection, in any process, has `dbFile` open. In WAL mode
 * every open connection keeps a shared lock on the file for as long as it is open, so an
 * exclusive lock is granted only when nobody else uses the database; the OS drops those locks
 * when their process ends, even by kill -9, so a crashed service never blocks a restore.
 */
export function assertNotInUse(dbFile: string): void {
  const db = new Database(dbFile, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('ROLLBACK');
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new BackupError(`the database ${dbFile} is in use: stop the service (npm run serve or the desktop app) before restoring`, { cause: err });
    }
    throw err;
  } finally {
    // Closing also checkpoints a WAL a crashed service left, so the kept copy is one file.
    db.close();
  }
}

/**
 * Puts a backup in place of the database, refusing while it is in use (a running service would
 * go on writing into the renamed file). The current file and its WAL are kept beside it as
 * `<db>.before-restore-<time>` so a restore can be undone.
 */
export function restoreBackup(backupFile: string, dbFile: string, now = new Date()): { previous: string | null } {
  if (!existsSync(backupFile)) throw new BackupError(`backup ${backupFile} does not exist`);
  const integrity = checkIntegrity(backupFile);
  if (integrity !== 'ok') throw new BackupError(`backup ${basename(backupFile)} failed its integrity check: ${integrity}`);
  let previous: string | null = null;
  if (existsSync(dbFile)) {
    assertNotInUse(dbFile);
    previous = `${dbFile}.before-restore-${stamp(now)}`;
    renameSync(dbFile, previous);
    for (const ext of ['-wal', '-shm']) if (existsSync(dbFile + ext)) renameSync(dbFile + ext, previous + ext);
  }
  const tmp = `${dbFile}.restoring`;
  copyFileSync(backupFile, tmp);
  renameSync(tmp, dbFile);
  return { previous };
}
