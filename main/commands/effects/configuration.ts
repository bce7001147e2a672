import { hashPassword } from '../../auth/password.js';
import { entryOf } from '../../map-entry.js';
import { CommandError } from '../errors.js';
import { maskSecrets } from '../secrets.js';
import { type CommandEffect, type EffectDeps, nowIso } from './types.js';

export const getConfiguration: CommandEffect<'GetConfiguration'> = {
  async after(d, cp, req, res) {
    const entries = (maskSecrets('GetConfiguration', res).configurationKey ?? []).map((k) => ({ key: k.key, readonly: k.readonly, ...(k.value !== undefined && { value: k.value }) }));
    await d.writer.run('saveConfigurationSnapshot', { chargePointId: cp, entries, full: !req.key?.length, at: nowIso() });
  },
};

/**
 * One AuthorizationKey roll-out per charger at a time: two overlapping ones overwrote each
 * other's pending key across the hash's await, so the key promoted could be the one the charger
 * refused (a lockout). The running roll-out is keyed by its request object.
 */
const rollouts = new WeakMap<EffectDeps, Map<string, object>>();

function endRollout(d: EffectDeps, cp: string, req: object | undefined): void {
  const running = rollouts.get(d);
  if (running?.get(cp) === req) running!.delete(cp);
}

export const changeConfiguration: CommandEffect<'ChangeConfiguration'> = {
  async prepare(d, cp, req) {
    if (req.key !== 'AuthorizationKey') return req;
    const running = entryOf(rollouts, d, () => new Map());
    if (running.has(cp)) throw new CommandError('conflict', `an AuthorizationKey change for ${cp} is already under way; try again when it has been answered`, { field: 'key' });
    running.set(cp, req);
    // Recorded before the call: if we crash after the charger accepted, it can still log in.
    await d.writer.run('setPendingPassword', { chargePointId: cp, hash: await hashPassword(req.value) });
    return req;
  },
  async after(d, cp, req, res) {
    const accepted = res.status === 'Accepted' || res.status === 'RebootRequired';
    if (req.key === 'AuthorizationKey') {
      endRollout(d, cp, req);
      // The old key stays valid until the charger has accepted the new one (OCPP 1.6 security whitepaper).
      if (!accepted) {
        await d.writer.run('setPendingPassword', { chargePointId: cp, hash: null });
        return { passwordUpdated: false };
      }
    }
    if (!accepted) return;
    const value = maskSecrets('ChangeConfiguration', req).value;
    await d.writer.run('configurationChanged', { chargePointId: cp, key: req.key, value, promotePassword: req.key === 'AuthorizationKey', at: nowIso() });
    if (req.key === 'AuthorizationKey') return { passwordUpdated: true };
  },
  async failed(d, cp, req, err) {
    if (req?.key !== 'AuthorizationKey' || err.kind === 'conflict') return;
    endRollout(d, cp, req);
    // A timeout or a dropped socket leaves it open whether the charger took the key: keep the
    // pending key valid (the next login with it promotes it). A refusal before sending clears it.
    if (err.kind === 'invalid' || err.kind === 'not-connected' || err.kind === 'not-allowed') await d.writer.run('setPendingPassword', { chargePointId: cp, hash: null });
  },
};
