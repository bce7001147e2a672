import type { OcppServer } from '../ocpp/server.js';
import type { CommandSender } from './sender.js';

/** A 1.6 charger takes the neutral commands as they are: they are its own requests. */
export const v16Sender = (ocpp: Pick<OcppServer, 'call'>): CommandSender => ({
  send: async (cp, action, request) => ({ response: await ocpp.call(cp, action, request) }),
});
