/**
 * Rules a charger applies the same way whatever OCPP version it speaks: which outlet (1.6
 * connector, 2.0.1 EVSE) a session gets, how a token is authorized online and offline, how
 * installed charging profiles are replaced, cleared and dropped.
 */

import type { ChargingProfile, InstalledProfile } from './smart-charging.js';
import { CallError } from './station.js';

/**
 * The outlet asked for, or else the first free one (one reserved for the driver first); a
 * string says why none can take the session. Outlet 0 (the charger itself) never does.
 */
export function pickOutlet<T extends { id: number }>(
  outlets: readonly T[],
  wanted: number | undefined,
  refusal: (o: T | undefined) => string | null,
  reserved: (id: number) => boolean,
  none: string,
): T | string {
  if (wanted !== undefined) {
    const o = outlets[wanted];
    return refusal(o) ?? o!;
  }
  const free = outlets.slice(1).filter((o) => refusal(o) === null);
  return free.find((o) => reserved(o.id)) ?? free[0] ?? none;
}

/** What decides whether an outlet can take a session. */
export interface OutletState {
  id: number;
  busy: boolean;
  status: string;
}

/**
 * Why a session cannot start on outlet `o` (named `noun` in the reason), or null when it can.
 * `inoperative`: the outlet or the whole charger is; `reservedFor`: another driver's reservation.
 */
export function outletRefusal(o: OutletState | undefined, noun: string, inoperative: (o: OutletState) => boolean, reservedFor: (o: OutletState) => string | null): string | null {
  if (!o || o.id === 0) return `no such ${noun}`;
  if (o.busy) return `${noun} busy`;
  if (inoperative(o)) return `${noun} inoperative`;
  if (o.status === 'Faulted') return `${noun} faulted`;
  const holder = reservedFor(o);
  return holder === null ? null : `${noun} reserved for ${holder}`;
}

/** Whether an authorization outcome lets the session start: never offline-refused or after a CALLERROR; strict mode wants Accepted. */
export const admits = (status: string, strict: boolean): boolean => status !== 'OfflineRefused' && status !== 'Error' && (!strict || status === 'Accepted');

export interface AuthorizeSteps<S extends string> {
  /** What the local list or cache says of the token (undefined: it knows nothing). */
  local: S | undefined;
  /** LocalPreAuthorize: a locally Accepted token starts without asking. */
  preAuthorize: boolean;
  online: boolean;
  /** Authorize online; a CALLERROR refuses, a dropped socket decides offline. */
  ask: () => Promise<S>;
  /** LocalAuthorizeOffline: offline, the local answer decides. */
  localOffline: boolean;
  /** Offline, an unknown token may charge (1.6 AllowOfflineTxForUnknownId, 2.0.1 OfflineTxForUnknownIdEnabled). */
  allowUnknownOffline: boolean;
}

/** The authorization a charger does before a session: online when it can, by its local knowledge when it cannot. */
export async function authorize<S extends string>(s: AuthorizeSteps<S>): Promise<S | 'Accepted' | 'OfflineRefused' | 'Error'> {
  if (s.local === 'Accepted' && s.preAuthorize) return 'Accepted';
  if (s.online) {
    try {
      return await s.ask();
    } catch (err) {
      if (err instanceof CallError) return 'Error';
      // Lost the connection meanwhile: decide offline.
    }
  }
  if (s.local && s.localOffline) return s.local;
  if (s.allowUnknownOffline) return 'Accepted';
  return 'OfflineRefused';
}

/** Installs a profile: it replaces one with its id, and one with the same outlet, stack level and purpose. */
export function installProfile(profiles: InstalledProfile[], connectorId: number, p: ChargingProfile): void {
  for (let i = profiles.length - 1; i >= 0; i--) {
    const o = profiles[i]!;
    const sameSlot = o.connectorId === connectorId && o.profile.stackLevel === p.stackLevel && o.profile.chargingProfilePurpose === p.chargingProfilePurpose;
    if (o.profile.chargingProfileId === p.chargingProfileId || sameSlot) profiles.splice(i, 1);
  }
  profiles.push({ connectorId, profile: p });
}

/** Removes the profiles `match` picks; returns how many. */
export function clearProfiles(profiles: InstalledProfile[], match: (p: InstalledProfile) => boolean): number {
  const before = profiles.length;
  for (let i = profiles.length - 1; i >= 0; i--) if (match(profiles[i]!)) profiles.splice(i, 1);
  return before - profiles.length;
}

/** A TxProfile lives only as long as its transaction. */
export const dropTxProfiles = (profiles: InstalledProfile[], connectorId: number): number =>
  clearProfiles(profiles, (p) => p.connectorId === connectorId && p.profile.chargingProfilePurpose === 'TxProfile');
