/** OCPP 1.6 actions by direction; the six feature profiles are all covered. The UI imports this module too (the message log filter): keep it free of imports. */
export const INBOUND_ACTIONS = [
  'Authorize',
  'BootNotification',
  'DataTransfer',
  'DiagnosticsStatusNotification',
  'FirmwareStatusNotification',
  'Heartbeat',
  'MeterValues',
  'StartTransaction',
  'StatusNotification',
  'StopTransaction',
] as const;

export const OUTBOUND_ACTIONS = [
  'CancelReservation',
  'ChangeAvailability',
  'ChangeConfiguration',
  'ClearCache',
  'ClearChargingProfile',
  'DataTransfer',
  'GetCompositeSchedule',
  'GetConfiguration',
  'GetDiagnostics',
  'GetLocalListVersion',
  'RemoteStartTransaction',
  'RemoteStopTransaction',
  'ReserveNow',
  'Reset',
  'SendLocalList',
  'SetChargingProfile',
  'TriggerMessage',
  'UnlockConnector',
  'UpdateFirmware',
] as const;

export type InboundAction = (typeof INBOUND_ACTIONS)[number];
export type OutboundAction = (typeof OUTBOUND_ACTIONS)[number];

const inbound = new Set<string>(INBOUND_ACTIONS);
export const isInboundAction = (a: string): a is InboundAction => inbound.has(a);
