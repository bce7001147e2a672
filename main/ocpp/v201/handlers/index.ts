import type { InboundAction } from '../actions.js';
import type { Handler } from '../context.js';
import { authorize } from './authorize.js';
import { bootNotification } from './boot-notification.js';
import { dataTransfer } from './data-transfer.js';
import { firmwareStatusNotification } from './firmware-status-notification.js';
import { heartbeat } from './heartbeat.js';
import { logStatusNotification } from './log-status-notification.js';
import { meterValues } from './meter-values.js';
import { notifyEvent } from './notify-event.js';
import { notifyReport } from './notify-report.js';
import { reservationStatusUpdate } from './reservation-status-update.js';
import { securityEventNotification } from './security-event-notification.js';
import { statusNotification } from './status-notification.js';
import { transactionEvent } from './transaction-event.js';

/** One handler per 2.0.1 station -> controller action; the mapped type makes a missing one a compile error. */
export const handlers: { [A in InboundAction]: Handler<A> } = {
  Authorize: authorize,
  BootNotification: bootNotification,
  DataTransfer: dataTransfer,
  FirmwareStatusNotification: firmwareStatusNotification,
  Heartbeat: heartbeat,
  LogStatusNotification: logStatusNotification,
  MeterValues: meterValues,
  NotifyEvent: notifyEvent,
  NotifyReport: notifyReport,
  ReservationStatusUpdate: reservationStatusUpdate,
  SecurityEventNotification: securityEventNotification,
  StatusNotification: statusNotification,
  TransactionEvent: transactionEvent,
};
