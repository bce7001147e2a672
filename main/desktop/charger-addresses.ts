/**
 * The addresses the app has recorded for a charger: the IP address set in its record, the
 * remote address of its live OCPP connection, and the last one stored for it. Undefined when
 * no such charger is registered.
 */

import type { OcppServer } from '../ocpp/server.js';
import type { Db } from '../store/db.js';
import { getCharger } from '../store/queries/chargers.js';

export function recordedAddresses(db: Db, ocpp: OcppServer, chargePointId: string): string[] | undefined {
  const charger = getCharger(db, chargePointId);
  if (!charger) return undefined;
  const found = [charger.ipAddress, charger.remoteAddress, ocpp.connection(chargePointId)?.remoteAddress];
  return [...new Set(found.filter((a): a is string => !!a))];
}
