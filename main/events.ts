import { EventEmitter } from 'node:events';
import type { DiscoveredDevice, ScanRecord } from './store/queries/discovery.js';
import type { ProvisioningStep } from './store/queries/provisioning.js';
import type { SyncStatus } from './sync/status.js';

/** Everything modules tell each other without importing each other's insides. */
export interface EdgeEvents {
  'charger.connected': { chargePointId: string; remoteAddress: string; remotePort: number; at: string };
  'charger.disconnected': { chargePointId: string; code: number; reason: string; at: string };
  'charger.booted': { chargePointId: string; status: 'Accepted' | 'Pending' | 'Rejected'; vendor: string; model: string; at: string };
  'connector.status': {
    chargePointId: string;
    connectorId: number;
    status: string;
    errorCode: string;
    info?: string;
    vendorErrorCode?: string;
    timestamp: string;
  };
  'transaction.started': { chargePointId: string; connectorId: number; transactionId: number; idTag: string; meterStart: number; timestamp: string; reservationId?: number };
  'transaction.stopped': { chargePointId: string; transactionId: number; meterStop: number; energyWh: number | null; reason?: string; timestamp: string };
  /** currentA: the highest Current.Import phase reading; powerW: Power.Active.Import (newest of each). */
  'meter.values': { chargePointId: string; connectorId: number; transactionId?: number; samples: number; energyWh?: number; currentA?: number; powerW?: number };
  'charger.firmware': { chargePointId: string; status: string };
  'charger.diagnostics': { chargePointId: string; status: string };
  'charger.deviation': { chargePointId: string; action: string; error: string };
  'command.result': { chargePointId: string; action: string; ok: boolean; result?: unknown; error?: string; by: string; at: string };
  'reservation.changed': { chargePointId: string; reservationId: number; status: string; at: string };
  'security.lockout': { kind: 'address' | 'identity'; key: string; until: string; failures: number };
  alert: { kind: string; message: string; at: string };
  /** Head-office sync (issue 10): the whole state after every change (pending count, run progress, errors). */
  'sync.status': SyncStatus;
  /** Head office rejected a record: kept, not retried until an operator says so. */
  'sync.parked': { id: number; kind: string; idempotencyKey: string; reason: string; at: string };
  /** Head office's auth list was applied to the local RFID table. */
  'sync.authList': { version: number | null; added: number; updated: number; removed: number; at: string };
  /** Scan progress (throttled) and its end: addresses done of total, found so far, new and gone when finished. */
  'discovery.scan': ScanRecord & { foundIps: string[]; newIps: string[]; goneIps: string[] };
  /** A device of the merged list was found or updated (probe, mDNS, OCPP socket). */
  'discovery.device': { device: DiscoveredDevice; scanId?: string };
  /** A provisioning step of a charger, live: connected, boot, connector status, template keys, local list. */
  'provisioning.step': ProvisioningStep;
  /** Load management: the shares changed (the same shape as GET /api/load). */
  'load.allocation': LoadState;
  /** Load management: a charger's measured current, with the site total it makes. */
  'load.measured': { chargePointId: string; connectorId: number; measuredAmps: number; siteMeasuredAmps: number; siteLimitAmps: number | null; at: string };
}

export interface LoadState {
  siteLimitAmps: number | null;
  phases: 1 | 3;
  allocatedAmps: number;
  measuredAmps: number;
  chargers: Array<{
    chargePointId: string;
    connected: boolean;
    circuitId: number | null;
    /** Its sessions' priority unless their tag has one (higher is served first; default 0). */
    priority: number;
    maxAmps: number;
    /** TxDefaultProfile limit: what it may draw when the controller is gone. */
    fallbackAmps: number | null;
    allocatedAmps: number;
    measuredAmps: number | null;
    /** Sessions waiting at 0 A because the minimums do not all fit. */
    waiting: number;
    /** Refuses profiles or lacks SmartCharging: counted at its maximum. */
    flagged: boolean;
    flagReason: string | null;
  }>;
  circuits: Array<{ id: number; name: string; limitAmps: number; effectiveLimitAmps: number; allocatedAmps: number; measuredAmps: number }>;
  at: string;
}

export type EventName = keyof EdgeEvents;

export class EventBus {
  private readonly emitter = new EventEmitter();
  constructor() {
    // The UI stream and several modules subscribe; no leak warning for a handful of listeners.
    this.emitter.setMaxListeners(100);
  }
  emit<K extends EventName>(name: K, payload: EdgeEvents[K]): void {
    this.emitter.emit(name, payload);
  }
  on<K extends EventName>(name: K, listener: (payload: EdgeEvents[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
  /** Every event, for the live stream. */
  onAny(listener: (name: EventName, payload: unknown) => void): () => void {
    const offs = (Object.keys(EVENT_NAMES) as EventName[]).map((n) => this.on(n, (p) => listener(n, p)));
    return () => {
      for (const off of offs) off();
    };
  }
}

// A record keyed by event name makes the compiler check the list is complete.
const EVENT_NAMES: Record<EventName, true> = {
  'charger.connected': true,
  'charger.disconnected': true,
  'charger.booted': true,
  'connector.status': true,
  'transaction.started': true,
  'transaction.stopped': true,
  'meter.values': true,
  'charger.firmware': true,
  'charger.diagnostics': true,
  'charger.deviation': true,
  'command.result': true,
  'reservation.changed': true,
  'security.lockout': true,
  alert: true,
  'sync.status': true,
  'sync.parked': true,
  'sync.authList': true,
  'discovery.scan': true,
  'discovery.device': true,
  'provisioning.step': true,
  'load.allocation': true,
  'load.measured': true,
};
