import { OCPP_VERSIONS, type OcppVersion, versionNamed } from './versions.js';

/**
 * The charger URL forms from the seeds:
 *   ws://HOST:PORT/ocpp/CPID, ws://HOST:PORT/CPID, ws://HOST:PORT/ocpp?chargePointId=CPID&version=1.6
 * `version` (seed 003: 1.6, 2.0.1) is a hint for the subprotocol negotiation (negotiate.ts).
 */
export type ParsedChargerUrl = { ok: true; chargePointId: string; versionHint: OcppVersion | null } | { ok: false; status: number; message: string };

/** RFC 3986 path characters minus '/', bounded like OCPP identities (48). */
const ID_PATTERN = /^[A-Za-z0-9._~:@!$&'()*+,;=-]{1,48}$/;
/** First path segments that belong to the REST API, never a charger. */
const RESERVED = new Set(['api', 'health', 'connections', 'statistics', 'assets', 'index.html', 'favicon.ico']);

export function validateChargePointId(id: string): string | null {
  if (!ID_PATTERN.test(id)) return "charge point id must be 1-48 characters of letters, digits and ._~:@!$&'()*+,;=-";
  if (RESERVED.has(id.toLowerCase())) return `"${id}" is reserved`;
  return null;
}

export function parseChargerUrl(rawUrl: string): ParsedChargerUrl {
  let url: URL;
  try {
    url = new URL(rawUrl, 'http://localhost');
  } catch {
    return { ok: false, status: 400, message: 'malformed URL' };
  }
  const version = url.searchParams.get('version');
  const versionHint = version === null ? null : versionNamed(version);
  if (version !== null && !versionHint) {
    return { ok: false, status: 400, message: `OCPP version ${version.slice(0, 20)} is not supported (${OCPP_VERSIONS.join(', ')})` };
  }
  const segments = url.pathname.split('/').filter(Boolean);
  let id: string | null = null;
  try {
    // searchParams are already decoded; path segments are not.
    if (segments.length === 1 && segments[0] === 'ocpp') id = url.searchParams.get('chargePointId');
    else if (segments.length === 2 && segments[0] === 'ocpp') id = decodeURIComponent(segments[1]!);
    else if (segments.length === 1) id = decodeURIComponent(segments[0]!);
  } catch {
    return { ok: false, status: 400, message: 'charge point id is not valid percent-encoding' };
  }
  if (id === null) return { ok: false, status: 404, message: 'not an OCPP endpoint: use /ocpp/<chargePointId>' };
  const problem = validateChargePointId(id);
  return problem ? { ok: false, status: 400, message: problem } : { ok: true, chargePointId: id, versionHint };
}
