import type { Db } from '../db.js';
import { stmt } from '../statements.js';

export interface LoggedFrame {
  chargePointId: string;
  direction: 'in' | 'out';
  frame: string;
  at: string;
}

/** A frame as the OCPP side buffers it: its instant in epoch ms, formatted by the writer (off the main thread). */
export interface FrameToLog {
  chargePointId: string;
  direction: 'in' | 'out';
  frame: string;
  atMs: number;
}

const ROWS = 50;

/** Multi-row INSERTs: the log takes two rows per OCPP message, so this runs a lot. */
export function insertFrames(db: Db, frames: FrameToLog[]): void {
  for (let i = 0; i < frames.length; i += ROWS) {
    const part = frames.slice(i, i + ROWS);
    const args: unknown[] = [];
    for (const f of part) args.push(f.chargePointId, f.direction, f.frame, new Date(f.atMs).toISOString());
    stmt(db, `INSERT INTO message_log(charge_point_id, direction, frame, at) VALUES ${new Array(part.length).fill('(?, ?, ?, ?)').join(', ')}`).run(...args);
  }
}
/** Keeps the newest `keep` frames: the log is bounded, oldest rotated out first. */
export function pruneFrames(db: Db, keep: number): number {
  return stmt(db, 'DELETE FROM message_log WHERE id <= (SELECT max(id) FROM message_log) - ?').run(keep).changes;
}

export function recentFrames(db: Db, chargePointId: string, limit: number): LoggedFrame[] {
  return stmt(db, 'SELECT charge_point_id AS chargePointId, direction, frame, at FROM message_log WHERE charge_point_id = ? ORDER BY id DESC LIMIT ?').all(chargePointId, limit) as LoggedFrame[];
}

export function insertDeviation(db: Db, d: { chargePointId: string; action: string; direction: string; error: string; payload: string; at: string }): void {
  stmt(db, 'INSERT INTO schema_deviations(charge_point_id, action, direction, error, payload, at) VALUES (?, ?, ?, ?, ?, ?)').run(d.chargePointId, d.action, d.direction, d.error, d.payload, d.at);
}

export function listDeviations(db: Db, chargePointId: string, limit: number): unknown[] {
  return stmt(db, 'SELECT action, direction, error, payload, at FROM schema_deviations WHERE charge_point_id = ? ORDER BY id DESC LIMIT ?').all(chargePointId, limit);
}
