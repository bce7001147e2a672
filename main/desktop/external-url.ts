/**
 * Which addresses the system browser may be sent to: a charger's own web page, over http or
 * https, on an address the app recorded for that very charger. Everything else is refused
 * with a reason, so a compromised or buggy renderer cannot open arbitrary URLs or schemes.
 */
import { isIP } from 'node:net';

export const MAX_URL_LENGTH = 2048;

export type UrlDecision = { ok: true; url: string } | { ok: false; error: string };

/** `::ffff:192.168.10.5` (IPv4 on a dual-stack socket) -> `192.168.10.5`; IPv6 lower-case, brackets off. */
export function normaliseAddress(address: string): string {
  const a = address
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  return mapped ? mapped[1]! : a;
}

/**
 * Decides whether `raw` may be opened for a charger whose recorded addresses are `recorded`
 * (undefined: no such charger).
 */
export function checkWebConfigUrl(chargePointId: string, raw: string, recorded: readonly string[] | undefined): UrlDecision {
  if (recorded === undefined) return { ok: false, error: `no charger "${chargePointId}" is registered` };
  if (raw.length > MAX_URL_LENGTH) return { ok: false, error: `the address is longer than ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, error: `"${raw.slice(0, 100)}" is not an absolute URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, error: `only http and https addresses are opened, not ${url.protocol}` };
  if (url.username || url.password) return { ok: false, error: 'addresses with a user name or password in them are not opened' };
  const host = normaliseAddress(url.hostname);
  if (!isIP(host)) return { ok: false, error: `"${url.hostname}" is not an IP address recorded for charger "${chargePointId}"` };
  const allowed = recorded.map(normaliseAddress);
  if (!allowed.length) return { ok: false, error: `no address is recorded for charger "${chargePointId}" yet (set its IP address, or wait until it connects)` };
  if (!allowed.includes(host)) return { ok: false, error: `${host} is not an address recorded for charger "${chargePointId}" (recorded: ${allowed.join(', ')})` };
  return { ok: true, url: url.toString() };
}
