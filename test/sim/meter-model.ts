/**
 * The electrical side of a simulated connector, whatever OCPP version reports it: an energy
 * register that advances with what the EV draws, the current offered under the charging
 * profiles in force (composite schedule), and the readings a meter value is made of.
 */
import { compositeLimitAt, compositeSchedule, type InstalledProfile } from './smart-charging.js';
import type { Vehicle } from './vehicle.js';

/** Single phase, 230 V. */
export const VOLTAGE = 230;
/** Nominal power of a connector when not configured: 32 A single phase. */
export const DEFAULT_POWER_W = 7360;

export const SUPPORTED_MEASURANDS = ['Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import', 'Voltage', 'Current.Offered'] as const;
export type Measurand = (typeof SUPPORTED_MEASURANDS)[number];

export interface Meter {
  meterWh: number;
  lastMeterMs: number;
}

/** The session drawing on a meter: its start (Relative profiles count from it), whether it still runs, its EV. */
export interface MeterSession {
  startMs: number;
  stopped: boolean;
  vehicle?: Vehicle;
}

/** A meter that has seen some use (sessions don't start at 0 Wh), different per connector. */
export function usedMeter(index: number, nowMs: number): Meter {
  return { meterWh: 1_000_000 + index * 10_000 + Math.floor(Math.random() * 1000), lastMeterMs: nowMs };
}

/** Current offered now on a connector: its rating, capped by the charging profiles in force. */
export function offeredAmps(profiles: readonly InstalledProfile[], connectorId: number, session: MeterSession | null, powerW: number): number {
  const nominal = powerW / VOLTAGE;
  if (!profiles.length) return nominal;
  const { limit } = compositeLimitAt(
    { installed: profiles, connectorId, txStartMs: session?.startMs ?? null, txRunning: !!session, unit: 'A', maxLimit: nominal, voltage: VOLTAGE, phases: 1 },
    Date.now(),
  );
  return Math.max(0, Math.min(nominal, limit));
}

/**
 * Advances the register to now with what the session's EV draws of `offered` amps (all of it
 * without an EV, nothing without a running session); returns the power drawn in W.
 * `timeScale`: simulated seconds per real second.
 */
export function advanceMeter(m: Meter, offered: number, session: MeterSession | null, timeScale = 1): number {
  const now = Date.now();
  const vehicle = session?.vehicle;
  const amps = !session || session.stopped ? 0 : vehicle ? vehicle.step(offered, now, VOLTAGE, 1, timeScale) : offered;
  const power = amps * VOLTAGE;
  const simSec = ((now - m.lastMeterMs) / 1000) * timeScale;
  m.meterWh += (power * simSec) / 3600;
  m.lastMeterMs = now;
  return power;
}

/** One reading per measurand wanted (a comma-separated list), in SUPPORTED_MEASURANDS order. */
export function readings(m: Meter, powerW: number, offeredA: number, wanted: string): Array<{ measurand: Measurand; value: number }> {
  const set = new Set(
    wanted
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );
  const values: Record<Measurand, number> = {
    'Energy.Active.Import.Register': Math.round(m.meterWh),
    'Power.Active.Import': Math.round(powerW),
    'Current.Import': Math.round((powerW / VOLTAGE) * 10) / 10,
    Voltage: Math.round((VOLTAGE + (Math.random() * 6 - 3)) * 10) / 10,
    'Current.Offered': Math.round(offeredA * 10) / 10,
  };
  return SUPPORTED_MEASURANDS.filter((x) => set.has(x)).map((measurand) => ({ measurand, value: values[measurand] }));
}

/** The unit, phase and location each measurand is reported with. */
export const MEASURAND_FORM: Record<Measurand, { unit: 'Wh' | 'W' | 'A' | 'V'; phase?: 'L1' | 'L1-N' }> = {
  'Energy.Active.Import.Register': { unit: 'Wh' },
  'Power.Active.Import': { unit: 'W' },
  'Current.Import': { unit: 'A', phase: 'L1' },
  Voltage: { unit: 'V', phase: 'L1-N' },
  'Current.Offered': { unit: 'A' },
};

/** The composite schedule of an outlet (0: the whole charger, `outlets` times the rating) from now on. */
export function outletSchedule(o: { profiles: readonly InstalledProfile[]; outletId: number; session: MeterSession | null; powerW: number; outlets: number; durationSec: number; unit: 'A' | 'W' }) {
  const nominalW = o.powerW * (o.outletId === 0 ? o.outlets : 1);
  return compositeSchedule({
    installed: o.profiles,
    connectorId: o.outletId,
    txStartMs: o.session?.startMs ?? null,
    txRunning: !!o.session && !o.session.stopped,
    fromMs: Date.now(),
    durationSec: o.durationSec,
    unit: o.unit,
    maxLimit: o.unit === 'W' ? nominalW : nominalW / VOLTAGE,
    voltage: VOLTAGE,
    phases: 1,
  });
}
