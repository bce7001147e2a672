/** The SetChargingProfile requests load management sends, in amps. */
import type { SetChargingProfileRequest } from '../ocpp/schema/ocpp16.js';
import type { Phases } from '../store/queries/load-management.js';

/** Volts per phase for converting between kW and A (limits, Power.Active.Import). */
export const NOMINAL_VOLTS = 230;

/**
 * Our profile ids: fixed per purpose and connector, so each new limit replaces the last one
 * instead of piling up on the charger (MaxChargingProfilesInstalled).
 */
const TX_DEFAULT_ID = 13_000;
const TX_ID_BASE = 13_100;
/** One level above 0, so an operator's own stack-level-0 profiles stay beneath ours. */
const STACK_LEVEL = 1;

// Phases only when configured: OCPP reads an omitted numberPhases as 3.
const period = (limit: number, phases: Phases | null) => ({ startPeriod: 0, limit, ...(phases !== null && { numberPhases: phases }) });

export const txDefaultProfileId = (): number => TX_DEFAULT_ID;
export const txProfileId = (connectorId: number): number => TX_ID_BASE + connectorId;

/** The fallback every connector of the charger keeps while no TxProfile is in force. */
export function txDefaultRequest(limitAmps: number, phases: Phases | null): SetChargingProfileRequest {
  return {
    connectorId: 0,
    csChargingProfiles: {
      chargingProfileId: TX_DEFAULT_ID,
      stackLevel: STACK_LEVEL,
      chargingProfilePurpose: 'TxDefaultProfile',
      chargingProfileKind: 'Relative',
      chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [period(limitAmps, phases)] },
    },
  };
}

/**
 * A session's share, valid until `validTo`: TxProfile overrides TxDefaultProfile (OCPP 1.6
 * §3.13.2), so a share above the fallback must expire by itself when the controller is gone.
 */
export function txRequest(connectorId: number, transactionId: number, limitAmps: number, phases: Phases | null, now: Date, validTo: Date): SetChargingProfileRequest {
  return {
    connectorId,
    csChargingProfiles: {
      chargingProfileId: txProfileId(connectorId),
      transactionId,
      stackLevel: STACK_LEVEL,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Absolute',
      validFrom: now.toISOString(),
      validTo: validTo.toISOString(),
      chargingSchedule: { startSchedule: now.toISOString(), chargingRateUnit: 'A', chargingSchedulePeriod: [period(limitAmps, phases)] },
    },
  };
}
