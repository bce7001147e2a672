import type { Connection } from './connection.js';

export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected';

/**
 * A registration status changed by the operator, applied to the charger's live connection
 * (OCPP 1.6 §4.2 boot rules). The charger only learns its status from a BootNotification answer,
 * so a socket that is no longer Accepted is closed: the charger reconnects, boots again and is
 * answered Rejected (it may then send nothing else) or Pending (only GetConfiguration,
 * ChangeConfiguration and TriggerMessage may be sent to it). Until the socket is gone the new
 * state already applies: a Rejected charger's messages other than BootNotification are refused
 * and no command is sent to it. Accepted is left to the charger's next boot retry.
 * Returns whether the connection was closed.
 */
export function applyRegistrationStatus(conn: Connection, status: RegistrationStatus): boolean {
  if (status === 'Accepted' || conn.bootState === status) return false;
  conn.bootState = status;
  conn.close(1000, `registration status changed to ${status}: boot again`);
  return true;
}
