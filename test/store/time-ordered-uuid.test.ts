import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timeOrderedUuid } from '../../main/store/time-ordered-uuid.js';

test('issue 12 / issue 10: session and outbox keys are RFC 9562 version-7 UUIDs: unique, and later keys sort after earlier ones', () => {
  const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const keys = Array.from({ length: 50_000 }, (_, i) => timeOrderedUuid(1_796_000_000_000 + Math.floor(i / 100)));
  for (const k of keys) assert.match(k, v7);
  assert.equal(new Set(keys).size, keys.length, 'no key repeats, even within one millisecond');
  // Across milliseconds the order is the creation order (within one it is random, which the index does not mind).
  for (let i = 100; i < keys.length; i += 100) assert.ok(keys[i - 100]! < keys[i]!, `${keys[i - 100]} before ${keys[i]}`);
  assert.equal(timeOrderedUuid(0x0123456789ab).slice(0, 13), '01234567-89ab');
});
