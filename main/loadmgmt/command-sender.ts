/** Sends load management's profiles through the command service (audited like any command). */
import { CommandError } from '../commands/errors.js';
import type { CommandService } from '../commands/service.js';
import type { Logger } from '../log/logger.js';
import type { SetChargingProfileRequest } from '../ocpp/schema/ocpp16.js';

/** 'retry': the charger could not be asked (offline, timeout, busy); the next batch asks again. */
export type SendResult = 'accepted' | 'rejected' | 'unsupported' | 'retry';

export interface ProfileSender {
  setProfile(chargePointId: string, request: SetChargingProfileRequest): Promise<SendResult>;
  clearProfile(chargePointId: string, chargingProfileId: number): Promise<SendResult>;
  isConnected(chargePointId: string): boolean;
}

const BY = 'load-management';

export function commandSender(commands: Pick<CommandService, 'execute'>, isConnected: (chargePointId: string) => boolean, log: Logger): ProfileSender {
  const failed = (cp: string, action: string, err: unknown): SendResult => {
    // A charger without the SmartCharging profile answers NotSupported or NotImplemented.
    const code = err instanceof CommandError ? err.extra.rpcCode : undefined;
    if (code === 'NotSupported' || code === 'NotImplemented') return 'unsupported';
    log.warn({ err, cp, action }, 'load management: profile not delivered, retrying');
    return 'retry';
  };
  return {
    async setProfile(cp, request) {
      try {
        const { response } = await commands.execute(cp, 'SetChargingProfile', request, BY);
        return response.status === 'Accepted' ? 'accepted' : response.status === 'NotSupported' ? 'unsupported' : 'rejected';
      } catch (err) {
        return failed(cp, 'SetChargingProfile', err);
      }
    },
    async clearProfile(cp, id) {
      try {
        await commands.execute(cp, 'ClearChargingProfile', { id }, BY);
        return 'accepted';
      } catch (err) {
        return failed(cp, 'ClearChargingProfile', err);
      }
    },
    isConnected,
  };
}
