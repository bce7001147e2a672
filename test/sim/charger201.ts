/**
 * SimCharger201: a realistic OCPP 2.0.1 charging station over a real WebSocket (subprotocol
 * ocpp2.0.1), on SimStation's connection, queue, boot and heartbeat, and the shared meter model.
 *
 * - Topology: EVSEs 1..n with one connector each; StatusNotification per EVSE/connector.
 * - Sessions: Authorize, TransactionEvent Started / Updated (periodic meter values) / Ended,
 *   with the station's own string transactionId and a seqNo counting every event of the
 *   station. Events are built when they happen: one made while offline carries `offline: true`
 *   and waits in the queue, which survives disconnects and is resent in order on reconnect.
 * - Device model (device-model.ts): GetVariables / SetVariables, GetBaseReport answered with
 *   NotifyReport parts.
 * - Answers every controller -> station message a depot uses (see `handlers`), with effects
 *   after the answer: Reset, firmware and log progress notifications, reservation expiry ...
 * - Keeps a ledger of what the CSMS acknowledged, for durability tests.
 */

import { RpcError } from '../../main/ocpp/rpc.js';
import { INBOUND_ACTIONS, OUTBOUND_ACTIONS, type OutboundAction } from '../../main/ocpp/v201/actions.js';
import { v201WireCode } from '../../main/ocpp/v201/adapter.js';
import type { ActionTypes, SetChargingProfileRequest, TransactionEventRequest } from '../../main/ocpp/v201/ocpp201.js';
import { createV201Validator } from '../../main/ocpp/v201/validator.js';
import type { OcppValidator } from '../../main/ocpp/validator.js';
import { admits, authorize, clearProfiles, dropTxProfiles, installProfile, outletRefusal, pickOutlet } from './charger-rules.js';
import { accepts, DATA_TYPE, defaultDeviceModel, type VariableEntry, type VariableRef, variableKey } from './device-model.js';
import { advanceMeter, DEFAULT_POWER_W, MEASURAND_FORM, type Meter, offeredAmps, outletSchedule, readings, usedMeter } from './meter-model.js';
import type { ChargingProfile, InstalledProfile } from './smart-charging.js';
import { type Answer, deferred, Refusal, SimStation, type SimStationOptions, type StationProtocol } from './station.js';
import type { Vehicle } from './vehicle.js';

type Req<A extends keyof ActionTypes> = ActionTypes[A]['request'];
type Res<A extends keyof ActionTypes> = ActionTypes[A]['response'];
type CsAction = OutboundAction;

export type IdToken = Req<'Authorize'>['idToken'];
export type IdTokenInfo = Res<'Authorize'>['idTokenInfo'];
export type AuthStatus = IdTokenInfo['status'];
export type ConnectorStatus = Req<'StatusNotification'>['connectorStatus'];
export type StoppedReason = NonNullable<TransactionEventRequest['transactionInfo']['stoppedReason']>;
type TriggerReason = TransactionEventRequest['triggerReason'];
type SampledValue = NonNullable<TransactionEventRequest['meterValue']>[number]['sampledValue'][number];
type FirmwareStatus = Req<'FirmwareStatusNotification'>['status'];
type LogStatus = Req<'LogStatusNotification'>['status'];
type BootReason = Req<'BootNotification'>['reason'];

export interface SimCharger201Options extends SimStationOptions {
  /** EVSEs (one connector each); default 1. */
  evses?: number;
  vendor?: string;
  model?: string;
  serialNumber?: string;
  firmwareVersion?: string;
  /** Interval of TransactionEvent Updated during a session; default TxUpdatedInterval seconds. */
  meterIntervalMs?: number;
  /** Simulated seconds per real second for the energy register. */
  timeScale?: number;
  /** Nominal power per EVSE in W (single phase, 230 V): default 7360 (32 A). */
  powerW?: number;
  /** Initial device model values by key (`AuthCtrlr/AuthorizeRemoteStart`, see variableKey). */
  variables?: Record<string, string>;
  /** Type of the id tokens its drivers present (default ISO14443, an RFID card). */
  idTokenType?: IdToken['type'];
  /** As SimChargerOptions.authorizeMode: 'advisory' starts sessions whatever Authorize answers. */
  authorizeMode?: 'strict' | 'advisory';
  progressStepMs?: number;
  maxSessionMs?: number;
  /** Variables per NotifyReport part (default 20). */
  reportPartSize?: number;
}

export interface Ledger201Start {
  transactionId: string;
  chargePointId: string;
  evseId: number;
  idToken: string;
  timestamp: string;
  meterStart: number;
  seqNo: number;
  offline: boolean;
  idTokenStatus: AuthStatus | null;
}
export interface Ledger201Update {
  transactionId: string;
  seqNo: number;
  timestamp: string;
  samples: number;
}
export interface Ledger201Stop {
  transactionId: string;
  meterStop: number;
  seqNo: number;
  timestamp: string;
  reason: StoppedReason;
}

/** What the CSMS acknowledged, in order. */
export interface Ledger201 {
  starts: Ledger201Start[];
  meterValues: Ledger201Update[];
  stops: Ledger201Stop[];
}

export interface SimTransaction201 {
  transactionId: string;
  evseId: number;
  idToken: IdToken;
  meterStart: number;
  startTime: string;
  startMs: number;
  remoteStartId?: number;
  reservationId?: number;
  samples: number;
  maxSamples: number;
  stopped: boolean;
  stopReason?: StoppedReason;
  meterStop?: number;
  /** The Started event's idTokenInfo status, once acknowledged. */
  startStatus: AuthStatus | null;
  /** Resolves when the session ended locally (its Ended event is queued). */
  ended: Promise<SimTransaction201>;
  vehicle?: Vehicle;
}

export interface Session201Options {
  idTag: string;
  /** EVSE; default the first free one. (`connectorId` as in the 1.6 charger's options: the EVSE.) */
  connectorId?: number;
  samples?: number;
  stopReason?: StoppedReason;
  remoteStartId?: number;
  chargingProfile?: ChargingProfile;
  vehicle?: Vehicle;
}

export type Session201Result = { started: true; tx: SimTransaction201 } | { started: false; reason: string };

interface Evse {
  id: number;
  status: ConnectorStatus;
  availability: 'Operative' | 'Inoperative';
  scheduledAvailability?: 'Operative' | 'Inoperative';
  busy: boolean;
  tx: SimTransaction201 | null;
  meter: Meter;
}

interface Reservation201 {
  id: number;
  evseId: number;
  idToken: string;
  groupIdToken?: string;
  expiryDateTime: string;
  timer: NodeJS.Timeout;
}

let sharedValidator: OcppValidator | null = null;
function validator(): OcppValidator {
  sharedValidator ??= createV201Validator();
  return sharedValidator;
}

const OCPP201: StationProtocol = {
  subprotocol: 'ocpp2.0.1',
  csActions: new Set<string>(OUTBOUND_ACTIONS),
  cpActions: new Set<string>(INBOUND_ACTIONS),
  check: (id, payload) => {
    try {
      validator().check(id, payload);
    } catch (err) {
      // The shared validator raises the 1.6 spellings (FormationViolation ...).
      throw err instanceof RpcError ? new Refusal(v201WireCode(err.code), err.message) : err;
    }
  },
  formatViolation: 'FormatViolation',
  requestId: (a) => `${a}.req`,
  responseId: (a) => `${a}.conf`,
};

/** 2.0.1 purposes in the 1.6 names the shared composite-schedule code uses. */
const PURPOSE_16: Record<string, ChargingProfile['chargingProfilePurpose'] | undefined> = {
  ChargingStationMaxProfile: 'ChargePointMaxProfile',
  TxDefaultProfile: 'TxDefaultProfile',
  TxProfile: 'TxProfile',
};
const PURPOSE_201 = Object.fromEntries(Object.entries(PURPOSE_16).map(([k, v]) => [v, k]));

/** A 2.0.1 profile as the shared composite schedule sees it (its first schedule; the rest are for ISO 15118 EVs). */
export function toInstalled(p: SetChargingProfileRequest['chargingProfile']): ChargingProfile {
  const [s] = p.chargingSchedule;
  return {
    chargingProfileId: p.id,
    stackLevel: p.stackLevel,
    chargingProfilePurpose: PURPOSE_16[p.chargingProfilePurpose]!,
    chargingProfileKind: p.chargingProfileKind,
    ...(p.recurrencyKind && { recurrencyKind: p.recurrencyKind }),
    ...(p.validFrom && { validFrom: p.validFrom }),
    ...(p.validTo && { validTo: p.validTo }),
    chargingSchedule: {
      chargingRateUnit: s!.chargingRateUnit,
      ...(s!.duration !== undefined && { duration: s!.duration }),
      ...(s!.startSchedule && { startSchedule: s!.startSchedule }),
      chargingSchedulePeriod: s!.chargingSchedulePeriod.map((x) => ({ startPeriod: x.startPeriod, limit: x.limit, ...(x.numberPhases !== undefined && { numberPhases: x.numberPhases }) })),
    },
  };
}

/** The triggerReason of an Ended event, by why it ended. */
const END_TRIGGER: Partial<Record<StoppedReason, TriggerReason>> = {
  Remote: 'RemoteStop',
  DeAuthorized: 'Deauthorized',
  EVDisconnected: 'EVCommunicationLost',
  ImmediateReset: 'ResetCommand',
  Local: 'StopAuthorized',
  EnergyLimitReached: 'EnergyLimitReached',
  TimeLimitReached: 'TimeLimitReached',
};

const isTrue = (v: string | undefined) => v === 'true';

export class SimCharger201 extends SimStation<ActionTypes> {
  readonly connectorCount: number;
  readonly ledger: Ledger201 = { starts: [], meterValues: [], stops: [] };
  readonly transactions: SimTransaction201[] = [];
  firmwareVersion: string;
  firmwareStatus: FirmwareStatus = 'Idle';
  logStatus: LogStatus = 'Idle';
  /** seqNo of the next TransactionEvent (per station, over all its transactions). */
  nextSeqNo = 0;

  private readonly opts: SimCharger201Options;
  private readonly model: Map<string, VariableEntry>;
  private readonly evses: Evse[];
  private readonly localListMap = new Map<string, IdTokenInfo>();
  private localListVer = 0;
  private readonly cache = new Map<string, IdTokenInfo>();
  private readonly reservationMap = new Map<number, Reservation201>();
  private readonly profiles: InstalledProfile[] = [];
  private readonly endResolvers = new Map<SimTransaction201, (tx: SimTransaction201) => void>();
  private bootReason: BootReason = 'PowerUp';
  private firmwareRequestId: number | undefined;
  private resetWhenIdle = false;
  private txSeq = 0;

  constructor(opts: SimCharger201Options) {
    super(opts, OCPP201);
    this.opts = opts;
    this.connectorCount = opts.evses ?? 1;
    this.firmwareVersion = opts.firmwareVersion ?? '2.0.0';
    this.model = defaultDeviceModel(this.connectorCount, { model: opts.model ?? 'SimAC-22-201', vendor: opts.vendor ?? 'OCPP-Edge-Sim', firmwareVersion: this.firmwareVersion, identity: opts.id });
    if (opts.password) this.model.get('SecurityCtrlr/BasicAuthPassword')!.value = opts.password;
    for (const [k, v] of Object.entries(opts.variables ?? {})) {
      const entry = this.model.get(k);
      if (!entry) throw new Error(`SimCharger201 ${opts.id}: unknown variable ${k}`);
      entry.value = v;
    }
    const now = Date.now();
    // Index 0 unused: EVSE ids start at 1.
    this.evses = Array.from({ length: this.connectorCount + 1 }, (_, id) => ({
      id,
      status: 'Available' as ConnectorStatus,
      availability: 'Operative' as const,
      busy: false,
      tx: null,
      meter: usedMeter(id, now),
    }));
  }

  // ---------------------------------------------------------------------------------------
  // State for tests

  /** A device model value by key (see variableKey), e.g. `OCPPCommCtrlr/HeartbeatInterval`. */
  variable(key: string): string | undefined {
    return this.model.get(key)?.value;
  }
  get localList(): Record<string, IdTokenInfo> {
    return Object.fromEntries(this.localListMap);
  }
  get localListVersion(): number {
    return this.localListVer;
  }
  get authCache(): Record<string, IdTokenInfo> {
    return Object.fromEntries(this.cache);
  }
  get reservations(): Array<Omit<Reservation201, 'timer'>> {
    return [...this.reservationMap.values()].map(({ timer: _t, ...r }) => r);
  }
  get chargingProfiles(): InstalledProfile[] {
    return this.profiles.map((p) => ({ ...p }));
  }
  evseStatus(evseId: number): { status: ConnectorStatus; availability: 'Operative' | 'Inoperative'; meterWh: number } | undefined {
    const e = this.evses[evseId];
    return e && e.id > 0 ? { status: e.status, availability: e.availability, meterWh: Math.round(e.meter.meterWh) } : undefined;
  }
  get activeTransactions(): SimTransaction201[] {
    return this.evses.flatMap((e) => (e.tx && !e.tx.stopped ? [e.tx] : []));
  }

  // ---------------------------------------------------------------------------------------
  // SimStation hooks

  private intVar(key: string, fallback: number): number {
    const n = Number(this.model.get(key)?.value);
    return Number.isFinite(n) ? n : fallback;
  }
  private boolVar(key: string): boolean {
    return isTrue(this.model.get(key)?.value);
  }

  protected heartbeatIntervalSec(): number {
    return this.intVar('OCPPCommCtrlr/HeartbeatInterval', 60);
  }
  protected transactionMessageAttempts(): number {
    return this.intVar('OCPPCommCtrlr/MessageAttempts[TransactionEvent]', 3);
  }
  protected transactionRetryIntervalSec(): number {
    return this.intVar('OCPPCommCtrlr/MessageAttemptInterval[TransactionEvent]', 10);
  }
  protected override onShutdown(): void {
    for (const r of this.reservationMap.values()) clearTimeout(r.timer);
  }

  protected bootPayload(triggered: boolean): Req<'BootNotification'> {
    return {
      chargingStation: {
        model: this.opts.model ?? 'SimAC-22-201',
        vendorName: this.opts.vendor ?? 'OCPP-Edge-Sim',
        serialNumber: this.opts.serialNumber ?? `SN-${this.id}`.slice(0, 25),
        firmwareVersion: this.firmwareVersion,
      },
      reason: triggered ? 'Triggered' : this.bootReason,
    };
  }

  protected onBooted(first: boolean, interval: number): void {
    if (interval > 0) this.model.get('OCPPCommCtrlr/HeartbeatInterval')!.value = String(interval);
    if (!first) return;
    this.bootReason = 'PowerUp';
    // The current state of each EVSE's connector, before any queued transaction events.
    for (const e of this.evses.slice(1).reverse()) this.notify('StatusNotification', this.statusPayload(e), { front: true });
    if (this.firmwareStatus === 'InstallRebooting') this.setFirmwareStatus('Installed');
  }

  protected override reboot(): void {
    if (!this.running) return;
    for (const e of this.evses) if (!e.busy) e.status = this.idleStatus(e);
    super.reboot();
  }

  protected answer(action: string, payload: unknown): Answer<unknown> {
    return (this.handlers[action as CsAction] as (req: unknown) => Answer<unknown>)(payload);
  }

  // ---------------------------------------------------------------------------------------
  // Status

  private statusPayload(e: Evse): Req<'StatusNotification'> {
    return { timestamp: new Date().toISOString(), connectorStatus: e.status, evseId: e.id, connectorId: 1 };
  }

  private setStatus(e: Evse, status: ConnectorStatus): void {
    if (e.status === status) return;
    e.status = status;
    if (this.isOnline) this.notify('StatusNotification', this.statusPayload(e));
    this.emit('status', e.id, status);
    this.changed();
  }

  private idleStatus(e: Evse): ConnectorStatus {
    if (e.availability === 'Inoperative') return 'Unavailable';
    if (this.reservationOn(e.id)) return 'Reserved';
    return 'Available';
  }

  private reservationOn(evseId: number): Reservation201 | undefined {
    for (const r of this.reservationMap.values()) if (r.evseId === evseId) return r;
    return undefined;
  }

  // ---------------------------------------------------------------------------------------
  // Authorization

  private idToken(idTag: string): IdToken {
    return { idToken: idTag, type: this.opts.idTokenType ?? 'ISO14443' };
  }

  private groupOf(idTag: string): string | undefined {
    return (this.localListMap.get(idTag) ?? this.cache.get(idTag))?.groupIdToken?.idToken;
  }

  private reservationFits(r: Reservation201, idTag: string): boolean {
    return r.idToken === idTag || (!!r.groupIdToken && r.groupIdToken === this.groupOf(idTag));
  }

  private localAuth(idTag: string): AuthStatus | undefined {
    const info = (this.boolVar('LocalAuthListCtrlr/Enabled') ? this.localListMap.get(idTag) : undefined) ?? (this.boolVar('AuthCacheCtrlr/Enabled') ? this.cache.get(idTag) : undefined);
    if (!info) return undefined;
    if (info.status === 'Accepted' && info.cacheExpiryDateTime && Date.parse(info.cacheExpiryDateTime) <= Date.now()) return 'Expired';
    return info.status;
  }

  private cacheToken(idTag: string, info: IdTokenInfo): void {
    if (this.boolVar('AuthCacheCtrlr/Enabled')) this.cache.set(idTag, info);
  }

  /** Online: Authorize (unless LocalPreAuthorize finds it). Offline: local list, cache, OfflineTxForUnknownIdEnabled. */
  private authorizeToken(idTag: string): Promise<AuthStatus | 'OfflineRefused' | 'Error'> {
    return authorize({
      local: this.localAuth(idTag),
      preAuthorize: this.boolVar('AuthCtrlr/LocalPreAuthorize'),
      online: this.isOnline,
      ask: async () => {
        const res = await this.call('Authorize', { idToken: this.idToken(idTag) });
        this.cacheToken(idTag, res.idTokenInfo);
        return res.idTokenInfo.status;
      },
      localOffline: this.boolVar('AuthCtrlr/LocalAuthorizeOffline'),
      allowUnknownOffline: this.boolVar('AuthCtrlr/OfflineTxForUnknownIdEnabled'),
    });
  }

  // ---------------------------------------------------------------------------------------
  // Sessions

  private refusal(e: Evse | undefined, idTag: string): string | null {
    return outletRefusal(
      e,
      'EVSE',
      (x) => this.evses[x.id]!.availability === 'Inoperative',
      (x) => {
        const r = this.reservationOn(x.id);
        return r && !this.reservationFits(r, idTag) ? r.idToken : null;
      },
    );
  }

  private pickEvse(idTag: string, evseId?: number): Evse | string {
    return pickOutlet(
      this.evses,
      evseId,
      (e) => this.refusal(e, idTag),
      (id) => !!this.reservationOn(id),
      'no free EVSE',
    );
  }

  /** Plugs in and runs a session; resolves once it started (Started event queued) or was refused. */
  startSession(o: Session201Options): Promise<Session201Result> {
    const picked = this.pickEvse(o.idTag, o.connectorId);
    if (typeof picked === 'string') return Promise.resolve({ started: false, reason: picked });
    picked.busy = true;
    return this.runSession(picked, o);
  }

  private async runSession(e: Evse, o: Session201Options): Promise<Session201Result> {
    // Cable plugged in: the connector is occupied from now on.
    this.setStatus(e, 'Occupied');
    const remote = o.remoteStartId !== undefined;
    let status: AuthStatus | 'OfflineRefused' | 'Error' = 'Accepted';
    if (!remote || this.boolVar('AuthCtrlr/AuthorizeRemoteStart')) status = await this.authorizeToken(o.idTag);
    const strict = (this.opts.authorizeMode ?? 'strict') === 'strict';
    if (!admits(status, strict) || !this.running) {
      e.busy = false;
      this.setStatus(e, this.idleStatus(e));
      return { started: false, reason: `authorization ${status}` };
    }
    const reservation = this.reservationOn(e.id);
    if (reservation && !this.reservationFits(reservation, o.idTag)) {
      e.busy = false;
      this.setStatus(e, this.idleStatus(e));
      return { started: false, reason: `EVSE reserved for ${reservation.idToken}` };
    }
    if (reservation) this.removeReservation(reservation.id, false);

    const ended = deferred<SimTransaction201>();
    const local = ++this.txSeq;
    const tx: SimTransaction201 = {
      // The station chooses the id (at most 36 characters), unique across its reboots.
      transactionId: `${Date.now().toString(36)}-${local}-${Math.random().toString(36).slice(2, 8)}`,
      evseId: e.id,
      idToken: this.idToken(o.idTag),
      meterStart: 0,
      startTime: '',
      startMs: Date.now(),
      ...(o.remoteStartId !== undefined && { remoteStartId: o.remoteStartId }),
      ...(reservation && { reservationId: reservation.id }),
      samples: 0,
      maxSamples: o.samples ?? Infinity,
      stopped: false,
      startStatus: null,
      ended: ended.promise,
      ...(o.vehicle && { vehicle: o.vehicle }),
    };
    this.advanceMeter(e);
    e.tx = tx;
    this.endResolvers.set(tx, ended.resolve);
    this.transactions.push(tx);
    if (o.chargingProfile) this.installProfile(e.id, o.chargingProfile);
    this.transactionEvent(tx, 'Started', remote ? 'RemoteStart' : 'Authorized', 'Transaction.Begin', this.measurands('TxStartedMeasurands'), {
      idToken: tx.idToken,
      chargingState: 'Charging',
      ...(tx.reservationId !== undefined && { reservationId: tx.reservationId }),
      onAck: (res, payload) => {
        const info = res.idTokenInfo;
        tx.startStatus = info?.status ?? null;
        if (info) this.cacheToken(o.idTag, info);
        this.ledger.starts.push({
          transactionId: tx.transactionId,
          chargePointId: this.id,
          evseId: e.id,
          idToken: o.idTag,
          timestamp: payload.timestamp,
          meterStart: tx.meterStart,
          seqNo: payload.seqNo,
          offline: payload.offline ?? false,
          idTokenStatus: tx.startStatus,
        });
        this.emit('transaction', tx);
        if (info && info.status !== 'Accepted' && this.boolVar('TxCtrlr/StopTxOnInvalidId') && !tx.stopped) this.stopTransaction(tx, 'DeAuthorized');
      },
    });
    // The register as the Started event reported it.
    tx.meterStart = Math.round(e.meter.meterWh);
    tx.startTime = this.lastEventTime;
    const tick = () => {
      if (tx.stopped) return;
      this.sampleTransaction(tx);
      if (tx.samples >= tx.maxSamples) this.stopTransaction(tx, o.stopReason ?? 'EVDisconnected');
      else this.later(tick, this.meterIntervalMs());
    };
    this.later(tick, this.meterIntervalMs());
    this.later(() => !tx.stopped && this.stopTransaction(tx, o.stopReason ?? 'EVDisconnected'), this.opts.maxSessionMs ?? 600_000);
    this.log(`transaction ${tx.transactionId} started on EVSE ${e.id} for ${o.idTag}`);
    this.emit('session-started', tx);
    return { started: true, tx };
  }

  private meterIntervalMs(): number {
    return Math.max(10, this.opts.meterIntervalMs ?? this.intVar('SampledDataCtrlr/TxUpdatedInterval', 60) * 1000);
  }

  private measurands(variable: string): string {
    return this.model.get(`SampledDataCtrlr/${variable}`)?.value ?? '';
  }

  private lastEventTime = '';

  /**
   * Queues one TransactionEvent, built now: its seqNo, timestamp, meter values and offline flag
   * are those of the moment it happened, however late it is delivered.
   */
  private transactionEvent(
    tx: SimTransaction201,
    eventType: TransactionEventRequest['eventType'],
    triggerReason: TriggerReason,
    context: SampledValue['context'],
    measurands: string,
    x: {
      idToken?: IdToken;
      chargingState?: NonNullable<TransactionEventRequest['transactionInfo']['chargingState']>;
      stoppedReason?: StoppedReason;
      reservationId?: number;
      onAck?: (res: Res<'TransactionEvent'>, payload: TransactionEventRequest) => void;
    } = {},
  ): void {
    const e = this.evses[tx.evseId]!;
    const power = this.advanceMeter(e);
    const timestamp = this.timestamp();
    this.lastEventTime = timestamp;
    const sampledValue = this.sampledValues(e, power, context, measurands);
    const payload: TransactionEventRequest = {
      eventType,
      timestamp,
      triggerReason,
      seqNo: this.nextSeqNo++,
      ...(!this.isOnline && { offline: true }),
      transactionInfo: {
        transactionId: tx.transactionId,
        ...(x.chargingState && { chargingState: x.chargingState }),
        ...(x.stoppedReason && { stoppedReason: x.stoppedReason }),
        ...(tx.remoteStartId !== undefined && eventType === 'Started' && { remoteStartId: tx.remoteStartId }),
      },
      ...(eventType === 'Started' && { evse: { id: tx.evseId, connectorId: 1 } }),
      ...(x.idToken && { idToken: x.idToken }),
      ...(x.reservationId !== undefined && { reservationId: x.reservationId }),
      ...(sampledValue.length && { meterValue: [{ timestamp, sampledValue }] }),
    };
    this.enqueue({ action: 'TransactionEvent', build: () => payload, persistent: true, preBoot: false, ...(x.onAck && { onAck: x.onAck }) });
  }

  private offeredAmps(e: Evse): number {
    return offeredAmps(this.profiles, e.id, e.tx, this.opts.powerW ?? DEFAULT_POWER_W);
  }

  private advanceMeter(e: Evse): number {
    return advanceMeter(e.meter, this.offeredAmps(e), e.tx, this.opts.timeScale);
  }

  private sampledValues(e: Evse, power: number, context: SampledValue['context'], measurands: string): SampledValue[] {
    return readings(e.meter, power, this.offeredAmps(e), measurands).map(({ measurand, value }) => {
      const { unit, phase } = MEASURAND_FORM[measurand];
      return { value, context, measurand, ...(phase && { phase }), location: 'Outlet', unitOfMeasure: { unit } };
    });
  }

  private sampleTransaction(tx: SimTransaction201): void {
    tx.samples++;
    const before = this.nextSeqNo;
    this.transactionEvent(tx, 'Updated', 'MeterValuePeriodic', 'Sample.Periodic', this.measurands('TxUpdatedMeasurands'), {
      chargingState: 'Charging',
      onAck: (_res, payload) =>
        this.ledger.meterValues.push({ transactionId: tx.transactionId, seqNo: before, timestamp: payload.timestamp, samples: payload.meterValue?.[0]?.sampledValue.length ?? 0 }),
    });
  }

  /** Stops the session on an EVSE; false when nothing runs there. */
  stopSession(evseId: number, reason: StoppedReason = 'Local'): boolean {
    const tx = this.evses[evseId]?.tx;
    if (!tx || tx.stopped) return false;
    this.stopTransaction(tx, reason);
    return true;
  }

  private stopTransaction(tx: SimTransaction201, reason: StoppedReason, trigger?: TriggerReason): void {
    if (tx.stopped) return;
    const e = this.evses[tx.evseId]!;
    this.transactionEvent(tx, 'Ended', trigger ?? END_TRIGGER[reason] ?? 'AbnormalCondition', 'Transaction.End', this.measurands('TxEndedMeasurands'), {
      stoppedReason: reason,
      chargingState: 'Idle',
      ...(reason === 'Local' && { idToken: tx.idToken }),
      onAck: (_res, payload) => {
        this.ledger.stops.push({ transactionId: tx.transactionId, meterStop: tx.meterStop!, seqNo: payload.seqNo, timestamp: payload.timestamp, reason });
        this.emit('transaction-stopped', tx);
      },
    });
    tx.stopped = true;
    tx.stopReason = reason;
    tx.meterStop = Math.round(e.meter.meterWh);
    dropTxProfiles(this.profiles, e.id);
    e.tx = null;
    e.busy = false;
    if (e.scheduledAvailability) {
      e.availability = e.scheduledAvailability;
      delete e.scheduledAvailability;
    }
    this.setStatus(e, this.idleStatus(e));
    this.log(`transaction ${tx.transactionId} ended (${reason}), ${tx.meterStop - tx.meterStart} Wh`);
    this.endResolvers.get(tx)?.(tx);
    this.endResolvers.delete(tx);
    this.emit('session-ended', tx);
    if (this.resetWhenIdle && !this.activeTransactions.length) {
      this.resetWhenIdle = false;
      this.bootReason = 'RemoteReset';
      this.reboot();
    }
  }

  // ---------------------------------------------------------------------------------------
  // Controller -> station messages

  private installProfile(evseId: number, p: ChargingProfile): void {
    installProfile(this.profiles, evseId, p);
    this.changed();
  }

  private removeReservation(id: number, updateStatus: boolean): void {
    const r = this.reservationMap.get(id);
    if (!r) return;
    this.cancel(r.timer);
    this.reservationMap.delete(id);
    const e = this.evses[r.evseId];
    if (updateStatus && e && !e.busy) this.setStatus(e, this.idleStatus(e));
    this.changed();
  }

  private setFirmwareStatus(status: FirmwareStatus): void {
    this.firmwareStatus = status;
    this.notify('FirmwareStatusNotification', { status, ...(this.firmwareRequestId !== undefined && { requestId: this.firmwareRequestId }) });
    this.changed();
  }

  private setLogStatus(status: LogStatus, requestId: number): void {
    this.logStatus = status;
    this.notify('LogStatusNotification', { status, requestId });
    this.changed();
  }

  /** Downloading -> Downloaded -> Installing -> InstallRebooting -> reboot -> Installed (DownloadFailed for a location containing "fail"). */
  private updateFirmware(req: Req<'UpdateFirmware'>): void {
    this.firmwareRequestId = req.requestId;
    this.later(
      () => {
        if (/fail/i.test(req.firmware.location)) {
          this.progress(this.opts.progressStepMs ?? 200, ['Downloading', 'DownloadFailed'] as FirmwareStatus[], (s) => this.setFirmwareStatus(s));
          return;
        }
        const version = /(\d+\.\d+(?:\.\d+)?)/.exec(req.firmware.location.split('/').pop() ?? '')?.[1] ?? `${this.firmwareVersion}+1`;
        this.progress(
          this.opts.progressStepMs ?? 200,
          ['Downloading', 'Downloaded', 'Installing'] as FirmwareStatus[],
          (s) => this.setFirmwareStatus(s),
          () =>
            void this.waitFor(() => this.activeTransactions.length === 0, (this.opts.maxSessionMs ?? 600_000) + 1000, 'transactions to end before rebooting into new firmware')
              .then(() => {
                this.setFirmwareStatus('InstallRebooting');
                this.later(() => {
                  this.firmwareVersion = version;
                  this.model.get('FirmwareCtrlr/FirmwareVersion')!.value = version;
                  this.bootReason = 'FirmwareUpdate';
                  this.reboot();
                }, this.opts.progressStepMs ?? 200);
              })
              .catch(() => this.setFirmwareStatus('InstallationFailed')),
        );
      },
      Math.max(0, Date.parse(req.firmware.retrieveDateTime) - Date.now()),
    );
  }

  private getVariable(d: Req<'GetVariables'>['getVariableData'][number]): Res<'GetVariables'>['getVariableResult'][number] {
    const base = { component: d.component, variable: d.variable, ...(d.attributeType && { attributeType: d.attributeType }) };
    if (d.attributeType && d.attributeType !== 'Actual') return { ...base, attributeStatus: 'NotSupportedAttributeType' };
    const e = this.model.get(variableKey(d));
    if (!e) return { ...base, attributeStatus: this.knowsComponent(d) ? 'UnknownVariable' : 'UnknownComponent' };
    if (e.writeOnly) return { ...base, attributeStatus: 'Rejected' };
    return { ...base, attributeStatus: 'Accepted', attributeValue: e.value };
  }

  private knowsComponent(r: VariableRef): boolean {
    return [...this.model.values()].some((e) => e.component === r.component.name && (e.evse?.id ?? 0) === (r.component.evse?.id ?? 0));
  }

  /** NotifyReport parts of the variables a base report covers. */
  private report(requestId: number, base: Req<'GetBaseReport'>['reportBase']): Array<Req<'NotifyReport'>> {
    const entries = [...this.model.values()].filter((e) => (base === 'ConfigurationInventory' ? !e.readonly : base === 'SummaryInventory' ? e.variable === 'AvailabilityState' : true));
    const size = this.opts.reportPartSize ?? 20;
    const generatedAt = new Date().toISOString();
    const parts: Array<Req<'NotifyReport'>> = [];
    for (let i = 0; i < entries.length; i += size) {
      const chunk = entries.slice(i, i + size);
      parts.push({
        requestId,
        generatedAt,
        seqNo: parts.length,
        ...(i + size < entries.length && { tbc: true }),
        reportData: chunk.map((e) => ({
          component: { name: e.component, ...(e.evse && { evse: e.evse }) },
          variable: { name: e.variable, ...(e.instance && { instance: e.instance }) },
          variableAttribute: [
            { type: 'Actual' as const, ...(!e.writeOnly && { value: e.value }), mutability: e.readonly ? ('ReadOnly' as const) : e.writeOnly ? ('WriteOnly' as const) : ('ReadWrite' as const) },
          ],
          variableCharacteristics: { dataType: DATA_TYPE[e.kind], supportsMonitoring: false },
        })),
      });
    }
    return parts;
  }

  private readonly handlers: { [A in CsAction]: (req: Req<A>) => Answer<Res<A>> } = {
    RequestStartTransaction: (req) => {
      const picked = this.pickEvse(req.idToken.idToken, req.evseId);
      const profile = req.chargingProfile;
      if (typeof picked === 'string' || (profile && profile.chargingProfilePurpose !== 'TxProfile')) return { response: { status: 'Rejected' } };
      picked.busy = true;
      return {
        response: { status: 'Accepted' },
        after: () => void this.runSession(picked, { idTag: req.idToken.idToken, connectorId: picked.id, remoteStartId: req.remoteStartId, ...(profile && { chargingProfile: toInstalled(profile) }) }),
      };
    },

    RequestStopTransaction: (req) => {
      const tx = this.activeTransactions.find((t) => t.transactionId === req.transactionId);
      if (!tx) return { response: { status: 'Rejected' } };
      return { response: { status: 'Accepted' }, after: () => this.stopTransaction(tx, 'Remote') };
    },

    Reset: (req) => {
      // Resetting one EVSE is optional in 2.0.1; this station resets as a whole.
      if (req.evseId !== undefined) return { response: { status: 'Rejected' } };
      if (req.type === 'OnIdle' && this.activeTransactions.length) {
        this.resetWhenIdle = true;
        return { response: { status: 'Scheduled' } };
      }
      return {
        response: { status: 'Accepted' },
        after: () => {
          for (const tx of this.activeTransactions) this.stopTransaction(tx, 'ImmediateReset');
          this.bootReason = 'RemoteReset';
          // The Ended events go out first (bounded), as the station flushes before it restarts.
          void this.drain(2000)
            .catch(() => {})
            .then(() => this.reboot());
        },
      };
    },

    UnlockConnector: (req) => {
      const e = this.evses[req.evseId];
      if (!e || e.id === 0 || req.connectorId !== 1) return { response: { status: 'UnknownConnector' } };
      if (e.tx && !e.tx.stopped) return { response: { status: 'OngoingAuthorizedTransaction' } };
      return { response: { status: 'Unlocked' } };
    },

    ChangeAvailability: (req) => {
      const targets = req.evse ? [this.evses[req.evse.id]] : this.evses.slice(1);
      if (!targets[0] || targets[0].id === 0 || (req.evse?.connectorId !== undefined && req.evse.connectorId !== 1)) return { response: { status: 'Rejected' } };
      let scheduled = false;
      for (const e of targets as Evse[]) {
        if (e.busy && req.operationalStatus === 'Inoperative') {
          e.scheduledAvailability = req.operationalStatus;
          scheduled = true;
        } else {
          e.availability = req.operationalStatus;
          delete e.scheduledAvailability;
        }
      }
      return {
        response: { status: scheduled ? 'Scheduled' : 'Accepted' },
        after: () => {
          for (const e of targets as Evse[]) if (!e.busy) this.setStatus(e, this.idleStatus(e));
        },
      };
    },

    GetVariables: (req) => {
      if (req.getVariableData.length > this.intVar('DeviceDataCtrlr/ItemsPerMessage[GetVariables]', 50))
        throw new Refusal('OccurrenceConstraintViolation', 'more getVariableData than ItemsPerMessage allows');
      return { response: { getVariableResult: req.getVariableData.map((d) => this.getVariable(d)) } };
    },

    SetVariables: (req) => {
      if (req.setVariableData.length > this.intVar('DeviceDataCtrlr/ItemsPerMessage[SetVariables]', 50))
        throw new Refusal('OccurrenceConstraintViolation', 'more setVariableData than ItemsPerMessage allows');
      let heartbeat = false;
      const setVariableResult = req.setVariableData.map((d): Res<'SetVariables'>['setVariableResult'][number] => {
        const base = { component: d.component, variable: d.variable, ...(d.attributeType && { attributeType: d.attributeType }) };
        if (d.attributeType && d.attributeType !== 'Actual') return { ...base, attributeStatus: 'NotSupportedAttributeType' };
        const e = this.model.get(variableKey(d));
        if (!e) return { ...base, attributeStatus: this.knowsComponent(d) ? 'UnknownVariable' : 'UnknownComponent' };
        if (!accepts(e, d.attributeValue)) return { ...base, attributeStatus: 'Rejected' };
        e.value = d.attributeValue;
        if (e.variable === 'BasicAuthPassword') this.password = d.attributeValue;
        if (e.variable === 'HeartbeatInterval') heartbeat = true;
        return { ...base, attributeStatus: 'Accepted' };
      });
      return { response: { setVariableResult }, after: () => heartbeat && this.isOnline && this.startHeartbeat() };
    },

    GetBaseReport: (req) => {
      const parts = this.report(req.requestId, req.reportBase);
      if (!parts.length) return { response: { status: 'EmptyResultSet' } };
      return {
        response: { status: 'Accepted' },
        after: () => {
          for (const p of parts) this.notify('NotifyReport', p, { preBoot: true });
        },
      };
    },

    TriggerMessage: (req) => {
      const evse = req.evse ? this.evses[req.evse.id] : undefined;
      if (req.evse && (!evse || evse.id === 0)) return { response: { status: 'Rejected' } };
      const preBoot = this.bootState !== 'Accepted';
      const evses = evse ? [evse] : this.evses.slice(1);
      // biome-ignore-start lint/correctness/noComponentHookFactories: the keys are OCPP message names (BootNotification, ...), not React components
      const send: Partial<Record<Req<'TriggerMessage'>['requestedMessage'], () => void>> = {
        BootNotification: () => this.enqueueBoot(true),
        Heartbeat: () => this.notify('Heartbeat', {}, { preBoot }),
        FirmwareStatusNotification: () =>
          this.notify('FirmwareStatusNotification', { status: this.firmwareStatus, ...(this.firmwareRequestId !== undefined && { requestId: this.firmwareRequestId }) }, { preBoot }),
        LogStatusNotification: () => this.notify('LogStatusNotification', { status: this.logStatus }, { preBoot }),
        StatusNotification: () => {
          for (const e of evses) this.notify('StatusNotification', this.statusPayload(e), { preBoot });
        },
        MeterValues: () => {
          for (const e of evses) {
            const power = this.advanceMeter(e);
            const timestamp = this.timestamp();
            this.notify('MeterValues', { evseId: e.id, meterValue: [{ timestamp, sampledValue: this.sampledValues(e, power, 'Trigger', this.measurands('TxUpdatedMeasurands')) }] }, { preBoot });
          }
        },
        TransactionEvent: () => {
          for (const e of evses) if (e.tx && !e.tx.stopped) this.transactionEvent(e.tx, 'Updated', 'Trigger', 'Trigger', this.measurands('TxUpdatedMeasurands'), { chargingState: 'Charging' });
        },
      };
      // biome-ignore-end lint/correctness/noComponentHookFactories: end of the table
      const after = send[req.requestedMessage];
      return after ? { response: { status: 'Accepted' }, after } : { response: { status: 'NotImplemented' } };
    },

    ClearCache: () => {
      if (!this.boolVar('AuthCacheCtrlr/Enabled')) return { response: { status: 'Rejected' } };
      this.cache.clear();
      return { response: { status: 'Accepted' } };
    },

    GetLocalListVersion: () => ({ response: { versionNumber: this.boolVar('LocalAuthListCtrlr/Enabled') ? this.localListVer : 0 } }),

    SendLocalList: (req) => {
      if (!this.boolVar('LocalAuthListCtrlr/Enabled')) return { response: { status: 'Failed' } };
      const entries = req.localAuthorizationList ?? [];
      if (entries.length > this.intVar('LocalAuthListCtrlr/ItemsPerMessage', 500)) return { response: { status: 'Failed' } };
      const next = req.updateType === 'Full' ? new Map<string, IdTokenInfo>() : new Map(this.localListMap);
      if (req.updateType === 'Differential' && req.versionNumber <= this.localListVer) return { response: { status: 'VersionMismatch' } };
      // Full: every entry carries its idTokenInfo. Differential: one without is removed.
      if (req.updateType === 'Full' && entries.some((x) => !x.idTokenInfo)) return { response: { status: 'Failed' } };
      for (const x of entries) {
        if (x.idTokenInfo) next.set(x.idToken.idToken, x.idTokenInfo);
        else next.delete(x.idToken.idToken);
      }
      this.localListMap.clear();
      for (const [k, v] of next) this.localListMap.set(k, v);
      this.localListVer = req.versionNumber;
      this.model.get('LocalAuthListCtrlr/Entries')!.value = String(next.size);
      return { response: { status: 'Accepted' } };
    },

    ReserveNow: (req) => {
      if (!this.boolVar('ReservationCtrlr/Enabled')) return { response: { status: 'Rejected' } };
      const e = req.evseId !== undefined ? this.evses[req.evseId] : this.evses.slice(1).find((x) => !x.busy && !this.reservationOn(x.id) && x.availability === 'Operative');
      if (!e || e.id === 0) return { response: { status: req.evseId === undefined ? 'Occupied' : 'Rejected' } };
      if (e.status === 'Faulted') return { response: { status: 'Faulted' } };
      if (e.availability === 'Inoperative') return { response: { status: 'Unavailable' } };
      const existing = this.reservationOn(e.id);
      if (e.busy || (existing && existing.id !== req.id)) return { response: { status: 'Occupied' } };
      if (Date.parse(req.expiryDateTime) <= Date.now()) return { response: { status: 'Rejected' } };
      this.removeReservation(req.id, false);
      const timer = this.later(() => {
        this.removeReservation(req.id, true);
        this.notify('ReservationStatusUpdate', { reservationId: req.id, reservationUpdateStatus: 'Expired' });
      }, Date.parse(req.expiryDateTime) - Date.now());
      this.reservationMap.set(req.id, {
        id: req.id,
        evseId: e.id,
        idToken: req.idToken.idToken,
        ...(req.groupIdToken && { groupIdToken: req.groupIdToken.idToken }),
        expiryDateTime: req.expiryDateTime,
        timer,
      });
      return { response: { status: 'Accepted' }, after: () => this.setStatus(e, this.idleStatus(e)) };
    },

    CancelReservation: (req) => {
      if (!this.reservationMap.has(req.reservationId)) return { response: { status: 'Rejected' } };
      return { response: { status: 'Accepted' }, after: () => this.removeReservation(req.reservationId, true) };
    },

    SetChargingProfile: (req) => {
      const p = req.chargingProfile;
      const reject = { response: { status: 'Rejected' as const } };
      const purpose = PURPOSE_16[p.chargingProfilePurpose];
      // ChargingStationExternalConstraints are set by an energy management system, not the CSMS.
      if (!purpose || !this.boolVar('SmartChargingCtrlr/Enabled')) return reject;
      const e = this.evses[req.evseId];
      if (req.evseId !== 0 && (!e || e.id === 0)) return reject;
      if (p.stackLevel > this.intVar('SmartChargingCtrlr/ProfileStackLevel', 10)) return reject;
      if (p.chargingSchedule.some((s) => s.chargingSchedulePeriod.length > this.intVar('SmartChargingCtrlr/PeriodsPerSchedule', 24))) return reject;
      if (p.chargingProfileKind === 'Recurring' && !p.recurrencyKind) return reject;
      if (purpose === 'ChargePointMaxProfile' && req.evseId !== 0) return reject;
      if (purpose === 'TxProfile') {
        const tx = e?.tx;
        if (!tx || tx.stopped || (p.transactionId !== undefined && p.transactionId !== tx.transactionId)) return reject;
      }
      const others = this.profiles.filter((i) => i.profile.chargingProfileId !== p.id);
      if (others.length >= this.intVar('SmartChargingCtrlr/Entries[ChargingProfiles]', 20)) return reject;
      this.installProfile(req.evseId, toInstalled(p));
      return { response: { status: 'Accepted' } };
    },

    ClearChargingProfile: (req) => {
      const c = req.chargingProfileCriteria;
      const removed = clearProfiles(this.profiles, ({ connectorId, profile }) =>
        req.chargingProfileId !== undefined
          ? profile.chargingProfileId === req.chargingProfileId
          : (c?.evseId === undefined || c.evseId === connectorId) &&
            (c?.chargingProfilePurpose === undefined || c.chargingProfilePurpose === PURPOSE_201[profile.chargingProfilePurpose]) &&
            (c?.stackLevel === undefined || c.stackLevel === profile.stackLevel),
      );
      return { response: { status: removed ? 'Accepted' : 'Unknown' } };
    },

    GetCompositeSchedule: (req) => {
      const e = this.evses[req.evseId];
      if (!e) return { response: { status: 'Rejected' } };
      const unit = req.chargingRateUnit ?? 'A';
      const s = outletSchedule({ profiles: this.profiles, outletId: e.id, session: e.tx, powerW: this.opts.powerW ?? DEFAULT_POWER_W, outlets: this.connectorCount, durationSec: req.duration, unit });
      return {
        response: {
          status: 'Accepted',
          schedule: { evseId: e.id, duration: req.duration, scheduleStart: s.startSchedule!, chargingRateUnit: unit, chargingSchedulePeriod: s.chargingSchedulePeriod },
        },
      };
    },

    UpdateFirmware: (req) => ({ response: { status: 'Accepted' }, after: () => this.updateFirmware(req) }),

    GetLog: (req) => {
      const filename = `${req.logType === 'SecurityLog' ? 'security' : 'diagnostics'}-${this.id}-${new Date().toISOString().replace(/[:.]/g, '')}.zip`;
      const failed = /fail/i.test(req.log.remoteLocation);
      return {
        response: { status: 'Accepted', filename },
        after: () => this.progress(this.opts.progressStepMs ?? 200, ['Uploading', failed ? 'UploadFailure' : 'Uploaded'] as LogStatus[], (s) => this.setLogStatus(s, req.requestId)),
      };
    },

    DataTransfer: () => ({ response: { status: 'UnknownVendorId' } }),
  };
}
