/**
 * A simulated EV behind a charger: it draws what the charger offers (the composite charging
 * limit) within what its battery accepts, ramping up over a few seconds and tapering near
 * full, as real vehicles do (IEC 61851: below 6 A offered it does not charge).
 */
export interface VehicleOptions {
  /** Most its onboard charger takes, amps per phase (default 32). */
  maxAmps?: number;
  /** How fast the draw rises toward what is offered, A/s (default 8). */
  rampAmpsPerSec?: number;
  /** Battery size (default 60 kWh) and state of charge at plug-in, 0..1 (default 0.2). */
  batteryWh?: number;
  soc?: number;
  /** From this state of charge the accepted current falls linearly to `taperEndAmps` at full (default 0.8). */
  taperFromSoc?: number;
  taperEndAmps?: number;
}

/** IEC 61851-1: a pilot duty cycle below 6 A means no charging. */
export const MIN_OFFER_AMPS = 6;

export class Vehicle {
  private drawA = 0;
  private lastMs: number | null = null;
  private cap: number | null = null;
  private readonly o: Required<VehicleOptions>;
  soc: number;

  constructor(o: VehicleOptions = {}) {
    this.o = { maxAmps: 32, rampAmpsPerSec: 8, batteryWh: 60_000, soc: 0.2, taperFromSoc: 0.8, taperEndAmps: 2, ...o };
    this.soc = this.o.soc;
  }

  /** The current drawn at the last step. */
  get drawAmps(): number {
    return this.drawA;
  }

  /** Caps what the vehicle takes (its battery management tapering on its own); null lifts the cap. */
  limitTo(amps: number | null): void {
    this.cap = amps;
  }

  /** What the battery accepts now. */
  acceptAmps(): number {
    const { maxAmps, taperFromSoc, taperEndAmps } = this.o;
    const taper = this.soc <= taperFromSoc ? maxAmps : maxAmps - ((maxAmps - taperEndAmps) * (this.soc - taperFromSoc)) / (1 - taperFromSoc);
    return Math.max(0, Math.min(taper, this.cap ?? Infinity));
  }

  /**
   * Advances to `nowMs` with `offeredA` offered and returns the current drawn. A lower offer is
   * followed at once; a higher one at the ramp rate. `energyScale` is simulated seconds per
   * real second for the state of charge.
   */
  step(offeredA: number, nowMs: number, volts: number, phases: number, energyScale = 1): number {
    const dtSec = this.lastMs === null ? 0 : Math.max(0, (nowMs - this.lastMs) / 1000);
    this.lastMs = nowMs;
    this.soc = Math.min(1, this.soc + (this.drawA * volts * phases * dtSec * energyScale) / 3600 / this.o.batteryWh);
    const target = offeredA < MIN_OFFER_AMPS || this.soc >= 1 ? 0 : Math.min(offeredA, this.acceptAmps());
    this.drawA = target <= this.drawA ? target : Math.min(target, this.drawA + this.o.rampAmpsPerSec * dtSec);
    return this.drawA;
  }
}
