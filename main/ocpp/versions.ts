/** The OCPP versions this central system speaks, each with its WebSocket subprotocol (OCPP-J). */
export const OCPP_VERSIONS = ['1.6', '2.0.1'] as const;
export type OcppVersion = (typeof OCPP_VERSIONS)[number];

export const SUBPROTOCOLS: Readonly<Record<OcppVersion, string>> = { '1.6': 'ocpp1.6', '2.0.1': 'ocpp2.0.1' };

/** `1.6`, `ocpp1.6`, `2.0.1`, `OCPP2.0.1` -> the version; anything else (2.1 too) -> null. */
export function versionNamed(name: string): OcppVersion | null {
  const bare = name.trim().toLowerCase().replace(/^ocpp/, '');
  return OCPP_VERSIONS.find((v) => v === bare) ?? null;
}

/**
 * The subprotocol to agree to: the first of the client's offers (in its order of preference)
 * that we speak, unless the URL's `version` hint names another one it also offers. Null when
 * none of its offers is spoken here.
 */
export function negotiate(offered: readonly string[], hint: OcppVersion | null): OcppVersion | null {
  const spoken = offered.map((p) => OCPP_VERSIONS.find((v) => SUBPROTOCOLS[v] === p)).filter((v): v is OcppVersion => v !== undefined);
  if (hint && spoken.includes(hint)) return hint;
  return spoken[0] ?? null;
}
