import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { csvStream, toCsv } from '../../main/api/csv.js';

const rows = (slice: number) => Array.from({ length: 500 }, (_, j) => ({ n: slice * 500 + j, text: j % 100 === 0 ? '=cmd|"x"' : 'x'.repeat(100) }));

test('issue 8: a streamed CSV is the same text as the built one', async () => {
  const slices = Array.from({ length: 5 }, (_, i) => rows(i));
  let text = '';
  for await (const chunk of csvStream(['n', 'text'], slices)) text += chunk;
  assert.equal(text, toCsv(['n', 'text'], slices.flat()));
});

test('issue 8: a streamed CSV reads row slices only as fast as the client takes them, and stops reading when the client goes away', async () => {
  let pulled = 0;
  let released = false;
  function* slices() {
    try {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield rows(i);
      }
    } finally {
      released = true;
    }
  }
  const stream = csvStream(['n', 'text'], slices());
  await once(stream, 'readable');
  assert.ok(stream.read(), 'the header and first rows');
  // The client reads nothing more for a while (event-loop turns, not a sleep): the stream stops
  // at its buffer, 64 KiB, instead of reading all 1000 slices (50 MB) into memory.
  for (let i = 0; i < 50; i++) await nextTurn();
  assert.ok(pulled > 0 && pulled <= 3, `${pulled} slices read while the client waits`);
  // The client goes away: the slice iterator is returned (its finally runs), nothing more is read.
  stream.destroy();
  await once(stream, 'close');
  assert.equal(released, true);
  assert.ok(pulled <= 3, `${pulled} slices read in all`);
});
