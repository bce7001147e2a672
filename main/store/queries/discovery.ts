import type { Db } from '../db.js';
import { nowIso, stmt } from '../statements.js';

export type DeviceSource = 'probe' | 'mdns' | 'ocpp';

export interface OpenPort {
  port: number;
  tls: boolean;
  status: number | null;
  server: string | null;
  title: string | null;
  certSubject: string | null;
}

export interface MdnsServiceSeen {
  type: string;
  name: string;
  port: number;
  /** TXT record, e.g. an `_ocpp._tcp` charger's path. */
  txt: Record<string, string>;
}

export interface DiscoveredDevice {
  ip: string;
  mac: string | null;
  /** IEEE OUI owner of the MAC's first three bytes. */
  macVendor: string | null;
  /** Guess from the web page / mDNS / BootNotification. */
  vendor: string | null;
  model: string | null;
  hostname: string | null;
  openPorts: OpenPort[];
  title: string | null;
  mdnsServices: MdnsServiceSeen[];
  sources: DeviceSource[];
  /** The charger that connected over OCPP from this address. */
  ocppChargePointId: string | null;
  /** Registered charger whose IP address, or last OCPP address, is this one. */
  chargePointId: string | null;
  firstSeen: string;
  lastSeen: string;
  /** new: first found by the latest finished scan; gone: a later scan of its range missed it. */
  state: 'new' | 'present' | 'gone';
  goneAt: string | null;
}

/** What one source learned about an address; absent fields keep what others found. */
export interface DeviceSighting {
  ip: string;
  source: DeviceSource;
  at?: string;
  mac?: string | null;
  macVendor?: string | null;
  vendor?: string | null;
  model?: string | null;
  /** The vendor is only a generic guess: it does not replace one already known. */
  vendorIsGeneric?: boolean;
  hostname?: string | null;
  openPorts?: OpenPort[];
  title?: string | null;
  mdnsService?: MdnsServiceSeen;
  ocppChargePointId?: string;
  scanId?: string;
}

type Row = Record<string, unknown>;

/** A device with the registered charger at its address (indexed lookups, migration 014: it runs on every OCPP sighting). */
export const DEVICE_SELECT = `
  SELECT d.*, (SELECT c.charge_point_id FROM chargers c WHERE c.ip_address = d.ip OR c.remote_address = d.ip OR c.charge_point_id = d.ocpp_charge_point_id
                ORDER BY c.charge_point_id = d.ocpp_charge_point_id DESC, c.ip_address = d.ip DESC LIMIT 1) AS registered,
         (SELECT id FROM discovery_scans WHERE state = 'done' ORDER BY finished_at DESC LIMIT 1) AS latest_scan
  FROM discovered_devices d`;

function toDevice(r: Row): DiscoveredDevice {
  return {
    ip: r.ip as string,
    mac: (r.mac as string) ?? null,
    macVendor: (r.mac_vendor as string) ?? null,
    vendor: (r.vendor as string) ?? null,
    model: (r.model as string) ?? null,
    hostname: (r.hostname as string) ?? null,
    openPorts: JSON.parse(r.open_ports as string),
    title: (r.title as string) ?? null,
    mdnsServices: JSON.parse(r.mdns_services as string),
    sources: JSON.parse(r.sources as string),
    ocppChargePointId: (r.ocpp_charge_point_id as string) ?? null,
    chargePointId: (r.registered as string) ?? null,
    firstSeen: r.first_seen as string,
    lastSeen: r.last_seen as string,
    state: r.gone_at ? 'gone' : r.first_scan_id != null && r.first_scan_id === r.latest_scan ? 'new' : 'present',
    goneAt: (r.gone_at as string) ?? null,
  };
}

/** IPv4 addresses sort numerically. */
const ipKey = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + (Number(o) || 0), 0);

export function listDevices(db: Db): DiscoveredDevice[] {
  return (stmt(db, DEVICE_SELECT).all() as Row[]).map(toDevice).sort((a, b) => ipKey(a.ip) - ipKey(b.ip) || a.ip.localeCompare(b.ip));
}

export function getDevice(db: Db, ip: string): DiscoveredDevice | undefined {
  const r = stmt(db, `${DEVICE_SELECT} WHERE d.ip = ?`).get(ip) as Row | undefined;
  return r && toDevice(r);
}

const union = <T>(a: T[], b: T[], key: (t: T) => string) => [...new Map([...a, ...b].map((x) => [key(x), x])).values()];

/** Merges a sighting into the device's row (created on first sight); returns the device. */
export function recordSighting(db: Db, s: DeviceSighting): DiscoveredDevice {
  const at = s.at ?? nowIso();
  {
    const old = stmt(db, 'SELECT * FROM discovered_devices WHERE ip = ?').get(s.ip) as Row | undefined;
    const sources = union<DeviceSource>(old ? JSON.parse(old.sources as string) : [], [s.source], (x) => x);
    const services = union<MdnsServiceSeen>(old ? JSON.parse(old.mdns_services as string) : [], s.mdnsService ? [s.mdnsService] : [], (x) => `${x.type}/${x.name}`);
    // A probe sees every open port at once: its list replaces the last one.
    const ports = s.openPorts ?? (old ? JSON.parse(old.open_ports as string) : []);
    const pick = <K extends keyof DeviceSighting>(k: K, col: string) => (s[k] !== undefined && s[k] !== null ? s[k] : ((old?.[col] as DeviceSighting[K]) ?? null));
    const keepVendor = s.vendorIsGeneric && old?.vendor != null;
    stmt(
      db,
      `INSERT INTO discovered_devices(ip, mac, mac_vendor, vendor, model, hostname, open_ports, title, mdns_services, sources, ocpp_charge_point_id, first_seen, last_seen, first_scan_id, gone_at)
       VALUES (@ip, @mac, @macVendor, @vendor, @model, @hostname, @ports, @title, @services, @sources, @cp, @at, @at, @scan, NULL)
       ON CONFLICT(ip) DO UPDATE SET mac = @mac, mac_vendor = @macVendor, vendor = @vendor, model = @model, hostname = @hostname, open_ports = @ports,
         title = @title, mdns_services = @services, sources = @sources, ocpp_charge_point_id = @cp, last_seen = @at, gone_at = NULL`,
    ).run({
      ip: s.ip,
      mac: pick('mac', 'mac'),
      macVendor: pick('macVendor', 'mac_vendor'),
      vendor: keepVendor ? old.vendor : pick('vendor', 'vendor'),
      model: keepVendor ? old.model : pick('model', 'model'),
      hostname: pick('hostname', 'hostname'),
      ports: JSON.stringify(ports),
      title: pick('title', 'title'),
      services: JSON.stringify(services),
      sources: JSON.stringify(sources),
      cp: pick('ocppChargePointId', 'ocpp_charge_point_id'),
      at,
      scan: s.scanId ?? null,
    });
  }
  return getDevice(db, s.ip)!;
}

/** After a finished scan: probed devices in its range that it did not find are gone. */
export function markGone(db: Db, candidates: readonly string[], found: ReadonlySet<string>, at = nowIso()): string[] {
  const mark = stmt(db, `UPDATE discovered_devices SET gone_at = ? WHERE ip = ? AND gone_at IS NULL AND sources LIKE '%"probe"%'`);
  return candidates.filter((ip) => !found.has(ip) && mark.run(at, ip).changes > 0);
}

export function deleteDevice(db: Db, ip: string): boolean {
  return stmt(db, 'DELETE FROM discovered_devices WHERE ip = ?').run(ip).changes > 0;
}

export type ScanState = 'running' | 'done' | 'cancelled' | 'failed';

export interface ScanRecord {
  id: string;
  range: string;
  ports: number[];
  state: ScanState;
  total: number;
  done: number;
  found: number;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

const toScan = (r: Row): ScanRecord => ({
  id: r.id as string,
  range: r.range_text as string,
  ports: JSON.parse(r.ports as string),
  state: r.state as ScanState,
  total: r.total as number,
  done: r.done as number,
  found: r.found as number,
  error: (r.error as string) ?? null,
  startedAt: r.started_at as string,
  finishedAt: (r.finished_at as string) ?? null,
});

/** Scans kept in the history (older ones are deleted as new ones start). */
export const SCANS_KEPT = 200;

export function insertScan(db: Db, s: Pick<ScanRecord, 'id' | 'range' | 'ports' | 'total' | 'startedAt'>): void {
  stmt(db, `INSERT INTO discovery_scans(id, range_text, ports, state, total, started_at) VALUES (?, ?, ?, 'running', ?, ?)`).run(s.id, s.range, JSON.stringify(s.ports), s.total, s.startedAt);
  stmt(db, 'DELETE FROM discovery_scans WHERE id NOT IN (SELECT id FROM discovery_scans ORDER BY started_at DESC LIMIT ?)').run(SCANS_KEPT);
}

export function finishScan(db: Db, s: Pick<ScanRecord, 'id' | 'state' | 'done' | 'found' | 'error' | 'finishedAt'>): void {
  stmt(db, 'UPDATE discovery_scans SET state = ?, done = ?, found = ?, error = ?, finished_at = ? WHERE id = ?').run(s.state, s.done, s.found, s.error, s.finishedAt ?? nowIso(), s.id);
}

export function getScan(db: Db, id: string): ScanRecord | undefined {
  const r = stmt(db, 'SELECT * FROM discovery_scans WHERE id = ?').get(id) as Row | undefined;
  return r && toScan(r);
}

export function listScans(db: Db, limit = 20): ScanRecord[] {
  return (stmt(db, 'SELECT * FROM discovery_scans ORDER BY started_at DESC LIMIT ?').all(limit) as Row[]).map(toScan);
}

/** Scans a previous run left 'running' (the app stopped mid-scan). */
export function failInterruptedScans(db: Db): void {
  stmt(db, `UPDATE discovery_scans SET state = 'failed', error = 'the app stopped during the scan', finished_at = ? WHERE state = 'running'`).run(nowIso());
}
