import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(10 * 256);
let offset = pool.length;

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Unique like
 * a v4 and never reused after a restore (the random part, not a counter, makes it unique), but
 * new keys sort after old ones, so each insert into a unique index on them lands on the
 * index's last page instead of a random one: session keys and outbox keys are written on
 * every session, and random keys dirtied (and wrote to the WAL) a different page each time.
 */
export function timeOrderedUuid(now = Date.now()): string {
  if (offset + 10 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const r = pool.subarray(offset, offset + 10);
  offset += 10;
  const ms = now.toString(16).padStart(12, '0').slice(-12);
  const hex = r.toString('hex');
  // version 7 in the 13th digit, variant 10xx in the 17th.
  const variant = ((Number.parseInt(hex[3]!, 16) & 0x3) | 0x8).toString(16);
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${hex.slice(0, 3)}-${variant}${hex.slice(4, 7)}-${hex.slice(8, 20)}`;
}
