/**
 * Charging profiles as a charger keeps them, and a composite schedule computed from them:
 * per purpose the profile with the highest stackLevel that is valid at a moment wins;
 * TxProfile overrides TxDefaultProfile; ChargePointMaxProfile caps the result.
 */
import type { GetCompositeScheduleResponse, SetChargingProfileRequest } from '../../main/ocpp/schema/ocpp16.js';

export type ChargingProfile = SetChargingProfileRequest['csChargingProfiles'];
export type RateUnit = 'A' | 'W';
export type CompositeSchedule = NonNullable<GetCompositeScheduleResponse['chargingSchedule']>;

export interface InstalledProfile {
  connectorId: number;
  profile: ChargingProfile;
}

const DAY_MS = 86_400_000;
const MAX_OCCURRENCES = 400;

/** Converts a limit between amperes and watts (per OCPP: numberPhases defaults to 3). */
export function convert(limit: number, from: RateUnit, to: RateUnit, phases: number, voltage: number): number {
  if (from === to) return limit;
  return to === 'W' ? limit * voltage * phases : limit / (voltage * phases);
}

/** Start times (ms) of the profile's schedule occurrences overlapping [from, to). */
function occurrences(p: ChargingProfile, txStartMs: number | null, from: number, to: number): Array<{ start: number; end: number }> {
  const s = p.chargingSchedule;
  const durationMs = s.duration !== undefined ? s.duration * 1000 : Infinity;
  if (p.chargingProfileKind === 'Relative') {
    const start = txStartMs ?? from;
    return [{ start, end: start + durationMs }];
  }
  const base = s.startSchedule ? Date.parse(s.startSchedule) : p.validFrom ? Date.parse(p.validFrom) : from;
  if (p.chargingProfileKind === 'Absolute') return [{ start: base, end: base + durationMs }];
  const period = p.recurrencyKind === 'Weekly' ? 7 * DAY_MS : DAY_MS;
  const out: Array<{ start: number; end: number }> = [];
  let k = Math.floor((from - base) / period);
  for (let i = 0; i < MAX_OCCURRENCES; i++, k++) {
    const start = base + k * period;
    if (start >= to) break;
    out.push({ start, end: start + Math.min(period, durationMs) });
  }
  return out;
}

function validAt(p: ChargingProfile, t: number): boolean {
  if (p.validFrom && t < Date.parse(p.validFrom)) return false;
  if (p.validTo && t >= Date.parse(p.validTo)) return false;
  return true;
}

/** The profile's limit at time t, or undefined when it says nothing about t. */
export function limitAt(p: ChargingProfile, t: number, txStartMs: number | null): { limit: number; unit: RateUnit; numberPhases: number | undefined } | undefined {
  if (!validAt(p, t)) return undefined;
  const occ = occurrences(p, txStartMs, t, t + 1).find((o) => o.start <= t && t < o.end);
  if (!occ) return undefined;
  const offsetSec = (t - occ.start) / 1000;
  let found: ChargingProfile['chargingSchedule']['chargingSchedulePeriod'][number] | undefined;
  for (const period of p.chargingSchedule.chargingSchedulePeriod) if (period.startPeriod <= offsetSec && (!found || period.startPeriod >= found.startPeriod)) found = period;
  return found ? { limit: found.limit, unit: p.chargingSchedule.chargingRateUnit, numberPhases: found.numberPhases } : undefined;
}

/** Every moment in [from, to) at which some profile's limit may change. */
function breakpoints(profiles: ChargingProfile[], txStartMs: number | null, from: number, to: number): number[] {
  const points = new Set<number>([from]);
  // Whole seconds: a schedule's periods start on second boundaries.
  const add = (t: number) => {
    const r = from + Math.ceil((t - from) / 1000) * 1000;
    if (r > from && r < to) points.add(r);
  };
  for (const p of profiles) {
    if (p.validFrom) add(Date.parse(p.validFrom));
    if (p.validTo) add(Date.parse(p.validTo));
    for (const o of occurrences(p, txStartMs, from, to)) {
      add(o.start);
      add(o.end);
      for (const period of p.chargingSchedule.chargingSchedulePeriod) add(o.start + period.startPeriod * 1000);
    }
  }
  return [...points].sort((a, b) => a - b);
}

function best(profiles: ChargingProfile[], t: number, txStartMs: number | null) {
  let winner: { stackLevel: number; value: NonNullable<ReturnType<typeof limitAt>> } | undefined;
  for (const p of profiles) {
    const v = limitAt(p, t, txStartMs);
    if (v && (!winner || p.stackLevel > winner.stackLevel)) winner = { stackLevel: p.stackLevel, value: v };
  }
  return winner?.value;
}

export interface CompositeInput {
  installed: readonly InstalledProfile[];
  connectorId: number;
  /** Start of the running transaction on the connector (Relative profiles start there), or null. */
  txStartMs: number | null;
  /** Whether a transaction runs on the connector (TxProfile applies only then). */
  txRunning: boolean;
  fromMs: number;
  durationSec: number;
  unit: RateUnit;
  /** Limit when no profile restricts (the connector's rating), in `unit`. */
  maxLimit: number;
  voltage: number;
  phases: number;
}

/** The limit in force at one moment, in the requested unit (the rating when nothing limits). */
export function compositeLimitAt(input: Omit<CompositeInput, 'fromMs' | 'durationSec'>, t: number): { limit: number; numberPhases: number | undefined } {
  const { installed, connectorId, txStartMs, txRunning, unit, maxLimit, voltage, phases } = input;
  const of = (purpose: ChargingProfile['chargingProfilePurpose'], connectors: number[]) =>
    installed.filter((i) => i.profile.chargingProfilePurpose === purpose && connectors.includes(i.connectorId)).map((i) => i.profile);
  const cpMax = best(of('ChargePointMaxProfile', [0]), t, txStartMs);
  let tx = txRunning && connectorId > 0 ? best(of('TxProfile', [connectorId]), t, txStartMs) : undefined;
  // A connector-specific TxDefaultProfile overrides the charger-wide one.
  if (!tx && connectorId > 0) tx = best(of('TxDefaultProfile', [connectorId]), t, txStartMs) ?? best(of('TxDefaultProfile', [0]), t, txStartMs);
  let limit = maxLimit;
  let numberPhases: number | undefined;
  for (const v of [cpMax, tx]) {
    if (!v) continue;
    const converted = convert(v.limit, v.unit, unit, v.numberPhases ?? phases, voltage);
    if (converted < limit) {
      limit = converted;
      numberPhases = v.numberPhases;
    }
  }
  return { limit: Math.round(limit * 10) / 10, numberPhases };
}

/** GetCompositeSchedule: the limits over [from, from + duration), merged into periods. */
export function compositeSchedule(input: CompositeInput): CompositeSchedule {
  const from = Math.floor(input.fromMs / 1000) * 1000;
  const to = from + input.durationSec * 1000;
  // Without a transaction, Relative profiles are shown as if one started now.
  const anchored = { ...input, txStartMs: input.txStartMs ?? from };
  const relevant = input.installed.filter((i) => i.connectorId === 0 || i.connectorId === input.connectorId).map((i) => i.profile);
  const periods: CompositeSchedule['chargingSchedulePeriod'] = [];
  for (const t of breakpoints(relevant, anchored.txStartMs, from, to)) {
    const { limit, numberPhases } = compositeLimitAt(anchored, t);
    const last = periods[periods.length - 1];
    if (last && last.limit === limit && last.numberPhases === numberPhases) continue;
    periods.push({ startPeriod: Math.floor((t - from) / 1000), limit, ...(numberPhases !== undefined && { numberPhases }) });
  }
  return { duration: input.durationSec, startSchedule: new Date(from).toISOString(), chargingRateUnit: input.unit, chargingSchedulePeriod: periods };
}
