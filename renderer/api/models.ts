/**
 * Response shapes the UI reads. The OpenAPI document types every path, parameter and request
 * body (schema.d.ts) but publishes responses as `{}` until the routes declare response schemas;
 * until then these mirror the store's row types (main/store/queries/*.ts) for what the UI shows.
 */
export interface ConnectorState {
  connectorId: number;
  status: string;
  errorCode: string;
  info?: string | null;
  statusAt?: string;
}

export interface Charger {
  chargePointId: string;
  serialNumber: string | null;
  catalogNumber: string | null;
  vendor: string | null;
  model: string | null;
  firmwareVersion: string | null;
  ratedVolts: number | null;
  ratedAmps: number | null;
  maximumAmps: number | null;
  ipAddress: string | null;
  targetGroup: string | null;
  description: string | null;
  registrationStatus: 'Accepted' | 'Pending' | 'Rejected';
  lenient: boolean;
  isConnected: boolean;
  lastSeen: string | null;
  remoteAddress: string | null;
  bootStatus: string | null;
  /** The OCPP version it negotiated on its last connection ('1.6', '2.0.1'); null before its first. */
  ocppVersion: string | null;
  connectors: ConnectorState[];
}

/** A 2.0.1 station's connector within an EVSE, with its own 2.0.1 status. */
export interface EvseConnector {
  connectorId: number;
  status: string;
  statusAt: string;
}

/** One attribute of a variable of a 2.0.1 station's device model (NotifyReport). */
export interface DeviceVariable {
  component: string;
  componentInstance: string | null;
  evseId: number | null;
  connectorId: number | null;
  variable: string;
  variableInstance: string | null;
  attributeType: string;
  value: string | null;
  mutability: string | null;
  dataType: string | null;
  unit: string | null;
  updatedAt: string;
}

export interface ChargerDetail extends Charger {
  /** OCPP 2.0.1: each EVSE (a row of `connectors`) with its connectors; empty for 1.6. */
  evses: Array<{ evseId: number; connectors: EvseConnector[] }>;
  deviceModel: DeviceVariable[];
  configuration: unknown;
  schemaDeviations: Array<{ action: string; direction: string; error: string; payload: string; at: string }>;
}

export interface ChargerPage {
  total: number;
  items: Charger[];
  groups: string[];
}

export interface Alert {
  kind: string;
  message: string;
  at?: string;
}

export interface Summary {
  chargers: { total: number; online: number; offline: number; faulted: number };
  activeSessions: number;
  energyTodayWh: number;
  powerW: number;
  alerts: Alert[];
}

export interface Session {
  transactionId: number;
  /** The charger's own id for the session: a 2.0.1 station's string, a 1.6 charger's number as text. */
  chargerTransactionId: string;
  missingSeqNos: number[];
  chargePointId: string;
  connectorId: number;
  idTag: string;
  meterStart: number;
  startTime: string;
  meterStop: number | null;
  stopTime: string | null;
  stopReason: string | null;
  energyWh: number | null;
  status: 'Active' | 'Completed';
}

export interface Sample {
  timestamp: string;
  value: string;
  measurand: string;
  phase: string | null;
  unit: string;
  context: string;
  location: string;
}

export interface LoggedMessage {
  id: number;
  direction: 'in' | 'out';
  at: string;
  frame: string;
  action: string | null;
}

export interface StatusReport extends ConnectorState {
  receivedAt: string;
}

export interface CommandOutcome {
  chargePointId: string;
  action: string;
  response: Record<string, unknown>;
  transactionId?: number | null;
  note?: string;
}

export interface RfidCard {
  tagId: string;
  status: 'Active' | 'Blocked';
  validUntil: string | null;
  parentIdTag: string | null;
  description: string | null;
  /** Sessions the card may run at once: 1 one at a time (default), 0 unlimited. */
  maxConcurrentSessions: number;
}

/** GET /api/sync and the sync.status event (main/sync/status.ts). */
export interface SyncProgress {
  trigger: 'nightly' | 'manual';
  phase: 'upload' | 'manifest' | 'auth-list' | 'push';
  startedAt: string;
  pendingAtStart: number;
  uploaded: number;
  parked: number;
}

export interface SyncRun {
  trigger: 'nightly' | 'manual';
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  uploaded: number;
  parked: number;
  errors: Array<{ phase: SyncProgress['phase']; message: string }>;
}

export interface SyncStatus {
  configured: boolean;
  headofficeUrl: string | null;
  pending: number;
  oldestPendingAt: string | null;
  oldestPendingAgeSec: number | null;
  parked: number;
  lastSuccessAt: string | null;
  lastError: { message: string; at: string } | null;
  consecutiveFailures: number;
  nextAttemptInMs: number | null;
  nightly: { cron: string; nextRunAt: string | null };
  authListVersion: number | null;
  running: SyncProgress | null;
  lastRun: SyncRun | null;
}

/** GET /api/sync/parked: a record head office rejected, with its reason. */
export interface ParkedRecord {
  id: number;
  kind: 'session' | 'snapshot' | 'alert';
  idempotencyKey: string;
  subject: string | null;
  createdAt: string;
  attempts: number;
  parkedReason: string | null;
}
