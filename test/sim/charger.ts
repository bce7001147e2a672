/**
 * SimCharger: a realistic OCPP 1.6J charge point over a real WebSocket (the connection, the
 * outbound queue, boot and heartbeat are SimStation's, shared with the 2.0.1 charger).
 *
 * - Boots (retrying after `interval` when Pending/Rejected), reports the status of connector
 *   0 and every connector, heartbeats at the interval it was given.
 * - Runs sessions: Authorize, StartTransaction, periodic MeterValues (energy register, power,
 *   current L1, voltage), StopTransaction with reason and transactionData, with the status
 *   transitions Preparing / Charging / Finishing / Available.
 * - Transaction messages (StartTransaction, StopTransaction, MeterValues of a transaction) go
 *   into a FIFO queue that survives disconnects and reboots, and are resent in order until a
 *   CALLRESULT arrives. A message of a transaction whose StartTransaction is not acknowledged
 *   yet waits behind it and gets the transactionId when it is sent.
 * - At most one CALL of its own is outstanding; CS->CP calls are answered meanwhile.
 * - Reconnects with capped exponential backoff and jitter when the socket drops.
 * - Answers every CS->CP command of OCPP 1.6 with stateful behaviour (see `handlers`).
 * - Keeps a ledger of what the central system acknowledged, for durability tests.
 */
import { INBOUND_ACTIONS, type InboundAction, OUTBOUND_ACTIONS, type OutboundAction } from '../../main/ocpp/actions.js';
import type { ActionTypes, MeterValuesRequest, StatusNotificationRequest, StopTransactionRequest } from '../../main/ocpp/schema/ocpp16.js';
import { OcppValidator } from '../../main/ocpp/validator.js';
import { admits, authorize, clearProfiles, dropTxProfiles, installProfile, outletRefusal, pickOutlet } from './charger-rules.js';
import { acceptsValue, type ConfigEntry, defaultConfiguration } from './config.js';
import { advanceMeter, DEFAULT_POWER_W, MEASURAND_FORM, type Meter, offeredAmps, outletSchedule, readings, usedMeter } from './meter-model.js';
import type { ChargingProfile, InstalledProfile } from './smart-charging.js';
import { type Answer, deferred, SimStation, type SimStationOptions, type StationProtocol } from './station.js';
import type { Vehicle } from './vehicle.js';

export { CallError, type ReceivedCall, type SentCall } from './station.js';

type Req<A extends keyof ActionTypes> = ActionTypes[A]['request'];
type Res<A extends keyof ActionTypes> = ActionTypes[A]['response'];
/** What the charger sends (CP->CS) and what it answers (CS->CP). */
export type CpAction = InboundAction;
export type CsAction = OutboundAction;

export type ConnectorStatus = StatusNotificationRequest['status'];
export type ErrorCode = StatusNotificationRequest['errorCode'];
export type StopReason = NonNullable<StopTransactionRequest['reason']>;
export type IdTagInfo = Res<'Authorize'>['idTagInfo'];
export type AuthStatus = IdTagInfo['status'];
type SampledValue = MeterValuesRequest['meterValue'][number]['sampledValue'][number];
type FirmwareStatus = Req<'FirmwareStatusNotification'>['status'];
type DiagnosticsStatus = Req<'DiagnosticsStatusNotification'>['status'];

export interface SimChargerOptions extends SimStationOptions {
  /**
   * GetConfiguration shows the AuthorizationKey's value (some firmware does, against the
   * security whitepaper's write-only rule); default false: write-only, no value.
   */
  revealAuthorizationKey?: boolean;
  connectors?: number;
  vendor?: string;
  model?: string;
  serialNumber?: string;
  firmwareVersion?: string;
  /** Sample interval of MeterValues during a session; default MeterValueSampleInterval seconds. */
  meterIntervalMs?: number;
  /** Simulated seconds per real second for the energy register (fast tests, realistic kWh). */
  timeScale?: number;
  /** Nominal charging power in W (single phase, 230 V): default 7360 (32 A). */
  powerW?: number;
  /** Initial configuration values (keys of the standard set). */
  config?: Record<string, string>;
  /**
   * 'strict': a session whose Authorize is not Accepted does not start (what a real charger does).
   * 'advisory': it starts anyway; the central system still records it (load tests with unknown
   * tags). Either way a StartTransaction answered other than Accepted stops the session with
   * reason DeAuthorized while StopTransactionOnInvalidId is true (the default, as on real
   * chargers): load tests that must keep charging set it to 'false'.
   */
  authorizeMode?: 'strict' | 'advisory';
  /** Delay between firmware / diagnostics progress notifications. */
  progressStepMs?: number;
  /** Upper bound of any session's length (EV full / unplugged), default 10 minutes. */
  maxSessionMs?: number;
}

export interface LedgerStart {
  transactionId: number;
  chargePointId: string;
  connectorId: number;
  idTag: string;
  timestamp: string;
  meterStart: number;
  reservationId?: number;
  idTagStatus: AuthStatus;
}

export interface LedgerMeterValues {
  transactionId: number | null;
  connectorId: number;
  timestamp: string;
  samples: number;
}

export interface LedgerStop {
  transactionId: number;
  meterStop: number;
  timestamp: string;
  reason: StopReason;
  transactionDataSamples: number;
}

/** What the central system acknowledged with a CALLRESULT, in order. */
export interface Ledger {
  starts: LedgerStart[];
  meterValues: LedgerMeterValues[];
  stops: LedgerStop[];
}

export interface SimTransaction {
  localId: number;
  connectorId: number;
  idTag: string;
  meterStart: number;
  startTime: string;
  startMs: number;
  reservationId?: number;
  remote: boolean;
  /** Set when the StartTransaction is acknowledged. */
  transactionId: number | null;
  startStatus: AuthStatus | null;
  samples: number;
  maxSamples: number;
  stopped: boolean;
  stopReason?: StopReason;
  meterStop?: number;
  stopTime?: string;
  stopAcked: boolean;
  /** Resolves when the session ended locally (its StopTransaction is queued). */
  ended: Promise<SimTransaction>;
  /** The EV plugged in; without one the session draws all the charger offers. */
  vehicle?: Vehicle;
}

export interface SessionOptions {
  idTag: string;
  /** Connector; default the first free one. */
  connectorId?: number;
  /** Meter samples before the EV stops the session (default: until stopped or maxSessionMs). */
  samples?: number;
  /** Reason used when the session ends by itself (default EVDisconnected). */
  stopReason?: StopReason;
  remote?: boolean;
  /** TxProfile that comes with a RemoteStartTransaction. */
  chargingProfile?: ChargingProfile;
  vehicle?: Vehicle;
}

export type SessionResult = { started: true; tx: SimTransaction } | { started: false; reason: string };

export interface Reservation {
  reservationId: number;
  connectorId: number;
  idTag: string;
  parentIdTag?: string;
  expiryDate: string;
}

interface Connector {
  id: number;
  status: ConnectorStatus;
  errorCode: ErrorCode;
  availability: 'Operative' | 'Inoperative';
  /** ChangeAvailability answered Scheduled: applied when the transaction ends. */
  scheduledAvailability?: 'Operative' | 'Inoperative';
  /** Claimed by a session being authorized or running. */
  busy: boolean;
  tx: SimTransaction | null;
  meter: Meter;
}

let sharedValidator: OcppValidator | null = null;
/** One validator for every simulated charger in the process: compiling the schemas is slow. */
function validator(): OcppValidator {
  sharedValidator ??= new OcppValidator();
  return sharedValidator;
}

const OCPP16: StationProtocol = {
  subprotocol: 'ocpp1.6',
  csActions: new Set<string>(OUTBOUND_ACTIONS),
  cpActions: new Set<string>(INBOUND_ACTIONS),
  check: (id, payload) => validator().check(id, payload),
  formatViolation: 'FormationViolation',
  requestId: (a) => `${a}.req`,
  responseId: (a) => `${a}.conf`,
};

const isTrue = (v: string | undefined) => v === 'true';

export class SimCharger extends SimStation<ActionTypes> {
  readonly connectorCount: number;
  readonly ledger: Ledger = { starts: [], meterValues: [], stops: [] };
  /** Every session this charger ran, in order. */
  readonly transactions: SimTransaction[] = [];

  firmwareVersion: string;
  firmwareStatus: FirmwareStatus = 'Idle';
  diagnosticsStatus: DiagnosticsStatus = 'Idle';

  private readonly opts: SimChargerOptions;
  private readonly config: Map<string, ConfigEntry>;
  private readonly connectors: Connector[];
  private readonly localListMap = new Map<string, IdTagInfo>();
  private localListVer = 0;
  private readonly cache = new Map<string, IdTagInfo>();
  private readonly reservationMap = new Map<number, Reservation & { timer: NodeJS.Timeout }>();
  private readonly profiles: InstalledProfile[] = [];
  private readonly endResolvers = new Map<SimTransaction, (tx: SimTransaction) => void>();
  private txSeq = 0;

  constructor(opts: SimChargerOptions) {
    super(opts, OCPP16);
    this.opts = opts;
    this.connectorCount = opts.connectors ?? 1;
    this.firmwareVersion = opts.firmwareVersion ?? '1.0.0';
    this.config = defaultConfiguration(this.connectorCount);
    if (opts.password) this.config.get('AuthorizationKey')!.value = opts.password;
    for (const [k, v] of Object.entries(opts.config ?? {})) {
      const entry = this.config.get(k);
      if (!entry) throw new Error(`SimCharger ${opts.id}: unknown configuration key ${k}`);
      entry.value = v;
    }
    const now = Date.now();
    this.connectors = Array.from({ length: this.connectorCount + 1 }, (_, id) => ({
      id,
      status: 'Available' as ConnectorStatus,
      errorCode: 'NoError' as ErrorCode,
      availability: 'Operative' as const,
      busy: false,
      tx: null,
      meter: usedMeter(id, now),
    }));
  }

  protected override onShutdown(): void {
    for (const r of this.reservationMap.values()) clearTimeout(r.timer);
  }

  protected heartbeatIntervalSec(): number {
    return this.intConfig('HeartbeatInterval', 60);
  }

  protected transactionMessageAttempts(): number {
    return this.intConfig('TransactionMessageAttempts', 3);
  }

  protected transactionRetryIntervalSec(): number {
    return this.intConfig('TransactionMessageRetryInterval', 10);
  }

  // ---------------------------------------------------------------------------------------
  // State for tests

  get localList(): Record<string, IdTagInfo> {
    return Object.fromEntries(this.localListMap);
  }
  get localListVersion(): number {
    return isTrue(this.config.get('LocalAuthListEnabled')?.value) ? this.localListVer : -1;
  }
  /** The configuration as GetConfiguration would show it (AuthorizationKey hidden). */
  get configuration(): Record<string, { value?: string; readonly: boolean }> {
    return Object.fromEntries([...this.config].map(([k, e]) => [k, { readonly: e.readonly, ...(e.kind !== 'secret' && { value: e.value }) }]));
  }
  configValue(key: string): string | undefined {
    return this.config.get(key)?.value;
  }
  get reservations(): Reservation[] {
    return [...this.reservationMap.values()].map(({ timer: _t, ...r }) => r);
  }
  get chargingProfiles(): InstalledProfile[] {
    return this.profiles.map((p) => ({ ...p }));
  }
  get authCache(): Record<string, IdTagInfo> {
    return Object.fromEntries(this.cache);
  }
  connectorStatus(connectorId: number): { status: ConnectorStatus; availability: 'Operative' | 'Inoperative'; meterWh: number } | undefined {
    const c = this.connectors[connectorId];
    return c && { status: c.status, availability: c.availability, meterWh: Math.round(c.meter.meterWh) };
  }
  /** Sessions currently running, with their acknowledged transactionId (null until then). */
  get activeTransactions(): SimTransaction[] {
    return this.connectors.flatMap((c) => (c.tx && !c.tx.stopped ? [c.tx] : []));
  }

  private intConfig(key: string, fallback: number): number {
    const n = Number(this.config.get(key)?.value);
    return Number.isFinite(n) ? n : fallback;
  }

  // ---------------------------------------------------------------------------------------
  // Boot and status

  protected bootPayload(): Req<'BootNotification'> {
    return {
      chargePointVendor: this.opts.vendor ?? 'OCPP-Edge-Sim',
      chargePointModel: this.opts.model ?? 'SimAC-22',
      chargePointSerialNumber: this.opts.serialNumber ?? `SN-${this.id}`.slice(0, 25),
      chargeBoxSerialNumber: `CB-${this.id}`.slice(0, 25),
      firmwareVersion: this.firmwareVersion,
      meterType: 'SimMeter 3000',
      meterSerialNumber: `M-${this.id}`.slice(0, 25),
    };
  }

  protected onBooted(first: boolean, interval: number): void {
    if (interval > 0) this.config.get('HeartbeatInterval')!.value = String(interval);
    if (!first) return;
    // The current state of the whole charger and each connector, before any backlog.
    for (const c of [...this.connectors].reverse()) this.notify('StatusNotification', this.statusPayload(c), { front: true });
    if (this.firmwareStatus === 'Installing') this.finishFirmwareInstall();
  }

  private statusPayload(c: Connector): Req<'StatusNotification'> {
    return { connectorId: c.id, errorCode: c.errorCode, status: c.status, timestamp: new Date().toISOString() };
  }

  private setStatus(c: Connector, status: ConnectorStatus, errorCode: ErrorCode = 'NoError'): void {
    if (c.status === status && c.errorCode === errorCode) return;
    c.status = status;
    c.errorCode = errorCode;
    if (this.isOnline) this.notify('StatusNotification', this.statusPayload(c));
    this.emit('status', c.id, status);
    this.changed();
  }

  /** The status a connector shows when nothing runs on it. */
  private idleStatus(c: Connector): ConnectorStatus {
    if (c.availability === 'Inoperative' || (c.id > 0 && this.connectors[0]!.availability === 'Inoperative')) return 'Unavailable';
    if (c.id > 0 && this.reservationOn(c.id)) return 'Reserved';
    return 'Available';
  }

  // ---------------------------------------------------------------------------------------
  // Sessions

  private reservationOn(connectorId: number): Reservation | undefined {
    for (const r of this.reservationMap.values()) if (r.connectorId === connectorId) return r;
    return undefined;
  }

  private parentOf(idTag: string): string | undefined {
    return this.localListMap.get(idTag)?.parentIdTag ?? this.cache.get(idTag)?.parentIdTag;
  }

  private reservationFits(r: Reservation, idTag: string): boolean {
    return r.idTag === idTag || (!!r.parentIdTag && r.parentIdTag === this.parentOf(idTag));
  }

  /** Why a session for `idTag` cannot start on connector c, or null when it can. */
  private refusal(c: Connector | undefined, idTag: string): string | null {
    return outletRefusal(
      c,
      'connector',
      (x) => this.connectors[x.id]!.availability === 'Inoperative' || this.connectors[0]!.availability === 'Inoperative',
      (x) => {
        const r = this.reservationOn(x.id);
        return r && !this.reservationFits(r, idTag) ? r.idTag : null;
      },
    );
  }

  private pickConnector(idTag: string, connectorId?: number): Connector | string {
    return pickOutlet(
      this.connectors,
      connectorId,
      (c) => this.refusal(c, idTag),
      (id) => !!this.reservationOn(id),
      'no free connector',
    );
  }

  /**
   * Plugs in and runs a session. Resolves once the session started (StartTransaction queued)
   * or was refused; `tx.ended` resolves when it stops.
   */
  startSession(o: SessionOptions): Promise<SessionResult> {
    const picked = this.pickConnector(o.idTag, o.connectorId);
    if (typeof picked === 'string') return Promise.resolve({ started: false, reason: picked });
    // Claimed synchronously, so a second start for the same connector is refused.
    picked.busy = true;
    return this.runSession(picked, o);
  }

  private async runSession(c: Connector, o: SessionOptions): Promise<SessionResult> {
    this.setStatus(c, 'Preparing');
    let status: AuthStatus | 'OfflineRefused' | 'Error' = 'Accepted';
    if (!o.remote || isTrue(this.config.get('AuthorizeRemoteTxRequests')?.value)) status = await this.authorizeTag(o.idTag);
    const strict = (this.opts.authorizeMode ?? 'strict') === 'strict';
    if (!admits(status, strict) || !this.running) {
      c.busy = false;
      this.setStatus(c, this.idleStatus(c));
      return { started: false, reason: `authorization ${status}` };
    }
    // The reservation may have been cancelled or taken while authorizing.
    const reservation = this.reservationOn(c.id);
    if (reservation && !this.reservationFits(reservation, o.idTag)) {
      c.busy = false;
      this.setStatus(c, this.idleStatus(c));
      return { started: false, reason: `connector reserved for ${reservation.idTag}` };
    }
    if (reservation) this.removeReservation(reservation.reservationId, false);

    this.advanceMeter(c);
    const ended = deferred<SimTransaction>();
    const startMs = Date.now();
    const tx: SimTransaction = {
      localId: ++this.txSeq,
      connectorId: c.id,
      idTag: o.idTag,
      meterStart: Math.round(c.meter.meterWh),
      startTime: this.timestamp(),
      startMs,
      ...(reservation && { reservationId: reservation.reservationId }),
      remote: o.remote ?? false,
      transactionId: null,
      startStatus: null,
      samples: 0,
      maxSamples: o.samples ?? Infinity,
      stopped: false,
      stopAcked: false,
      ended: ended.promise,
      ...(o.vehicle && { vehicle: o.vehicle }),
    };
    this.endResolvers.set(tx, ended.resolve);
    c.tx = tx;
    this.transactions.push(tx);
    if (o.chargingProfile) this.installProfile(c.id, { ...o.chargingProfile });
    const startPayload: Req<'StartTransaction'> = {
      connectorId: c.id,
      idTag: tx.idTag,
      meterStart: tx.meterStart,
      timestamp: tx.startTime,
      ...(tx.reservationId !== undefined && { reservationId: tx.reservationId }),
    };
    this.enqueue({
      action: 'StartTransaction',
      build: () => startPayload,
      persistent: true,
      preBoot: false,
      onAck: (res: Res<'StartTransaction'>) => {
        tx.transactionId = res.transactionId;
        tx.startStatus = res.idTagInfo.status;
        this.cacheTag(tx.idTag, res.idTagInfo);
        this.ledger.starts.push({
          transactionId: res.transactionId,
          chargePointId: this.id,
          connectorId: tx.connectorId,
          idTag: tx.idTag,
          timestamp: tx.startTime,
          meterStart: tx.meterStart,
          ...(tx.reservationId !== undefined && { reservationId: tx.reservationId }),
          idTagStatus: res.idTagInfo.status,
        });
        this.emit('transaction', tx);
        if (res.idTagInfo.status !== 'Accepted' && isTrue(this.config.get('StopTransactionOnInvalidId')?.value) && !tx.stopped) {
          this.stopTransaction(tx, 'DeAuthorized');
        }
      },
    });
    this.setStatus(c, 'Charging');
    const interval = this.meterIntervalMs();
    const tick = () => {
      if (tx.stopped) return;
      this.sampleTransaction(tx);
      if (tx.samples >= tx.maxSamples) this.stopTransaction(tx, o.stopReason ?? 'EVDisconnected');
      else this.later(tick, this.meterIntervalMs());
    };
    this.later(tick, interval);
    this.later(() => {
      if (!tx.stopped) this.stopTransaction(tx, o.stopReason ?? 'EVDisconnected');
    }, this.opts.maxSessionMs ?? 600_000);
    this.log(`session ${tx.localId} started on connector ${c.id} for ${tx.idTag}`);
    this.emit('session-started', tx);
    return { started: true, tx };
  }

  private meterIntervalMs(): number {
    return Math.max(10, this.opts.meterIntervalMs ?? this.intConfig('MeterValueSampleInterval', 60) * 1000);
  }

  /** Online: Authorize (unless LocalPreAuthorize finds the tag). Offline: local list, cache, AllowOfflineTxForUnknownId. */
  private authorizeTag(idTag: string): Promise<AuthStatus | 'OfflineRefused' | 'Error'> {
    return authorize({
      local: this.localAuth(idTag),
      preAuthorize: isTrue(this.config.get('LocalPreAuthorize')?.value),
      online: this.isOnline,
      ask: async () => {
        const res = await this.call('Authorize', { idTag });
        this.cacheTag(idTag, res.idTagInfo);
        return res.idTagInfo.status;
      },
      localOffline: isTrue(this.config.get('LocalAuthorizeOffline')?.value),
      allowUnknownOffline: isTrue(this.config.get('AllowOfflineTxForUnknownId')?.value),
    });
  }

  private localAuth(idTag: string): AuthStatus | undefined {
    const info =
      (isTrue(this.config.get('LocalAuthListEnabled')?.value) ? this.localListMap.get(idTag) : undefined) ??
      (isTrue(this.config.get('AuthorizationCacheEnabled')?.value) ? this.cache.get(idTag) : undefined);
    if (!info) return undefined;
    if (info.status === 'Accepted' && info.expiryDate && Date.parse(info.expiryDate) <= Date.now()) return 'Expired';
    return info.status;
  }

  private cacheTag(idTag: string, info: IdTagInfo): void {
    if (isTrue(this.config.get('AuthorizationCacheEnabled')?.value)) this.cache.set(idTag, info);
  }

  private offeredAmps(c: Connector): number {
    return offeredAmps(this.profiles, c.id, c.tx, this.opts.powerW ?? DEFAULT_POWER_W);
  }

  private advanceMeter(c: Connector): number {
    return advanceMeter(c.meter, this.offeredAmps(c), c.tx, this.opts.timeScale);
  }

  private sampledValues(c: Connector, power: number, context: NonNullable<SampledValue['context']>, measurands: string): SampledValue[] {
    return readings(c.meter, power, this.offeredAmps(c), measurands).map(({ measurand, value }) => {
      const { unit, phase } = MEASURAND_FORM[measurand];
      // Energy and power are whole numbers; currents and voltages one decimal ("32.0").
      return { value: unit === 'Wh' || unit === 'W' ? String(value) : value.toFixed(1), context, measurand, ...(phase && { phase }), location: 'Outlet', unit };
    });
  }

  private sampleTransaction(tx: SimTransaction): void {
    const c = this.connectors[tx.connectorId]!;
    const power = this.advanceMeter(c);
    tx.samples++;
    const timestamp = this.timestamp();
    const sampledValue = this.sampledValues(c, power, 'Sample.Periodic', this.config.get('MeterValuesSampledData')!.value);
    if (!sampledValue.length) return;
    this.enqueue({
      action: 'MeterValues',
      // The transactionId is known only once the StartTransaction ahead of it is acknowledged.
      build: () => (tx.transactionId === null ? null : { connectorId: tx.connectorId, transactionId: tx.transactionId, meterValue: [{ timestamp, sampledValue }] }),
      persistent: true,
      preBoot: false,
      onAck: () => this.ledger.meterValues.push({ transactionId: tx.transactionId, connectorId: tx.connectorId, timestamp, samples: sampledValue.length }),
    });
  }

  /** Stops the session on a connector (or by local id); false when nothing runs there. */
  stopSession(connectorId: number, reason: StopReason = 'Local', idTag?: string): boolean {
    const tx = this.connectors[connectorId]?.tx;
    if (!tx || tx.stopped) return false;
    this.stopTransaction(tx, reason, idTag);
    return true;
  }

  private stopTransaction(tx: SimTransaction, reason: StopReason, stopIdTag?: string): void {
    if (tx.stopped) return;
    const c = this.connectors[tx.connectorId]!;
    this.advanceMeter(c);
    tx.stopped = true;
    tx.stopReason = reason;
    tx.meterStop = Math.round(c.meter.meterWh);
    tx.stopTime = this.timestamp();
    this.setStatus(c, 'Finishing');
    const stopData = this.config.get('StopTxnSampledData')!.value;
    const energyOnly = (v: number, context: 'Transaction.Begin' | 'Transaction.End'): SampledValue => ({
      value: String(v),
      context,
      measurand: 'Energy.Active.Import.Register',
      location: 'Outlet',
      unit: 'Wh',
    });
    const transactionData: NonNullable<Req<'StopTransaction'>['transactionData']> = stopData.includes('Energy.Active.Import.Register')
      ? [
          { timestamp: tx.startTime, sampledValue: [energyOnly(tx.meterStart, 'Transaction.Begin')] },
          { timestamp: tx.stopTime, sampledValue: [energyOnly(tx.meterStop, 'Transaction.End')] },
        ]
      : [];
    const meterStop = tx.meterStop;
    const timestamp = tx.stopTime;
    // The tag that ended it: the one presented (a local stop by the driver), none for remote/EV stops.
    const stopTag = stopIdTag ?? (reason === 'Local' ? tx.idTag : undefined);
    this.enqueue({
      action: 'StopTransaction',
      // Held until the StartTransaction ahead of it gave the transactionId.
      build: () =>
        tx.transactionId === null
          ? null
          : {
              transactionId: tx.transactionId,
              meterStop,
              timestamp,
              reason,
              ...(stopTag !== undefined && { idTag: stopTag }),
              ...(transactionData.length && { transactionData }),
            },
      persistent: true,
      preBoot: false,
      onAck: (res: Res<'StopTransaction'>) => {
        tx.stopAcked = true;
        if (res.idTagInfo && stopTag) this.cacheTag(stopTag, res.idTagInfo);
        this.ledger.stops.push({ transactionId: tx.transactionId!, meterStop, timestamp, reason, transactionDataSamples: transactionData.length });
        this.emit('transaction-stopped', tx);
      },
    });
    dropTxProfiles(this.profiles, c.id);
    c.tx = null;
    c.busy = false;
    if (c.scheduledAvailability) {
      c.availability = c.scheduledAvailability;
      delete c.scheduledAvailability;
    }
    if (this.connectors[0]!.scheduledAvailability && !this.activeTransactions.length) {
      const zero = this.connectors[0]!;
      zero.availability = zero.scheduledAvailability!;
      delete zero.scheduledAvailability;
      this.setStatus(zero, this.idleStatus(zero));
      for (const other of this.connectors.slice(1)) if (!other.busy) this.setStatus(other, this.idleStatus(other));
    }
    this.setStatus(c, this.idleStatus(c));
    this.log(`session ${tx.localId} stopped (${reason}), ${tx.meterStop - tx.meterStart} Wh`);
    this.endResolvers.get(tx)?.(tx);
    this.endResolvers.delete(tx);
    this.emit('session-ended', tx);
  }

  // ---------------------------------------------------------------------------------------
  // CS -> CP calls

  protected answer(action: string, payload: unknown): Answer<unknown> {
    return (this.handlers[action as CsAction] as (req: unknown) => Answer<unknown>)(payload);
  }

  private readonly handlers: { [A in CsAction]: (req: Req<A>) => Answer<Res<A>> } = {
    RemoteStartTransaction: (req) => {
      const picked = this.pickConnector(req.idTag, req.connectorId);
      const profile = req.chargingProfile;
      if (typeof picked === 'string' || (profile && profile.chargingProfilePurpose !== 'TxProfile')) return { response: { status: 'Rejected' } };
      picked.busy = true;
      return {
        response: { status: 'Accepted' },
        after: () => {
          void this.runSession(picked, { idTag: req.idTag, connectorId: picked.id, remote: true, ...(profile && { chargingProfile: profile }) });
        },
      };
    },

    RemoteStopTransaction: (req) => {
      const tx = this.activeTransactions.find((t) => t.transactionId === req.transactionId);
      if (!tx) return { response: { status: 'Rejected' } };
      return { response: { status: 'Accepted' }, after: () => this.stopTransaction(tx, 'Remote') };
    },

    Reset: (req) => ({
      response: { status: 'Accepted' },
      after: () => void this.reset(req.type),
    }),

    UnlockConnector: (req) => {
      const c = this.connectors[req.connectorId];
      if (!c || c.id === 0) return { response: { status: 'NotSupported' } };
      const tx = c.tx;
      return { response: { status: 'Unlocked' }, ...(tx && !tx.stopped && { after: () => this.stopTransaction(tx, 'UnlockCommand') }) };
    },

    ChangeAvailability: (req) => {
      const targets = req.connectorId === 0 ? this.connectors : [this.connectors[req.connectorId]];
      if (!targets[0]) return { response: { status: 'Rejected' } };
      let scheduled = false;
      for (const c of targets as Connector[]) {
        if (c.id > 0 && c.busy && req.type === 'Inoperative') {
          c.scheduledAvailability = req.type;
          scheduled = true;
        } else {
          c.availability = req.type;
          delete c.scheduledAvailability;
        }
      }
      const zero = this.connectors[0]!;
      if (req.connectorId === 0 && scheduled) {
        zero.availability = 'Operative';
        zero.scheduledAvailability = req.type;
      }
      return {
        response: { status: scheduled ? 'Scheduled' : 'Accepted' },
        after: () => {
          for (const c of this.connectors) if (!c.busy) this.setStatus(c, this.idleStatus(c));
        },
      };
    },

    GetConfiguration: (req) => {
      const shown = (e: ConfigEntry) => e.kind !== 'secret' || this.opts.revealAuthorizationKey === true;
      const asKey = (key: string, e: ConfigEntry) => ({ key, readonly: e.readonly, ...(shown(e) && { value: e.value }) });
      if (!req.key?.length) return { response: { configurationKey: [...this.config].map(([k, e]) => asKey(k, e)) } };
      const max = this.intConfig('GetConfigurationMaxKeys', 50);
      const keys = req.key.slice(0, max);
      const known = keys.filter((k) => this.config.has(k));
      const unknown = keys.filter((k) => !this.config.has(k));
      return {
        response: {
          configurationKey: known.map((k) => asKey(k, this.config.get(k)!)),
          ...(unknown.length && { unknownKey: unknown }),
        },
      };
    },

    ChangeConfiguration: (req) => {
      const e = this.config.get(req.key);
      if (!e) return { response: { status: 'NotSupported' } };
      if (e.readonly || !acceptsValue(e, req.value)) return { response: { status: 'Rejected' } };
      e.value = req.value;
      if (req.key === 'AuthorizationKey') this.password = req.value;
      return { response: { status: 'Accepted' }, after: () => req.key === 'HeartbeatInterval' && this.isOnline && this.startHeartbeat() };
    },

    ClearCache: () => {
      if (!isTrue(this.config.get('AuthorizationCacheEnabled')?.value)) return { response: { status: 'Rejected' } };
      this.cache.clear();
      return { response: { status: 'Accepted' } };
    },

    GetLocalListVersion: () => ({ response: { listVersion: this.localListVersion } }),

    SendLocalList: (req) => {
      if (!isTrue(this.config.get('LocalAuthListEnabled')?.value)) return { response: { status: 'NotSupported' } };
      const entries = req.localAuthorizationList ?? [];
      if (entries.length > this.intConfig('SendLocalListMaxLength', 500)) return { response: { status: 'Failed' } };
      if (req.updateType === 'Full') {
        // Full: every entry must carry its idTagInfo.
        if (entries.some((e) => !e.idTagInfo)) return { response: { status: 'Failed' } };
        if (entries.length > this.intConfig('LocalAuthListMaxLength', 10000)) return { response: { status: 'Failed' } };
        this.localListMap.clear();
        for (const e of entries) this.localListMap.set(e.idTag, e.idTagInfo!);
        this.localListVer = req.listVersion;
        return { response: { status: 'Accepted' } };
      }
      if (req.listVersion <= this.localListVer) return { response: { status: 'VersionMismatch' } };
      const next = new Map(this.localListMap);
      // Differential: an entry with idTagInfo is added or updated, one without is removed.
      for (const e of entries) {
        if (e.idTagInfo) next.set(e.idTag, e.idTagInfo);
        else next.delete(e.idTag);
      }
      if (next.size > this.intConfig('LocalAuthListMaxLength', 10000)) return { response: { status: 'Failed' } };
      this.localListMap.clear();
      for (const [k, v] of next) this.localListMap.set(k, v);
      this.localListVer = req.listVersion;
      return { response: { status: 'Accepted' } };
    },

    ReserveNow: (req) => {
      if (req.connectorId === 0 && !isTrue(this.config.get('ReserveConnectorZeroSupported')?.value)) return { response: { status: 'Rejected' } };
      const c = this.connectors[req.connectorId];
      if (!c || c.id === 0) return { response: { status: 'Rejected' } };
      if (c.status === 'Faulted') return { response: { status: 'Faulted' } };
      if (c.availability === 'Inoperative' || this.connectors[0]!.availability === 'Inoperative') return { response: { status: 'Unavailable' } };
      const existing = this.reservationOn(c.id);
      if (c.busy || (existing && existing.reservationId !== req.reservationId)) return { response: { status: 'Occupied' } };
      if (Date.parse(req.expiryDate) <= Date.now()) return { response: { status: 'Rejected' } };
      // Same reservationId: the reservation is replaced (possibly moved to this connector).
      this.removeReservation(req.reservationId, false);
      const timer = this.later(() => {
        this.log(`reservation ${req.reservationId} expired`);
        this.removeReservation(req.reservationId, true);
      }, Date.parse(req.expiryDate) - Date.now());
      this.reservationMap.set(req.reservationId, {
        reservationId: req.reservationId,
        connectorId: c.id,
        idTag: req.idTag,
        ...(req.parentIdTag && { parentIdTag: req.parentIdTag }),
        expiryDate: req.expiryDate,
        timer,
      });
      return { response: { status: 'Accepted' }, after: () => this.setStatus(c, this.idleStatus(c)) };
    },

    CancelReservation: (req) => {
      if (!this.reservationMap.has(req.reservationId)) return { response: { status: 'Rejected' } };
      return { response: { status: 'Accepted' }, after: () => this.removeReservation(req.reservationId, true) };
    },

    TriggerMessage: (req) => {
      const cid = req.connectorId;
      if (cid !== undefined && (cid < 0 || cid > this.connectorCount)) return { response: { status: 'Rejected' } };
      const preBoot = this.bootState !== 'Accepted';
      // biome-ignore-start lint/correctness/noComponentHookFactories: the keys are OCPP message names (BootNotification, ...), not React components
      const send: Record<Req<'TriggerMessage'>['requestedMessage'], () => void> = {
        BootNotification: () => this.enqueueBoot(true),
        DiagnosticsStatusNotification: () => this.notify('DiagnosticsStatusNotification', { status: this.diagnosticsStatus }, { preBoot }),
        FirmwareStatusNotification: () => this.notify('FirmwareStatusNotification', { status: this.firmwareStatus }, { preBoot }),
        Heartbeat: () => this.notify('Heartbeat', {}, { preBoot }),
        MeterValues: () => {
          for (const c of cid ? [this.connectors[cid]!] : this.connectors.slice(1)) {
            const power = this.advanceMeter(c);
            const tx = c.tx && c.tx.transactionId !== null && !c.tx.stopped ? c.tx : null;
            const timestamp = this.timestamp();
            const sampledValue = this.sampledValues(c, power, 'Trigger', this.config.get('MeterValuesSampledData')!.value);
            this.notify(
              'MeterValues',
              { connectorId: c.id, ...(tx && { transactionId: tx.transactionId! }), meterValue: [{ timestamp, sampledValue }] },
              { preBoot, onAck: () => this.ledger.meterValues.push({ transactionId: tx?.transactionId ?? null, connectorId: c.id, timestamp, samples: sampledValue.length }) },
            );
          }
        },
        StatusNotification: () => {
          for (const c of cid !== undefined ? [this.connectors[cid]!] : this.connectors) this.notify('StatusNotification', this.statusPayload(c), { preBoot });
        },
      };
      // biome-ignore-end lint/correctness/noComponentHookFactories: end of the table
      return { response: { status: 'Accepted' }, after: send[req.requestedMessage] };
    },

    UpdateFirmware: (req) => ({ response: {}, after: () => this.updateFirmware(req) }),

    GetDiagnostics: (req) => {
      const fileName = `diagnostics-${this.id}-${new Date().toISOString().replace(/[:.]/g, '')}.zip`;
      return { response: { fileName }, after: () => this.uploadDiagnostics(req.location) };
    },

    DataTransfer: () => ({ response: { status: 'UnknownVendorId' } }),

    SetChargingProfile: (req) => {
      const p = req.csChargingProfiles;
      const c = this.connectors[req.connectorId];
      const s = p.chargingSchedule;
      const units = this.config.get('ChargingScheduleAllowedChargingRateUnit')!.value.split(',');
      const reject = { response: { status: 'Rejected' as const } };
      if (!c) return reject;
      if (p.stackLevel > this.intConfig('ChargeProfileMaxStackLevel', 10)) return reject;
      if (s.chargingSchedulePeriod.length > this.intConfig('ChargingScheduleMaxPeriods', 24)) return reject;
      if (!units.includes(s.chargingRateUnit === 'A' ? 'Current' : 'Power')) return reject;
      if (p.chargingProfileKind === 'Recurring' && !p.recurrencyKind) return reject;
      if (p.chargingProfilePurpose === 'ChargePointMaxProfile' && c.id !== 0) return reject;
      if (p.chargingProfilePurpose === 'TxProfile') {
        // Only for a running transaction on that connector (and the one named, if any).
        const tx = c.tx;
        if (c.id === 0 || !tx || tx.stopped || (p.transactionId !== undefined && p.transactionId !== tx.transactionId)) return reject;
      }
      const others = this.profiles.filter((i) => i.profile.chargingProfileId !== p.chargingProfileId);
      if (others.length >= this.intConfig('MaxChargingProfilesInstalled', 20)) return reject;
      this.installProfile(c.id, p);
      return { response: { status: 'Accepted' } };
    },

    ClearChargingProfile: (req) => {
      const removed = clearProfiles(this.profiles, ({ connectorId, profile }) =>
        req.id !== undefined
          ? profile.chargingProfileId === req.id
          : (req.connectorId === undefined || req.connectorId === connectorId) &&
            (req.chargingProfilePurpose === undefined || req.chargingProfilePurpose === profile.chargingProfilePurpose) &&
            (req.stackLevel === undefined || req.stackLevel === profile.stackLevel),
      );
      return { response: { status: removed ? 'Accepted' : 'Unknown' } };
    },

    GetCompositeSchedule: (req) => {
      const c = this.connectors[req.connectorId];
      if (!c) return { response: { status: 'Rejected' } };
      const schedule = outletSchedule({
        profiles: this.profiles,
        outletId: c.id,
        session: c.tx,
        powerW: this.opts.powerW ?? DEFAULT_POWER_W,
        outlets: this.connectorCount,
        durationSec: req.duration,
        unit: req.chargingRateUnit ?? 'A',
      });
      return { response: { status: 'Accepted', connectorId: c.id, scheduleStart: schedule.startSchedule!, chargingSchedule: schedule } };
    },
  };

  private installProfile(connectorId: number, p: ChargingProfile): void {
    installProfile(this.profiles, connectorId, p);
    this.changed();
  }

  private removeReservation(reservationId: number, updateStatus: boolean): void {
    const r = this.reservationMap.get(reservationId);
    if (!r) return;
    this.cancel(r.timer);
    this.reservationMap.delete(reservationId);
    const c = this.connectors[r.connectorId];
    if (updateStatus && c && !c.busy) this.setStatus(c, this.idleStatus(c));
    this.changed();
  }

  /** Reset: running transactions stop (reason SoftReset/HardReset), the socket drops, the charger boots again. */
  private async reset(type: 'Hard' | 'Soft'): Promise<void> {
    this.log(`${type} reset`);
    for (const tx of this.activeTransactions) this.stopTransaction(tx, type === 'Hard' ? 'HardReset' : 'SoftReset');
    // A soft reset lets the stop go out first (bounded).
    if (type === 'Soft') await this.drain(2000).catch(() => {});
    this.reboot();
  }

  protected override reboot(): void {
    if (!this.running) return;
    for (const c of this.connectors) if (!c.busy) c.status = this.idleStatus(c);
    super.reboot();
  }

  private setFirmwareStatus(status: FirmwareStatus): void {
    this.firmwareStatus = status;
    this.notify('FirmwareStatusNotification', { status });
    this.changed();
  }

  /** Downloading -> Downloaded -> Installing -> reboot -> Installed (DownloadFailed for a location containing "fail"). */
  private updateFirmware(req: Req<'UpdateFirmware'>): void {
    const wait = Math.max(0, Date.parse(req.retrieveDate) - Date.now());
    this.later(() => {
      if (/fail/i.test(req.location)) {
        this.progress(this.opts.progressStepMs ?? 200, ['Downloading', 'DownloadFailed'] as FirmwareStatus[], (s) => this.setFirmwareStatus(s));
        return;
      }
      const version = /(\d+\.\d+(?:\.\d+)?)/.exec(req.location.split('/').pop() ?? '')?.[1] ?? `${this.firmwareVersion}+1`;
      this.progress(
        this.opts.progressStepMs ?? 200,
        ['Downloading', 'Downloaded'] as FirmwareStatus[],
        (s) => this.setFirmwareStatus(s),
        () => {
          // Installation waits for running sessions to end (bounded by maxSessionMs).
          void this.waitFor(() => this.activeTransactions.length === 0, (this.opts.maxSessionMs ?? 600_000) + 1000, 'sessions to end before installing firmware')
            .then(() => {
              this.setFirmwareStatus('Installing');
              this.later(() => {
                // The new image boots: the next BootNotification reports its version.
                this.firmwareVersion = version;
                this.reboot();
              }, this.opts.progressStepMs ?? 200);
            })
            .catch(() => this.setFirmwareStatus('InstallationFailed'));
        },
      );
    }, wait);
  }
  private finishFirmwareInstall(): void {
    this.setFirmwareStatus('Installed');
  }

  /** Uploading -> Uploaded (UploadFailed for a location containing "fail"). */
  private uploadDiagnostics(location: string): void {
    const failed = /fail/i.test(location);
    this.progress(this.opts.progressStepMs ?? 200, ['Uploading', failed ? 'UploadFailed' : 'Uploaded'] as DiagnosticsStatus[], (status) => {
      this.diagnosticsStatus = status;
      this.notify('DiagnosticsStatusNotification', { status });
      this.changed();
    });
  }
}
