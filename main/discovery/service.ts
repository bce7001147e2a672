/**
 * The installer's discovery: subnet scans, mDNS (when enabled) and the addresses chargers
 * connect from over OCPP, merged into one stored device list.
 */
import { hostname } from 'node:os';
import type { Config } from '../config/schema.js';
import { normaliseAddress } from '../desktop/external-url.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log/logger.js';
import type { Db } from '../store/db.js';
import type { DiscoveryWriter } from '../store/discovery-ops.js';
import type { DeviceSighting } from '../store/queries/discovery.js';
import { browseTypes, MdnsDiscovery } from './mdns.js';
import { type NeighbourTable, readNeighbours } from './neighbours.js';
import { loadOuiPackage, type OuiLookup } from './oui.js';
import { defaultRange, lanAddresses, parseRange, ScanRangeError } from './ranges.js';
import { Scanner, type ScanProgress } from './scanner.js';

export const MAX_PORTS = 16;

/** Port list from a request or the config; errors name `field`. */
export function parsePorts(ports: readonly number[], field = 'ports'): number[] {
  if (!ports.length || ports.length > MAX_PORTS) throw new ScanRangeError(`${field} must list 1 to ${MAX_PORTS} ports`, field);
  for (const p of ports) if (!Number.isInteger(p) || p < 1 || p > 65535) throw new ScanRangeError(`${field}: ${p} is not a TCP port (1-65535)`, field);
  return [...new Set(ports)];
}

export interface DiscoveryDeps {
  config: Config;
  db: Db;
  writer: DiscoveryWriter;
  events: EventBus;
  log: Logger;
  /** Defaults: the OS neighbour table and the oui-data package. */
  neighbours?: () => Promise<NeighbourTable>;
  oui?: OuiLookup | null;
  /** bonjour-service options for mDNS (tests: a namespace's interface, or an injected socket). */
  bonjour?: Record<string, unknown>;
}

export class DiscoveryService {
  readonly scanner: Scanner;
  private readonly defaultPorts: number[];
  private mdns: MdnsDiscovery | null = null;
  private readonly offs: Array<() => void> = [];
  /** Where each connected charger's socket comes from, to attach its BootNotification vendor. */
  private readonly addressOf = new Map<string, string>();

  constructor(private readonly d: DiscoveryDeps) {
    this.defaultPorts = parsePorts(d.config.discoveryPorts.split(',').map(Number), 'discoveryPorts');
    let oui = d.oui;
    if (oui === undefined) {
      const loaded = loadOuiPackage();
      if (loaded.error) d.log.warn({ err: loaded.error }, 'MAC vendor lookup off');
      oui = loaded.lookup;
    }
    this.scanner = new Scanner({
      db: d.db,
      writer: d.writer,
      events: d.events,
      log: d.log,
      concurrency: d.config.discoveryProbeConcurrency,
      timeoutMs: d.config.discoveryProbeTimeoutMs,
      neighbours: d.neighbours ?? (() => readNeighbours()),
      oui,
    });
    this.offs.push(
      d.events.on('charger.connected', (e) => {
        const ip = normaliseAddress(e.remoteAddress);
        this.addressOf.set(e.chargePointId, ip);
        this.sighting({ ip, source: 'ocpp', ocppChargePointId: e.chargePointId, at: e.at });
      }),
      d.events.on('charger.disconnected', (e) => this.addressOf.delete(e.chargePointId)),
      d.events.on('charger.booted', (e) => {
        const ip = this.addressOf.get(e.chargePointId);
        if (ip) this.sighting({ ip, source: 'ocpp', ocppChargePointId: e.chargePointId, vendor: e.vendor, model: e.model, at: e.at });
      }),
    );
  }

  private sighting(s: DeviceSighting): void {
    this.d.writer.runLazy('recordSighting', s).then(
      (device) => this.d.events.emit('discovery.device', { device }),
      (err: unknown) => this.d.log.error({ err, ip: s.ip, source: s.source }, 'could not record a device sighting'),
    );
  }

  get mdnsRunning(): boolean {
    return this.mdns !== null;
  }

  /** Closes scans a previous run left open; starts mDNS when the config enables it (`advertise`: this controller's OCPP endpoint). */
  async start(advertise: { port: number; tls: boolean }): Promise<void> {
    await this.d.writer.run('failInterruptedScans', {});
    const c = this.d.config;
    if (!c.discoveryMdns) return;
    this.mdns = new MdnsDiscovery({
      writer: this.d.writer,
      events: this.d.events,
      log: this.d.log,
      types: browseTypes(c.discoveryMdnsTypes),
      advertise: { name: `OCPP Edge on ${hostname()}`, port: advertise.port, path: '/ocpp', tls: advertise.tls },
      bonjour: this.d.bonjour ?? (c.discoveryMdnsInterface ? { interface: c.discoveryMdnsInterface } : {}),
    });
  }

  /** A scan of `range` on `ports` (default: discoveryPorts). */
  startScan(range: string, ports: number[] | undefined): Promise<ScanProgress> {
    return this.scanner.start(parseRange(range), ports ? parsePorts(ports) : this.defaultPorts);
  }

  /** What a scan form proposes: this PC's LAN /24 and the configured ports. */
  defaults(): { range: string; ports: number[]; lanAddresses: Array<{ address: string; netmask: string }>; mdns: boolean } {
    return { range: defaultRange(), ports: this.defaultPorts, lanAddresses: lanAddresses(), mdns: this.mdnsRunning };
  }

  async close(): Promise<void> {
    for (const off of this.offs.splice(0)) off();
    await this.scanner.close();
    await this.mdns?.close();
    this.mdns = null;
  }
}
