/**
 * The simulated 2.0.1 charging station's device model: the standardized components and
 * variables a depot's CSMS reads and writes (OCPP 2.0.1 Part 2, Appendix 3), with mutability,
 * types and value checks, as GetVariables / SetVariables / GetBaseReport see them. Values are
 * kept as strings, like 1.6 configuration keys (config.ts), and checked the same way.
 */
import { variableKey } from '../../main/commands/v201-variables.js';
import { acceptsValue, type ConfigEntry, type ConfigKind, measurandList } from './config.js';

export { variableKey } from '../../main/commands/v201-variables.js';
export type { VariableRef } from '../../main/store/queries/device-model.js';

export interface VariableEntry extends ConfigEntry {
  component: string;
  /** EVSE (and connector) the component belongs to, when it is per EVSE. */
  evse?: { id: number; connectorId?: number };
  variable: string;
  instance?: string;
  /** WriteOnly: never shown (BasicAuthPassword). */
  writeOnly?: boolean;
}

export const DATA_TYPE: Record<ConfigKind, 'integer' | 'boolean' | 'string' | 'MemberList'> = { int: 'integer', bool: 'boolean', string: 'string', csl: 'MemberList', secret: 'string' };

export function defaultDeviceModel(evses: number, o: { model: string; vendor: string; firmwareVersion: string; identity: string }): Map<string, VariableEntry> {
  const entries: VariableEntry[] = [];
  const add = (component: string, variable: string, value: string, kind: ConfigKind, x: Partial<VariableEntry> = {}) => entries.push({ component, variable, value, kind, readonly: false, ...x });
  const ro = { readonly: true };
  const positive = { check: (v: string) => Number(v) >= 1 };
  add('ChargingStation', 'Model', o.model, 'string', ro);
  add('ChargingStation', 'VendorName', o.vendor, 'string', ro);
  add('ChargingStation', 'AvailabilityState', 'Available', 'string', ro);
  add('FirmwareCtrlr', 'FirmwareVersion', o.firmwareVersion, 'string', ro);
  add('OCPPCommCtrlr', 'HeartbeatInterval', '60', 'int', positive);
  add('OCPPCommCtrlr', 'MessageAttempts', '3', 'int', { instance: 'TransactionEvent', ...positive });
  add('OCPPCommCtrlr', 'MessageAttemptInterval', '10', 'int', { instance: 'TransactionEvent' });
  add('SampledDataCtrlr', 'TxUpdatedInterval', '60', 'int');
  add('SampledDataCtrlr', 'TxStartedMeasurands', 'Energy.Active.Import.Register', 'csl', { check: measurandList });
  add('SampledDataCtrlr', 'TxUpdatedMeasurands', 'Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage', 'csl', { check: measurandList });
  add('SampledDataCtrlr', 'TxEndedMeasurands', 'Energy.Active.Import.Register', 'csl', { check: measurandList });
  add('AuthCtrlr', 'AuthorizeRemoteStart', 'false', 'bool');
  add('AuthCtrlr', 'LocalAuthorizeOffline', 'true', 'bool');
  add('AuthCtrlr', 'LocalPreAuthorize', 'false', 'bool');
  add('AuthCtrlr', 'OfflineTxForUnknownIdEnabled', 'false', 'bool');
  add('AuthCacheCtrlr', 'Enabled', 'true', 'bool');
  add('LocalAuthListCtrlr', 'Enabled', 'true', 'bool');
  add('LocalAuthListCtrlr', 'Entries', '0', 'int', ro);
  add('LocalAuthListCtrlr', 'ItemsPerMessage', '500', 'int', ro);
  add('LocalAuthListCtrlr', 'BytesPerMessage', '65000', 'int', ro);
  // What stations ship with: a transaction the CSMS refuses at its Started event is ended (Deauthorized).
  add('TxCtrlr', 'StopTxOnInvalidId', 'true', 'bool');
  add('TxCtrlr', 'EVConnectionTimeOut', '60', 'int');
  add('ReservationCtrlr', 'Enabled', 'true', 'bool');
  add('SmartChargingCtrlr', 'Enabled', 'true', 'bool');
  add('SmartChargingCtrlr', 'ProfileStackLevel', '10', 'int', ro);
  add('SmartChargingCtrlr', 'PeriodsPerSchedule', '24', 'int', ro);
  add('SmartChargingCtrlr', 'RateUnit', 'A,W', 'csl', ro);
  add('SmartChargingCtrlr', 'Entries', '20', 'int', { ...ro, instance: 'ChargingProfiles' });
  add('DeviceDataCtrlr', 'ItemsPerMessage', '50', 'int', { ...ro, instance: 'GetVariables' });
  add('DeviceDataCtrlr', 'ItemsPerMessage', '50', 'int', { ...ro, instance: 'SetVariables' });
  add('SecurityCtrlr', 'Identity', o.identity, 'string', ro);
  add('SecurityCtrlr', 'SecurityProfile', '1', 'int', ro);
  // 2.0.1 Part 2 A00.FR.7xx: 16..40 characters, write-only.
  add('SecurityCtrlr', 'BasicAuthPassword', '', 'secret', { writeOnly: true, check: (v) => /^[\x21-\x7e]{16,40}$/.test(v) });
  for (let id = 1; id <= evses; id++) {
    add('EVSE', 'AvailabilityState', 'Available', 'string', { ...ro, evse: { id } });
    add('EVSE', 'Power', '7360', 'int', { ...ro, evse: { id } });
    add('Connector', 'ConnectorType', 'cType2', 'string', { ...ro, evse: { id, connectorId: 1 } });
  }
  return new Map(
    entries.map((e) => [variableKey({ component: { name: e.component, ...(e.evse && { evse: e.evse }) }, variable: { name: e.variable, ...(e.instance && { instance: e.instance }) } }), e]),
  );
}

/** Whether SetVariables may write `value`: writable, right type, passes the variable's check. */
export const accepts = (e: VariableEntry, value: string): boolean => !e.readonly && acceptsValue(e, value);
