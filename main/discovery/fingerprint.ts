/**
 * Guesses a device's vendor from its HTTP answers with the data-driven table in
 * fingerprints.json: an entry matches when one of its `any` patterns and all of its `also`
 * patterns match somewhere in the title, Server header, TLS certificate subject or page body.
 */
import table from './fingerprints.json' with { type: 'json' };

export interface HttpFacts {
  title: string | null;
  server: string | null;
  certSubject: string | null;
  body: string | null;
}

export interface VendorGuess {
  vendor: string;
  model: string | null;
  /** Only "some EV charger": does not replace a vendor known from elsewhere. */
  generic: boolean;
}

interface Entry {
  vendor: string;
  model: string | null;
  generic: boolean;
  any: RegExp[];
  also: RegExp[];
}

const compile = (patterns: readonly string[] | undefined) => (patterns ?? []).map((p) => new RegExp(p, 'i'));

const ENTRIES: readonly Entry[] = table.fingerprints.map((f) => ({
  vendor: f.vendor,
  model: f.model,
  generic: (f as { generic?: boolean }).generic === true,
  any: compile(f.match.any),
  also: compile((f.match as { also?: string[] }).also),
}));

export function guessVendor(facts: readonly HttpFacts[]): VendorGuess | null {
  const text = facts
    .flatMap((f) => [f.title, f.server, f.certSubject, f.body])
    .filter((t): t is string => !!t)
    .join('\n');
  if (!text) return null;
  const hit = ENTRIES.find((e) => e.any.some((r) => r.test(text)) && e.also.every((r) => r.test(text)));
  return hit ? { vendor: hit.vendor, model: hit.model, generic: hit.generic } : null;
}
