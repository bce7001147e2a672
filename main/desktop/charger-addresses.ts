/**
 * The addresses the app has recorded for a charger: the IP address set in its record, the
 * remote address of its live OCPP connection, and the last one stored for it. A discovered
 * device not yet registered (issue 11) is named by its IP: its address is the one allowed.
 * Undefined when no such charger or device is known.
 */

import type { OcppServer } from '../ocpp/server.js';
import type { Db } from '../store/db.js';
import { getCharger } from '../store/queries/chargers.js';
import { getDevice } from '../store/queries/discovery.js';

export function recordedAddresses(db: Db, ocpp: OcppServer, chargePointId: string): string[] | undefined {
  const charger = getCharger(db, chargePointId);
  if (!charger) {
    const device = getDevice(db, chargePointId);
    return device ? [device.ip] : undefined;
  }
  const found = [charger.ipAddress, charger.remoteAddress, ocpp.connection(chargePointId)?.remoteAddress];
  return [...new Set(found.filter((a): a is string => !!a))];
}
