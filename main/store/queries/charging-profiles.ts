import type { Db } from '../db.js';
import { stmt } from '../statements.js';

export function saveChargingProfile(db: Db, p: { chargePointId: string; connectorId: number; profileId: number; purpose: string; stackLevel: number; profile: unknown; at: string }): void {
  stmt(
    db,
    `INSERT INTO charging_profiles(charge_point_id, connector_id, profile_id, purpose, stack_level, profile, set_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(charge_point_id, profile_id) DO UPDATE SET connector_id = excluded.connector_id, purpose = excluded.purpose,
       stack_level = excluded.stack_level, profile = excluded.profile, set_at = excluded.set_at`,
  ).run(p.chargePointId, p.connectorId, p.profileId, p.purpose, p.stackLevel, JSON.stringify(p.profile), p.at);
}

/** Mirrors ClearChargingProfile's matching rules: every given criterion must match. */
export function clearChargingProfiles(db: Db, chargePointId: string, c: { id?: number; connectorId?: number; purpose?: string; stackLevel?: number }): number {
  const where = ['charge_point_id = ?'];
  const args: unknown[] = [chargePointId];
  if (c.id !== undefined) where.push('profile_id = ?'), args.push(c.id);
  if (c.connectorId !== undefined) where.push('connector_id = ?'), args.push(c.connectorId);
  if (c.purpose !== undefined) where.push('purpose = ?'), args.push(c.purpose);
  if (c.stackLevel !== undefined) where.push('stack_level = ?'), args.push(c.stackLevel);
  return db.prepare(`DELETE FROM charging_profiles WHERE ${where.join(' AND ')}`).run(...args).changes;
}

export function listChargingProfiles(db: Db, chargePointId: string): unknown[] {
  const rows = stmt(
    db,
    'SELECT connector_id AS connectorId, profile_id AS profileId, purpose, stack_level AS stackLevel, profile, set_at AS setAt FROM charging_profiles WHERE charge_point_id = ? ORDER BY profile_id',
  ).all(chargePointId) as Array<Record<string, unknown>>;
  return rows.map((r) => ({ ...r, profile: JSON.parse(r.profile as string) }));
}
