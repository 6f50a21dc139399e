// slow_interaction's input delay / processing / presentation split, from Event Timing entries
// (www/host.js interactionSplit): a pure function, tested here on hand-made entries, because the
// case that broke it depends on how a loaded machine happens to schedule a tap's events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';

const src = fs.readFileSync(new URL('../../www/host.js', import.meta.url), 'utf8');
const { interactionSplit } = await import(`data:text/javascript,${encodeURIComponent(src)}`);

const entry = (name, startTime, duration, processingStart, processingEnd) =>
  ({ name, startTime, duration, processingStart, processingEnd });

test('a tap whose pointerdown is the longest entry: the click handler is the processing', () => {
  // Seen in a CI run: the click's 400 ms handler delayed the pointerdown's paint too, and the
  // pointerdown started first, so it was the longest entry, with no processing of its own.
  const down = entry('pointerdown', 1000, 416, 1003, 1003);
  const up = entry('pointerup', 1005, 408, 1007, 1008);
  const click = entry('click', 1006, 408, 1008, 1410);
  const [duration, delay, processing, presentation, kind] = interactionSplit([down, up, click]);
  assert.deepEqual([duration, delay, processing, presentation], [416, 3, 407, 6]);
  assert.equal(kind, click);
});

test('entries painted in another frame are not part of the split', () => {
  // A press held for 120 ms: the pointerdown was painted long before the click's slow handler.
  const down = entry('pointerdown', 0, 24, 2, 4);
  const click = entry('click', 120, 408, 121, 520);
  const [duration, delay, processing, presentation, kind] = interactionSplit([down, click]);
  assert.deepEqual([duration, delay, processing, presentation], [408, 1, 399, 8]);
  assert.equal(kind, click);
});

test('one entry: its own split; equal durations: the one whose handlers ran longest', () => {
  const key = entry('keydown', 50, 240, 60, 250);
  assert.deepEqual(interactionSplit([key]).slice(0, 4), [240, 10, 190, 40]);
  const a = entry('pointerup', 0, 304, 2, 10);
  const b = entry('click', 0, 304, 10, 290);
  assert.equal(interactionSplit([a, b])[4], b);
  assert.equal(interactionSplit([b, a])[4], b);
});

test('the presentation is never negative (durations are rounded to 8 ms)', () => {
  const [duration, , processing, presentation] = interactionSplit([entry('click', 0, 400, 1, 404)]);
  assert.deepEqual([duration, processing, presentation], [400, 403, 0]);
});
