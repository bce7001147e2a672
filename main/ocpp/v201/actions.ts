/**
 * OCPP 2.0.1 actions by direction (issue 14): Core and the functional blocks a depot uses.
 * Anything else a station sends is answered NotImplemented.
 */
export const INBOUND_ACTIONS = [
  'Authorize',
  'BootNotification',
  'DataTransfer',
  'FirmwareStatusNotification',
  'Heartbeat',
  'LogStatusNotification',
  'MeterValues',
  'NotifyEvent',
  'NotifyReport',
  'ReservationStatusUpdate',
  'SecurityEventNotification',
  'StatusNotification',
  'TransactionEvent',
] as const;

export const OUTBOUND_ACTIONS = [
  'CancelReservation',
  'ChangeAvailability',
  'ClearCache',
  'ClearChargingProfile',
  'DataTransfer',
  'GetBaseReport',
  'GetCompositeSchedule',
  'GetLocalListVersion',
  'GetLog',
  'GetVariables',
  'RequestStartTransaction',
  'RequestStopTransaction',
  'ReserveNow',
  'Reset',
  'SendLocalList',
  'SetChargingProfile',
  'SetVariables',
  'TriggerMessage',
  'UnlockConnector',
  'UpdateFirmware',
] as const;

export type InboundAction = (typeof INBOUND_ACTIONS)[number];
export type OutboundAction = (typeof OUTBOUND_ACTIONS)[number];

const inbound = new Set<string>(INBOUND_ACTIONS);
export const isInboundAction = (a: string): a is InboundAction => inbound.has(a);
