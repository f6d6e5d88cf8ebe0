import assert from "node:assert/strict";
import {
  AutoBatcher,
  type BatchSizeChange,
  FixedBatcher,
  MAX_IDEAL_BATCH_DURATION,
  MIN_IDEAL_BATCH_DURATION,
} from "./_auto_batch.ts";

Deno.test("AutoBatcher starts at one call per batch and keeps it until a batch is timed", () => {
  const batcher = new AutoBatcher();
  assert.equal(batcher.next(), 1);
  assert.equal(batcher.next(), 1);
  assert.equal(batcher.smoothedDuration, 0);
});

Deno.test("AutoBatcher grows quick batches at most ×2 per step", () => {
  const changes: BatchSizeChange[] = [];
  const batcher = new AutoBatcher((change) => changes.push(change));
  const sizes: number[] = [];
  for (let step = 0; step < 6; step++) {
    const size = batcher.next();
    sizes.push(size);
    batcher.completed(size, 0.01); // far below 0.2 s: the ideal size is huge
  }
  assert.deepEqual(sizes, [1, 2, 4, 8, 16, 32]);
  assert.deepEqual(changes[0], { from: 1, to: 2, duration: 0.01 });
  assert.equal(changes.length, 5);
});

Deno.test("AutoBatcher aims at twice the minimum duration when that is below doubling", () => {
  const batcher = new AutoBatcher();
  batcher.next();
  batcher.completed(1, 150); // ideal: 2 × floor(1 × 200 / 150) = 2
  assert.equal(batcher.next(), 2);
  batcher.completed(2, 190); // ideal: 2 × floor(2 × 200 / 190) = 4
  assert.equal(batcher.next(), 4);
  batcher.completed(4, 199); // ideal: 2 × floor(4 × 200 / 199) = 8, doubling: 8
  assert.equal(batcher.next(), 8);
});

Deno.test("AutoBatcher keeps sizes whose batches take 0.2–2 s", () => {
  const batcher = new AutoBatcher();
  batcher.next();
  batcher.completed(1, 1);
  assert.equal(batcher.next(), 2);
  for (const duration of [MIN_IDEAL_BATCH_DURATION, 1000, MAX_IDEAL_BATCH_DURATION]) {
    batcher.completed(2, duration);
    assert.equal(batcher.next(), 2);
  }
});

Deno.test("AutoBatcher shrinks slow batches at once, not below 1", () => {
  const batcher = new AutoBatcher();
  let size = batcher.next();
  while (size < 64) {
    batcher.completed(size, 1);
    size = batcher.next();
  }
  assert.equal(size, 64);
  batcher.completed(64, 4000); // 2 × floor(64 × 200 / 4000) = 6
  assert.equal(batcher.next(), 6);
  batcher.completed(6, 60_000); // 2 × floor(6 × 200 / 60000) = 0 → 1
  assert.equal(batcher.next(), 1);
  // A single call that is slow cannot be cut further.
  batcher.completed(1, 60_000);
  assert.equal(batcher.next(), 1);
});

Deno.test("AutoBatcher averages durations of the current size only, newest weighing 0.2", () => {
  const batcher = new AutoBatcher();
  batcher.next();
  batcher.completed(1, 100);
  assert.equal(batcher.smoothedDuration, 100);
  batcher.completed(1, 200);
  assert.equal(batcher.smoothedDuration, 0.8 * 100 + 0.2 * 200);
  assert.equal(batcher.next(), 2); // 2 × floor(200 / 120) = 2: grows, and starts afresh
  assert.equal(batcher.smoothedDuration, 0);
  batcher.completed(1, 5); // a batch of the old size tells nothing now
  assert.equal(batcher.smoothedDuration, 0);
  assert.equal(batcher.next(), 2);
  batcher.completed(2, 3000);
  assert.equal(batcher.next(), 1); // 2 × floor(2 × 200 / 3000) = 0 → 1
});

Deno.test("AutoBatcher counts a batch quicker than the clock as measured", () => {
  const batcher = new AutoBatcher();
  batcher.next();
  batcher.completed(1, 0);
  assert.ok(batcher.smoothedDuration > 0);
  assert.equal(batcher.next(), 2);
});

Deno.test("FixedBatcher always gives its size", () => {
  const batcher = new FixedBatcher(7);
  batcher.completed();
  assert.equal(batcher.next(), 7);
  assert.equal(batcher.next(), 7);
});

Deno.test("quick() tells whether batches of a size are known to take under 0.2 s", () => {
  const batcher = new AutoBatcher();
  assert.equal(batcher.quick(1000), false, "nothing measured yet");
  batcher.next();
  batcher.completed(1, 0.5); // 0.5 ms a call
  assert.equal(batcher.quick(399), true);
  assert.equal(batcher.quick(400), false);
  assert.equal(new FixedBatcher(10).quick(), false);
});
