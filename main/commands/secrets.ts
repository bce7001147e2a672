/**
 * Secrets in a charger's conversation: the AuthorizationKey is the charger's basic-auth password
 * (security profile 1). Every writer that shows a command's request or answer (REST answer,
 * command audit, `command.result` event, configuration snapshot) masks it with this module.
 */
export const SECRET_CONFIGURATION_KEYS: ReadonlySet<string> = new Set(['AuthorizationKey']);
export const MASKED = '********';

/** A configuration value as it may be shown: secret keys masked. */
export function maskConfigurationValue(key: string, value: string): string;
export function maskConfigurationValue(key: string, value: string | undefined): string | undefined;
export function maskConfigurationValue(key: string, value: string | undefined): string | undefined {
  return value !== undefined && SECRET_CONFIGURATION_KEYS.has(key) ? MASKED : value;
}

type ConfigurationEntry = { key: string; value?: string };

/**
 * A command's request or answer as it may leave the conversation with the charger:
 * ChangeConfiguration.req's value and GetConfiguration.conf's values of secret keys masked.
 * Anything else is returned as is (same object).
 */
export function maskSecrets<T>(action: string, payload: T): T {
  if (typeof payload !== 'object' || payload === null) return payload;
  if (action === 'ChangeConfiguration') {
    const r = payload as { key?: unknown; value?: string };
    return typeof r.key === 'string' && r.value !== undefined && SECRET_CONFIGURATION_KEYS.has(r.key) ? { ...payload, value: MASKED } : payload;
  }
  if (action === 'GetConfiguration') {
    const entries = (payload as { configurationKey?: ConfigurationEntry[] }).configurationKey;
    if (!Array.isArray(entries) || !entries.some((e) => SECRET_CONFIGURATION_KEYS.has(e?.key) && e.value !== undefined)) return payload;
    return { ...payload, configurationKey: entries.map((e) => (e.value === undefined ? e : { ...e, value: maskConfigurationValue(e.key, e.value) })) };
  }
  return payload;
}
