/**
 * One spelling for every stored instant: UTC, milliseconds, `Z` (what Date#toISOString gives).
 * Stored instants are compared and ordered as text, so `09:28:47+02:00` beside `07:28:47Z`
 * sorted and filtered wrongly; normalising on the way in makes text order time order.
 */

/** ISO 8601 date, optionally with a time; anything else (V8 also parses "1" or "March 7") is refused. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
/** A leap second (23:59:60), which RFC 3339 allows and JS dates cannot hold. */
const LEAP_SECOND = /:60(?=(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?$)/i;

/**
 * The instant `text` names, as `YYYY-MM-DDTHH:MM:SS.sssZ`, or undefined when it names none.
 * A date-time without an offset is taken as UTC (OCPP's recommendation), never as this PC's
 * local time; a leap second is taken as the next second.
 */
export function utcInstant(text: string): string | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  // Date.parse rolls 2026-02-30 over into March.
  const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (day.getUTCMonth() !== Number(m[2]) - 1 || day.getUTCDate() !== Number(m[3])) return undefined;
  const zoned = text.length > 10 && !m[4] ? `${text}Z` : text;
  const leap = LEAP_SECOND.test(zoned);
  const t = Date.parse(leap ? zoned.replace(LEAP_SECOND, ':59') : zoned) + (leap ? 1000 : 0);
  return Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : undefined;
}

/** A charger's instant, or `fallback` (when it arrived) for one a lenient charger sent unreadable. */
export const chargerInstant = (text: string | undefined, fallback: string): string => (text === undefined ? undefined : utcInstant(text)) ?? fallback;
