/**
 * The simulated charger's OCPP 1.6 configuration: a realistic key set across the six feature
 * profiles, with types, read-only flags and value checks, as GetConfiguration /
 * ChangeConfiguration see them.
 */
import { SUPPORTED_MEASURANDS } from './meter-model.js';

export type ConfigKind = 'int' | 'bool' | 'string' | 'csl' | 'secret';

export interface ConfigEntry {
  value: string;
  readonly: boolean;
  kind: ConfigKind;
  /** Extra check for writable values; returns false to answer Rejected. */
  check?: (value: string) => boolean;
}

/** A comma-separated list of the measurands the simulated meter supports (empty allowed). */
export const measurandList = (v: string) => v === '' || v.split(',').every((m) => (SUPPORTED_MEASURANDS as readonly string[]).includes(m.trim()));
const nonNegative = (v: string) => /^\d{1,9}$/.test(v);

export function defaultConfiguration(connectors: number): Map<string, ConfigEntry> {
  const rw = (value: string, kind: ConfigKind, check?: (v: string) => boolean): ConfigEntry => ({ value, readonly: false, kind, ...(check && { check }) });
  const ro = (value: string, kind: ConfigKind): ConfigEntry => ({ value, readonly: true, kind });
  return new Map<string, ConfigEntry>([
    // Core
    ['AllowOfflineTxForUnknownId', rw('false', 'bool')],
    ['AuthorizationCacheEnabled', rw('true', 'bool')],
    ['AuthorizeRemoteTxRequests', rw('false', 'bool')],
    ['ClockAlignedDataInterval', rw('0', 'int')],
    ['ConnectionTimeOut', rw('60', 'int')],
    ['ConnectorPhaseRotation', rw(Array.from({ length: connectors }, (_, i) => `${i + 1}.RST`).join(','), 'csl')],
    ['GetConfigurationMaxKeys', ro('50', 'int')],
    ['HeartbeatInterval', rw('60', 'int', (v) => Number(v) >= 1)],
    ['LightIntensity', rw('80', 'int', (v) => Number(v) <= 100)],
    ['LocalAuthorizeOffline', rw('true', 'bool')],
    ['LocalPreAuthorize', rw('false', 'bool')],
    ['MeterValuesAlignedData', rw('Energy.Active.Import.Register', 'csl', measurandList)],
    ['MeterValuesSampledData', rw('Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage', 'csl', measurandList)],
    ['MeterValueSampleInterval', rw('60', 'int')],
    ['NumberOfConnectors', ro(String(connectors), 'int')],
    ['ResetRetries', rw('3', 'int')],
    ['StopTransactionOnEVSideDisconnect', rw('true', 'bool')],
    // What chargers ship with: a session the central system refuses at StartTransaction is stopped (DeAuthorized).
    ['StopTransactionOnInvalidId', rw('true', 'bool')],
    ['StopTxnAlignedData', rw('', 'csl', measurandList)],
    ['StopTxnSampledData', rw('Energy.Active.Import.Register', 'csl', measurandList)],
    ['SupportedFeatureProfiles', ro('Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger', 'csl')],
    ['TransactionMessageAttempts', rw('3', 'int', (v) => Number(v) >= 1)],
    ['TransactionMessageRetryInterval', rw('10', 'int')],
    ['UnlockConnectorOnEVSideDisconnect', rw('true', 'bool')],
    ['WebSocketPingInterval', rw('0', 'int')],
    // Local auth list management
    ['LocalAuthListEnabled', rw('true', 'bool')],
    ['LocalAuthListMaxLength', ro('10000', 'int')],
    ['SendLocalListMaxLength', ro('500', 'int')],
    // Reservation
    ['ReserveConnectorZeroSupported', ro('false', 'bool')],
    // Smart charging
    ['ChargeProfileMaxStackLevel', ro('10', 'int')],
    ['ChargingScheduleAllowedChargingRateUnit', ro('Current,Power', 'csl')],
    ['ChargingScheduleMaxPeriods', ro('24', 'int')],
    ['MaxChargingProfilesInstalled', ro('20', 'int')],
    // Security whitepaper for 1.6: the basic auth password, write-only, 16..40 characters.
    ['AuthorizationKey', rw('', 'secret', (v) => /^[\x21-\x7e]{16,40}$/.test(v))],
    ['SecurityProfile', rw('0', 'int', (v) => Number(v) <= 3)],
  ]);
}

/** Validates a new value against the key's type and check. */
export function acceptsValue(entry: ConfigEntry, value: string): boolean {
  if (value.length > 500) return false;
  if (entry.kind === 'int' && !nonNegative(value)) return false;
  if (entry.kind === 'bool' && value !== 'true' && value !== 'false') return false;
  return entry.check ? entry.check(value) : true;
}
