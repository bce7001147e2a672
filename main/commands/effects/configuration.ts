import { hashPassword } from '../../auth/password.js';
import { promotePendingPassword, setPendingPassword } from '../../store/queries/chargers.js';
import { saveConfiguration, setConfigurationValue } from '../../store/queries/charger-config.js';
import { maskSecrets } from '../secrets.js';
import { nowIso, type CommandEffect } from './types.js';

export const getConfiguration: CommandEffect<'GetConfiguration'> = {
  after(d, cp, req, res) {
    const entries = (maskSecrets('GetConfiguration', res).configurationKey ?? []).map((k) => ({ key: k.key, readonly: k.readonly, ...(k.value !== undefined && { value: k.value }) }));
    d.db.transaction(() => saveConfiguration(d.db, cp, entries, !req.key?.length, nowIso()))();
  },
};

export const changeConfiguration: CommandEffect<'ChangeConfiguration'> = {
  async prepare(d, cp, req) {
    // Recorded before the call: if we crash after the charger accepted, it can still log in.
    if (req.key === 'AuthorizationKey') setPendingPassword(d.db, cp, await hashPassword(req.value));
    return req;
  },
  after(d, cp, req, res) {
    const accepted = res.status === 'Accepted' || res.status === 'RebootRequired';
    if (req.key === 'AuthorizationKey') {
      // The old key stays valid until the charger has accepted the new one (OCPP 1.6 security whitepaper).
      if (!accepted) {
        setPendingPassword(d.db, cp, null);
        return { passwordUpdated: false };
      }
      promotePendingPassword(d.db, cp);
    }
    if (!accepted) return;
    setConfigurationValue(d.db, cp, req.key, maskSecrets('ChangeConfiguration', req).value, nowIso());
    if (req.key === 'AuthorizationKey') return { passwordUpdated: true };
  },
  failed(d, cp, req, err) {
    // A timeout or a dropped socket leaves it open whether the charger took the key: keep the
    // pending key valid (the next login with it promotes it). A refusal before sending clears it.
    if (req?.key === 'AuthorizationKey' && (err.kind === 'invalid' || err.kind === 'not-connected' || err.kind === 'not-allowed')) setPendingPassword(d.db, cp, null);
  },
};
