/**
 * Configuration keys of a 2.0.1 station: its device model's component/variable pairs, named
 * in the API by one string, and the 1.6 configuration keys that have a 2.0.1 counterpart
 * (OCPP 2.0.1 Part 2, Appendix 3 "Standardized Components and Variables"), so the same
 * configuration command reads and writes either version.
 */

import type { VariableRef } from '../store/queries/device-model.js';

/** `Component[instance]@evse.connector/Variable[instance]`, e.g. `OCPPCommCtrlr/HeartbeatInterval`, `EVSE@1/AvailabilityState`. */
export function variableKey(r: VariableRef): string {
  const c = r.component;
  const evse = c.evse ? `@${c.evse.id}${c.evse.connectorId !== undefined ? `.${c.evse.connectorId}` : ''}` : '';
  return `${c.name}${c.instance ? `[${c.instance}]` : ''}${evse}/${r.variable.name}${r.variable.instance ? `[${r.variable.instance}]` : ''}`;
}

const KEY = /^([A-Za-z0-9_*.-]{1,50})(?:\[([^\]]{1,50})\])?(?:@(\d{1,9})(?:\.(\d{1,9}))?)?\/([A-Za-z0-9_*.-]{1,50})(?:\[([^\]]{1,50})\])?$/;

/** The reference a key names, or null when the string is not in variableKey's form. */
export function parseVariableKey(key: string): VariableRef | null {
  const m = KEY.exec(key);
  if (!m) return null;
  const [, component, cInstance, evseId, connectorId, variable, vInstance] = m;
  return {
    component: {
      name: component!,
      ...(cInstance && { instance: cInstance }),
      ...(evseId && { evse: { id: Number(evseId), ...(connectorId && { connectorId: Number(connectorId) }) } }),
    },
    variable: { name: variable!, ...(vInstance && { instance: vInstance }) },
  };
}

/** 1.6 configuration keys and the 2.0.1 variable that means the same. */
export const V16_KEY_VARIABLES: Readonly<Record<string, string>> = {
  HeartbeatInterval: 'OCPPCommCtrlr/HeartbeatInterval',
  WebSocketPingInterval: 'OCPPCommCtrlr/WebSocketPingInterval',
  ResetRetries: 'OCPPCommCtrlr/ResetRetries',
  TransactionMessageAttempts: 'OCPPCommCtrlr/MessageAttempts[TransactionEvent]',
  TransactionMessageRetryInterval: 'OCPPCommCtrlr/MessageAttemptInterval[TransactionEvent]',
  MeterValueSampleInterval: 'SampledDataCtrlr/TxUpdatedInterval',
  MeterValuesSampledData: 'SampledDataCtrlr/TxUpdatedMeasurands',
  StopTxnSampledData: 'SampledDataCtrlr/TxEndedMeasurands',
  ClockAlignedDataInterval: 'AlignedDataCtrlr/Interval',
  MeterValuesAlignedData: 'AlignedDataCtrlr/Measurands',
  AuthorizeRemoteTxRequests: 'AuthCtrlr/AuthorizeRemoteStart',
  LocalAuthorizeOffline: 'AuthCtrlr/LocalAuthorizeOffline',
  LocalPreAuthorize: 'AuthCtrlr/LocalPreAuthorize',
  AllowOfflineTxForUnknownId: 'AuthCtrlr/OfflineTxForUnknownIdEnabled',
  AuthorizationCacheEnabled: 'AuthCacheCtrlr/Enabled',
  LocalAuthListEnabled: 'LocalAuthListCtrlr/Enabled',
  SendLocalListMaxLength: 'LocalAuthListCtrlr/ItemsPerMessage',
  StopTransactionOnInvalidId: 'TxCtrlr/StopTxOnInvalidId',
  ConnectionTimeOut: 'TxCtrlr/EVConnectionTimeOut',
  ChargeProfileMaxStackLevel: 'SmartChargingCtrlr/ProfileStackLevel',
  ChargingScheduleMaxPeriods: 'SmartChargingCtrlr/PeriodsPerSchedule',
  MaxChargingProfilesInstalled: 'SmartChargingCtrlr/Entries[ChargingProfiles]',
  ChargingScheduleAllowedChargingRateUnit: 'SmartChargingCtrlr/RateUnit',
  SecurityProfile: 'SecurityCtrlr/SecurityProfile',
  // The basic auth password: what AuthorizationKey is to a 1.6 charger (2.0.1 Part 2, A00.FR.2xx).
  AuthorizationKey: 'SecurityCtrlr/BasicAuthPassword',
};

/** The variable a configuration key names: a 1.6 key with a counterpart, or a key in variableKey's form; null otherwise. */
export function variableForKey(key: string): VariableRef | null {
  return parseVariableKey(V16_KEY_VARIABLES[key] ?? key);
}
