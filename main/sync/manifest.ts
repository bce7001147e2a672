import { createHash } from 'node:crypto';
import type { Db } from '../store/db.js';
import { sessionsEndedBetween } from '../store/queries/outbox.js';

export interface DayManifest {
  /** Local calendar day of the depot, YYYY-MM-DD. */
  date: string;
  /** The day as UTC instants [from, to): head office counts the sessions whose end_date_time falls in it. */
  from: string;
  to: string;
  /** false while the day is still running (today's partial manifest). */
  complete: boolean;
  sessions: number;
  digest: string;
  chargers: Array<{ charge_point_id: string; sessions: number; digest: string }>;
}

/** sha256 over the sorted session ids, one per line: head office recomputes it from what it stored. */
export const sessionDigest = (ids: string[]): string =>
  createHash('sha256')
    .update([...ids].sort().join('\n'))
    .digest('hex');

const localDate = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** Count and digest of the sessions that ended on the local day containing `day`, per charger. */
export function buildDayManifest(db: Db, day: Date, now: Date): DayManifest {
  const start = new Date(day.getFullYear(), day.getMonth(), day.getDate());
  const end = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1);
  const rows = sessionsEndedBetween(db, start.toISOString(), end.toISOString());
  const byCharger = new Map<string, string[]>();
  for (const r of rows) byCharger.set(r.chargePointId, [...(byCharger.get(r.chargePointId) ?? []), r.sessionUid]);
  return {
    date: localDate(start),
    from: start.toISOString(),
    to: end.toISOString(),
    complete: now >= end,
    sessions: rows.length,
    digest: sessionDigest(rows.map((r) => r.sessionUid)),
    chargers: [...byCharger].map(([cp, ids]) => ({ charge_point_id: cp, sessions: ids.length, digest: sessionDigest(ids) })),
  };
}
