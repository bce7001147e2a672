/**
 * MAC vendor (IEEE OUI) lookup. The data comes from the `oui-data` npm package (the IEEE MA-L
 * registry as JSON, `{"001B1B": "Siemens AG\n<address>..."}`, republished as the registry
 * changes), loaded on first use. When the package is not installed the lookup says so once
 * and answers null: the rest of discovery works without vendors.
 */
import { createRequire } from 'node:module';

export interface OuiLookup {
  /** Registered owner of the MAC's OUI, or null. */
  vendorOf(mac: string): string | null;
}

/** `{"001B1B": "Siemens AG\n..."}` (oui-data's shape): first line is the organisation. */
export function ouiTable(data: Record<string, string>): OuiLookup {
  return {
    vendorOf(mac) {
      const key = mac
        .replace(/[^0-9a-fA-F]/g, '')
        .slice(0, 6)
        .toUpperCase();
      const entry = key.length === 6 ? data[key] : undefined;
      return entry ? entry.split('\n')[0]!.trim() || null : null;
    },
  };
}

export const OUI_PACKAGE = 'oui-data';

/** The maintained package's table, or null (with the reason) when it cannot be loaded. */
export function loadOuiPackage(): { lookup: OuiLookup | null; error: Error | null } {
  try {
    const data = createRequire(import.meta.url)(OUI_PACKAGE) as Record<string, string>;
    return { lookup: ouiTable(data), error: null };
  } catch (err) {
    return { lookup: null, error: new Error(`MAC vendors unavailable: npm package ${OUI_PACKAGE} could not be loaded`, { cause: err }) };
  }
}
