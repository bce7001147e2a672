/**
 * Subnet scans: every address of a range probed on a port list with bounded concurrency,
 * cancellable, with progress on the event bus (throttled) and in the store. When a scan
 * finishes, the MACs come from the neighbour table our connection attempts filled, and
 * devices it missed in its range are marked gone.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { EventBus } from '../events.js';
import type { Logger } from '../log/logger.js';
import type { Db } from '../store/db.js';
import type { DiscoveryWriter } from '../store/discovery-ops.js';
import { getScan, listDevices, type ScanRecord } from '../store/queries/discovery.js';
import { guessVendor } from './fingerprint.js';
import type { NeighbourTable } from './neighbours.js';
import type { OuiLookup } from './oui.js';
import { probePort } from './probe.js';
import { type AddressRange, addressesOf, inRange } from './ranges.js';

export interface ScannerDeps {
  db: Db;
  writer: DiscoveryWriter;
  events: EventBus;
  log: Logger;
  /** Addresses probed at once (each on every port). */
  concurrency: number;
  /** Per connection: connect, TLS handshake and the answer together. */
  timeoutMs: number;
  neighbours(): Promise<NeighbourTable>;
  oui: OuiLookup | null;
}

export interface ScanProgress extends ScanRecord {
  /** Addresses with an open port, found by this scan so far. */
  foundIps: string[];
  /** When finished: addresses first seen by this scan, and devices of its range it missed. */
  newIps: string[];
  goneIps: string[];
}

interface Running {
  progress: ScanProgress;
  abort: AbortController;
  finished: Promise<void>;
}

const PROGRESS_EVERY_MS = 250;
const KEEP_FINISHED = 20;

export class Scanner {
  private readonly scans = new Map<string, Running>();

  constructor(private readonly d: ScannerDeps) {}

  async start(range: AddressRange, ports: number[]): Promise<ScanProgress> {
    const id = randomUUID();
    const startedAt = new Date().toISOString();
    await this.d.writer.run('insertScan', { id, range: range.text, ports, total: range.size, startedAt });
    const progress: ScanProgress = {
      id,
      range: range.text,
      ports,
      state: 'running',
      total: range.size,
      done: 0,
      found: 0,
      error: null,
      startedAt,
      finishedAt: null,
      foundIps: [],
      newIps: [],
      goneIps: [],
    };
    const abort = new AbortController();
    // Every probe in flight listens on it: concurrency x ports listeners, by design.
    setMaxListeners(this.d.concurrency * ports.length + 10, abort.signal);
    const run: Running = { progress, abort, finished: Promise.resolve() };
    this.scans.set(id, run);
    run.finished = this.run(run, range).catch((err: unknown) => {
      progress.error = (err as Error).message;
      this.d.log.error({ err, scan: id }, 'discovery scan failed');
      return this.finish(run, 'failed');
    });
    this.emit(progress);
    return { ...progress };
  }

  /** Progress of a scan of this run, or the stored record of an older one. */
  get(id: string): ScanProgress | undefined {
    const live = this.scans.get(id);
    if (live) return { ...live.progress };
    const stored = getScan(this.d.db, id);
    return stored && { ...stored, foundIps: [], newIps: [], goneIps: [] };
  }

  /** Stops a running scan (probes in flight are aborted); undefined when there is no such scan. */
  async cancel(id: string): Promise<ScanProgress | undefined> {
    const live = this.scans.get(id);
    if (!live) return this.get(id);
    live.abort.abort();
    await live.finished;
    return { ...live.progress };
  }

  async close(): Promise<void> {
    for (const r of this.scans.values()) r.abort.abort();
    await Promise.all([...this.scans.values()].map((r) => r.finished));
  }

  private emit(p: ScanProgress): void {
    const { foundIps, newIps, goneIps, ...rest } = p;
    this.d.events.emit('discovery.scan', { ...rest, foundIps: [...foundIps], newIps: [...newIps], goneIps: [...goneIps] });
  }

  private async run(run: Running, range: AddressRange): Promise<void> {
    const { progress: p, abort } = run;
    const known = new Set(listDevices(this.d.db).map((d) => d.ip));
    const addresses = addressesOf(range);
    let lastEmit = 0;
    const worker = async () => {
      for (let next = addresses.next(); !next.done && !abort.signal.aborted; next = addresses.next()) {
        const ip = next.value;
        const facts = await Promise.all(p.ports.map((port) => probePort(ip, port, this.d.timeoutMs, abort.signal)));
        if (abort.signal.aborted) return;
        p.done++;
        const open = facts.filter((f) => f.open);
        if (open.length) {
          const guess = guessVendor(open);
          const device = await this.d.writer.runLazy('recordSighting', {
            ip,
            source: 'probe',
            scanId: p.id,
            openPorts: open.map(({ port, tls, status, server, title, certSubject }) => ({ port, tls, status, server, title, certSubject })),
            title: open.find((f) => f.title)?.title ?? null,
            ...(guess && { vendor: guess.vendor, model: guess.model, vendorIsGeneric: guess.generic }),
          });
          p.found++;
          p.foundIps.push(ip);
          if (!known.has(ip)) p.newIps.push(ip);
          this.d.events.emit('discovery.device', { device, scanId: p.id });
        }
        if (Date.now() - lastEmit >= PROGRESS_EVERY_MS) {
          lastEmit = Date.now();
          this.emit(p);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.d.concurrency, range.size) }, worker));
    const cancelled = abort.signal.aborted;
    if (!cancelled) {
      await this.addMacs(p);
      const candidates = listDevices(this.d.db)
        .filter((d) => inRange(range, d.ip))
        .map((d) => d.ip);
      p.goneIps = await this.d.writer.run('markGone', { candidates, found: p.foundIps });
    }
    await this.finish(run, cancelled ? 'cancelled' : 'done');
  }

  /** MAC and OUI vendor of the devices found, from the neighbour table the probe filled. */
  private async addMacs(p: ScanProgress): Promise<void> {
    let table: NeighbourTable;
    try {
      table = await this.d.neighbours();
    } catch (err) {
      this.d.log.warn({ err, scan: p.id }, 'no MAC addresses for this scan');
      return;
    }
    for (const ip of p.foundIps) {
      const mac = table.get(ip);
      if (!mac) continue;
      const device = await this.d.writer.runLazy('recordSighting', { ip, source: 'probe', mac, macVendor: this.d.oui?.vendorOf(mac) ?? null });
      this.d.events.emit('discovery.device', { device, scanId: p.id });
    }
  }

  /**
   * Stores the end of a scan, then shows it: a client that sees 'done' and reads the device list
   * finds this scan's devices marked new (the list names the newest finished scan in the store).
   */
  private async finish(run: Running, state: Exclude<ScanProgress['state'], 'running'>): Promise<void> {
    const p = run.progress;
    // Keep the last few finished scans' found/new/gone lists in memory; older ones are in the store.
    const finished = [...this.scans.values()].filter((r) => r !== run && r.progress.state !== 'running');
    for (const old of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.scans.delete(old.progress.id);
    p.finishedAt = new Date().toISOString();
    try {
      await this.d.writer.run('finishScan', { id: p.id, state, done: p.done, found: p.found, error: p.error, finishedAt: p.finishedAt });
    } catch (err) {
      // The scan's result is still answered from memory; only its stored record stays 'running'.
      this.d.log.error({ err, scan: p.id }, 'could not store the end of a discovery scan');
    }
    p.state = state;
    this.emit(p);
    this.d.log.info({ scan: p.id, range: p.range, state: p.state, done: p.done, found: p.found, new: p.newIps.length, gone: p.goneIps.length }, 'discovery scan finished');
  }
}
