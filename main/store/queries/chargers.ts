import type { Db } from '../db.js';
import { nowIso, stmt } from '../statements.js';

export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected';

/** The charger as the API shows it (seed 000/004 field names). */
export interface SecurityWarning {
  code: 'no-password';
  message: string;
}

const NO_PASSWORD: SecurityWarning = {
  code: 'no-password',
  message: "No password: unless requireChargerPassword is on, anyone on the network can connect with this identity and replace the charger's connection. Set one (security profile 1).",
};

export interface Charger {
  chargePointId: string;
  serialNumber: string | null;
  catalogNumber: string | null;
  vendor: string | null;
  model: string | null;
  firmwareVersion: string | null;
  chargeBoxSerialNumber: string | null;
  iccid: string | null;
  imsi: string | null;
  meterType: string | null;
  meterSerialNumber: string | null;
  ratedVolts: number | null;
  ratedAmps: number | null;
  maximumAmps: number | null;
  ipAddress: string | null;
  targetGroup: string | null;
  description: string | null;
  registrationStatus: RegistrationStatus;
  autoRegistered: boolean;
  lenient: boolean;
  hasPassword: boolean;
  /** What an operator should fix, e.g. `no-password`. */
  security: { warnings: SecurityWarning[] };
  isConnected: boolean;
  lastSeen: string | null;
  remoteAddress: string | null;
  remotePort: number | null;
  bootStatus: string | null;
  lastBootAt: string | null;
  lastHeartbeatAt: string | null;
  firmwareStatus: string | null;
  firmwareStatusAt: string | null;
  diagnosticsStatus: string | null;
  diagnosticsStatusAt: string | null;
  /** The OCPP version it negotiated on its last connection (issue 14); null before its first. */
  ocppVersion: string | null;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS: Record<string, keyof Charger> = {
  charge_point_id: 'chargePointId',
  serial_number: 'serialNumber',
  catalog_number: 'catalogNumber',
  vendor: 'vendor',
  model: 'model',
  firmware_version: 'firmwareVersion',
  charge_box_serial_number: 'chargeBoxSerialNumber',
  iccid: 'iccid',
  imsi: 'imsi',
  meter_type: 'meterType',
  meter_serial_number: 'meterSerialNumber',
  rated_volts: 'ratedVolts',
  rated_amps: 'ratedAmps',
  maximum_amps: 'maximumAmps',
  ip_address: 'ipAddress',
  target_group: 'targetGroup',
  description: 'description',
  registration_status: 'registrationStatus',
  remote_address: 'remoteAddress',
  remote_port: 'remotePort',
  last_seen: 'lastSeen',
  boot_status: 'bootStatus',
  last_boot_at: 'lastBootAt',
  last_heartbeat_at: 'lastHeartbeatAt',
  firmware_status: 'firmwareStatus',
  firmware_status_at: 'firmwareStatusAt',
  diagnostics_status: 'diagnosticsStatus',
  diagnostics_status_at: 'diagnosticsStatusAt',
  ocpp_version: 'ocppVersion',
  created_at: 'createdAt',
  updated_at: 'updatedAt',
};

type Row = Record<string, unknown>;

function toCharger(row: Row): Charger {
  const out: Record<string, unknown> = {};
  for (const [col, key] of Object.entries(COLUMNS)) out[key] = row[col] ?? null;
  out.autoRegistered = row.auto_registered === 1;
  out.lenient = row.lenient === 1;
  out.hasPassword = row.password_hash != null;
  out.security = { warnings: out.hasPassword ? [] : [NO_PASSWORD] };
  out.isConnected = row.is_connected === 1;
  return out as unknown as Charger;
}

export function getCharger(db: Db, id: string): Charger | undefined {
  const row = stmt(db, 'SELECT * FROM chargers WHERE charge_point_id = ?').get(id) as Row | undefined;
  return row && toCharger(row);
}

export function listChargers(db: Db, opts: { connectedOnly?: boolean } = {}): Charger[] {
  const sql = opts.connectedOnly ? 'SELECT * FROM chargers WHERE is_connected = 1 ORDER BY charge_point_id' : 'SELECT * FROM chargers ORDER BY charge_point_id';
  return (stmt(db, sql).all() as Row[]).map(toCharger);
}

/** Chargers without a password: anyone can connect with their identity. */
export function listPasswordless(db: Db): Array<{ chargePointId: string; isConnected: boolean; remoteAddress: string | null }> {
  const rows = stmt(db, 'SELECT charge_point_id, is_connected, remote_address FROM chargers WHERE password_hash IS NULL ORDER BY charge_point_id').all() as Row[];
  return rows.map((r) => ({ chargePointId: r.charge_point_id as string, isConnected: r.is_connected === 1, remoteAddress: (r.remote_address as string) ?? null }));
}

/** What the upgrade handler needs before accepting a socket. */
export function getChargerAuth(
  db: Db,
  id: string,
): { passwordHash: string | null; pendingPasswordHash: string | null; registrationStatus: RegistrationStatus; lenient: boolean; lastAddress: string | null } | undefined {
  const row = stmt(db, 'SELECT password_hash, password_hash_pending, registration_status, lenient, remote_address FROM chargers WHERE charge_point_id = ?').get(id) as Row | undefined;
  if (!row) return undefined;
  return {
    passwordHash: (row.password_hash as string) ?? null,
    pendingPasswordHash: (row.password_hash_pending as string) ?? null,
    registrationStatus: row.registration_status as RegistrationStatus,
    lenient: row.lenient === 1,
    /** Where it last connected from (after passing the upgrade). */
    lastAddress: (row.remote_address as string) ?? null,
  };
}

/** A key being rolled out: valid besides the current one until the charger confirms or refuses it. */
export function setPendingPassword(db: Db, id: string, hash: string | null): void {
  stmt(db, 'UPDATE chargers SET password_hash_pending = ?, updated_at = ? WHERE charge_point_id = ?').run(hash, nowIso(), id);
}

/**
 * The pending key is now the charger's key (it accepted it, or logged in with it). `expected`:
 * only if the pending key is still that one (a login checked against it across an await).
 */
export function promotePendingPassword(db: Db, id: string, expected?: string): void {
  stmt(
    db,
    `UPDATE chargers SET password_hash = password_hash_pending, password_hash_pending = NULL, updated_at = ?
     WHERE charge_point_id = ? AND password_hash_pending IS NOT NULL AND password_hash_pending = coalesce(?, password_hash_pending)`,
  ).run(nowIso(), id, expected ?? null);
}

/** Fields an operator may set (seed 004 charger CRUD). */
export type ChargerFields = Partial<
  Pick<Charger, 'serialNumber' | 'catalogNumber' | 'vendor' | 'model' | 'ratedVolts' | 'ratedAmps' | 'maximumAmps' | 'ipAddress' | 'targetGroup' | 'description' | 'registrationStatus' | 'lenient'>
>;

const KEY_TO_COLUMN = Object.fromEntries(Object.entries(COLUMNS).map(([c, k]) => [k, c])) as Record<string, string>;
KEY_TO_COLUMN.lenient = 'lenient';

function sqlValue(v: unknown): unknown {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

/** Inserts the charger; false (nothing written) when the identity exists already. One statement, no check-then-insert. */
export function insertCharger(db: Db, id: string, fields: ChargerFields & { autoRegistered?: boolean; passwordHash?: string | null } = {}): boolean {
  const now = nowIso();
  const cols = ['charge_point_id', 'created_at', 'updated_at', 'auto_registered', 'password_hash'];
  const vals: unknown[] = [id, now, now, fields.autoRegistered ? 1 : 0, fields.passwordHash ?? null];
  for (const [k, v] of Object.entries(fields)) {
    const col = KEY_TO_COLUMN[k];
    if (!col || v === undefined) continue;
    cols.push(col);
    vals.push(sqlValue(v));
  }
  return db.prepare(`INSERT INTO chargers(${cols.join(',')}) VALUES (${cols.map(() => '?').join(',')}) ON CONFLICT(charge_point_id) DO NOTHING`).run(...vals).changes > 0;
}

/** Creates the row on first sight (auto-registration) and reports whether it existed. */
export function ensureCharger(db: Db, id: string, registrationStatus: RegistrationStatus): boolean {
  const now = nowIso();
  const r = stmt(
    db,
    `INSERT INTO chargers(charge_point_id, registration_status, auto_registered, created_at, updated_at)
     VALUES (?, ?, 1, ?, ?) ON CONFLICT(charge_point_id) DO NOTHING`,
  ).run(id, registrationStatus, now, now);
  return r.changes === 0;
}

export function updateCharger(db: Db, id: string, fields: ChargerFields): boolean {
  const sets: string[] = [];
  const vals: unknown[] = [];
  for (const [k, v] of Object.entries(fields)) {
    const col = KEY_TO_COLUMN[k];
    if (!col || v === undefined) continue;
    sets.push(`${col} = ?`);
    vals.push(sqlValue(v));
  }
  sets.push('updated_at = ?');
  vals.push(nowIso());
  return db.prepare(`UPDATE chargers SET ${sets.join(', ')} WHERE charge_point_id = ?`).run(...vals, id).changes > 0;
}

export function setChargerPassword(db: Db, id: string, passwordHash: string | null): boolean {
  return stmt(db, 'UPDATE chargers SET password_hash = ?, updated_at = ? WHERE charge_point_id = ?').run(passwordHash, nowIso(), id).changes > 0;
}

export function deleteCharger(db: Db, id: string): boolean {
  return stmt(db, 'DELETE FROM chargers WHERE charge_point_id = ?').run(id).changes > 0;
}

export function recordBoot(
  db: Db,
  id: string,
  boot: {
    vendor: string;
    model: string;
    serialNumber?: string;
    chargeBoxSerialNumber?: string;
    firmwareVersion?: string;
    iccid?: string;
    imsi?: string;
    meterType?: string;
    meterSerialNumber?: string;
    status: string;
    at: string;
  },
): void {
  // An operator-entered serial number wins over what firmware reports.
  stmt(
    db,
    `UPDATE chargers SET vendor = ?, model = ?, serial_number = coalesce(serial_number, ?), charge_box_serial_number = ?,
       firmware_version = ?, iccid = ?, imsi = ?, meter_type = ?, meter_serial_number = ?, boot_status = ?, last_boot_at = ?,
       last_seen = ?, updated_at = ? WHERE charge_point_id = ?`,
  ).run(
    boot.vendor,
    boot.model,
    boot.serialNumber ?? boot.chargeBoxSerialNumber ?? null,
    boot.chargeBoxSerialNumber ?? null,
    boot.firmwareVersion ?? null,
    boot.iccid ?? null,
    boot.imsi ?? null,
    boot.meterType ?? null,
    boot.meterSerialNumber ?? null,
    boot.status,
    boot.at,
    boot.at,
    boot.at,
    id,
  );
}

export function setConnection(db: Db, id: string, c: { isConnected: boolean; at: string; remoteAddress?: string; remotePort?: number; ocppVersion?: string }): void {
  if (c.isConnected) {
    stmt(db, 'UPDATE chargers SET is_connected = 1, last_seen = ?, remote_address = ?, remote_port = ?, ocpp_version = coalesce(?, ocpp_version), updated_at = ? WHERE charge_point_id = ?').run(
      c.at,
      c.remoteAddress ?? null,
      c.remotePort ?? null,
      c.ocppVersion ?? null,
      c.at,
      id,
    );
  } else {
    stmt(db, 'UPDATE chargers SET is_connected = 0, last_seen = ?, updated_at = ? WHERE charge_point_id = ?').run(c.at, c.at, id);
  }
}

/**
 * After a restart (or at shutdown) nobody is connected, whatever the last run left in the
 * table. Their connectors' last reports are stale too: a charger that comes back reports only
 * its current state, so a "Charging" left from before the restart would never be corrected.
 * They get the same offline marking as a disconnect (connectors.markConnectorsUnknown).
 */
export function markAllDisconnected(db: Db): void {
  db.transaction(() => {
    stmt(
      db,
      `UPDATE connectors SET status = 'Unavailable', error_code = 'NoError', info = 'charger offline', updated_at = ?
       WHERE NOT (status = 'Unavailable' AND info IS 'charger offline')`,
    ).run(nowIso());
    stmt(db, `UPDATE evse_connectors SET status = 'Unavailable', updated_at = ? WHERE status <> 'Unavailable'`).run(nowIso());
    stmt(db, 'UPDATE chargers SET is_connected = 0 WHERE is_connected = 1').run();
  })();
}

export function touchLastSeen(db: Db, id: string, at: string, heartbeat: boolean): void {
  if (heartbeat) stmt(db, 'UPDATE chargers SET last_seen = ?, last_heartbeat_at = ? WHERE charge_point_id = ?').run(at, at, id);
  else stmt(db, 'UPDATE chargers SET last_seen = ? WHERE charge_point_id = ?').run(at, id);
}

export function setFirmwareStatus(db: Db, id: string, status: string, at: string): void {
  stmt(db, 'UPDATE chargers SET firmware_status = ?, firmware_status_at = ? WHERE charge_point_id = ?').run(status, at, id);
}

export function setDiagnosticsStatus(db: Db, id: string, status: string, at: string): void {
  stmt(db, 'UPDATE chargers SET diagnostics_status = ?, diagnostics_status_at = ? WHERE charge_point_id = ?').run(status, at, id);
}
