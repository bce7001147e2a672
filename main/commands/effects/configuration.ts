import { hashPassword } from '../../auth/password.js';
import { setChargerPassword } from '../../store/queries/chargers.js';
import { saveConfiguration, setConfigurationValue } from '../../store/queries/charger-config.js';
import { nowIso, type CommandEffect } from './types.js';

/** Security profile 1: the charger's basic-auth password is its AuthorizationKey. */
export const SECRET_KEYS = new Set(['AuthorizationKey']);
const mask = (key: string, value: string | undefined) => (value !== undefined && SECRET_KEYS.has(key) ? '********' : value);

/** The request as it may be shown (audit log, REST answer, events): secret values masked. */
export function redactRequest(action: string, request: unknown): unknown {
  if (action !== 'ChangeConfiguration' || typeof request !== 'object' || request === null) return request;
  const r = request as { key?: unknown; value?: unknown };
  return typeof r.key === 'string' && SECRET_KEYS.has(r.key) && r.value !== undefined ? { ...r, value: '********' } : request;
}

export const getConfiguration: CommandEffect<'GetConfiguration'> = {
  after(d, cp, req, res) {
    const entries = (res.configurationKey ?? []).map((k) => ({ key: k.key, readonly: k.readonly, ...(k.value !== undefined && { value: mask(k.key, k.value)! }) }));
    d.db.transaction(() => saveConfiguration(d.db, cp, entries, !req.key?.length, nowIso()))();
  },
};

export const changeConfiguration: CommandEffect<'ChangeConfiguration'> = {
  async after(d, cp, req, res) {
    if (res.status !== 'Accepted' && res.status !== 'RebootRequired') return;
    setConfigurationValue(d.db, cp, req.key, mask(req.key, req.value)!, nowIso());
    // The old key stays valid until the charger has accepted the new one (OCPP 1.6 security whitepaper).
    if (req.key === 'AuthorizationKey') {
      setChargerPassword(d.db, cp, await hashPassword(req.value));
      return { passwordUpdated: true };
    }
  },
};
