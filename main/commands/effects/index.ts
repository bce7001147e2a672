import type { OutboundAction } from '../../ocpp/actions.js';
import { changeAvailability } from './availability.js';
import { clearChargingProfile, setChargingProfile } from './charging-profiles.js';
import { changeConfiguration, getConfiguration } from './configuration.js';
import { getLocalListVersionEffect, sendLocalList } from './local-list.js';
import { getDiagnostics, updateFirmware } from './maintenance.js';
import { remoteStartTransaction } from './remote-start.js';
import { cancelReservation, reserveNow } from './reservations.js';
import type { CommandEffect } from './types.js';

export type { EffectDeps } from './types.js';

/** Commands with store side effects; the others (Reset, UnlockConnector, ...) are pure calls. */
export const effects: { [A in OutboundAction]?: CommandEffect<A> } = {
  ChangeAvailability: changeAvailability,
  SetChargingProfile: setChargingProfile,
  ClearChargingProfile: clearChargingProfile,
  GetConfiguration: getConfiguration,
  ChangeConfiguration: changeConfiguration,
  SendLocalList: sendLocalList,
  GetLocalListVersion: getLocalListVersionEffect,
  UpdateFirmware: updateFirmware,
  GetDiagnostics: getDiagnostics,
  RemoteStartTransaction: remoteStartTransaction,
  ReserveNow: reserveNow,
  CancelReservation: cancelReservation,
};
