/**
 * Soak runs: a million pool tasks (through `imap` and `map`) and a million queue messages
 * between two workers, with the memory sampled along the way (`Deno.memoryUsage()`): after a
 * warm-up, it must stay within a generous bound, so a leak per task or per message (a few
 * bytes each make megabytes here) fails. Nothing here is timed.
 *
 * Part of `deno task stress`, not of `deno task test`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Pool, Queue } from "../mod.ts";
import { within, workerTest } from "../tests/_helpers.ts";
import { putMany, square, takeAll } from "./fixtures/soak_tasks.ts";

const imports = [new URL("./fixtures/soak_tasks.ts", import.meta.url)];
const MILLION = Number(Deno.env.get("STRESS_SOAK") ?? 1_000_000);
const MB = 1024 * 1024;
/**
 * How far memory may grow past its level after the warm-up. Each sample is taken after a full
 * garbage collection (`deno task stress` passes `--v8-flags=--expose-gc`): without it, V8
 * leaves garbage in the old space for as long as it likes, and a million tasks' worth of it
 * looks like a leak.
 */
const GROWTH_BOUND = { heap: 64 * MB, rss: 200 * MB };
const gc = (globalThis as { gc?: () => void }).gc;

/** Memory samples: the level after the warm-up and the highest since. */
class Samples {
  #base: Deno.MemoryUsage | undefined;
  #peak = { rss: 0, heapUsed: 0 };
  readonly log: string[] = [];
  /** Takes a sample; the first after `warm` is the base. */
  take(label: string, warm: boolean): void {
    assert.ok(gc, "run the soak with --v8-flags=--expose-gc (as deno task stress does)");
    gc();
    gc();
    const now = Deno.memoryUsage();
    if (warm && this.#base === undefined) this.#base = now;
    this.#peak.rss = Math.max(this.#peak.rss, now.rss);
    this.#peak.heapUsed = Math.max(this.#peak.heapUsed, now.heapUsed);
    this.log.push(
      `${label}: rss ${(now.rss / MB).toFixed(0)} MB, heap ${(now.heapUsed / MB).toFixed(0)} MB`,
    );
  }
  /** Fails when the peak grew past the base by more than the bound. */
  check(what: string): void {
    assert.ok(this.#base !== undefined, `${what}: no sample after the warm-up`);
    const rss = this.#peak.rss - this.#base.rss;
    const heap = this.#peak.heapUsed - this.#base.heapUsed;
    console.log(`${what}: ${this.log.join("; ")}`);
    assert.ok(rss < GROWTH_BOUND.rss, `${what}: rss grew ${(rss / MB).toFixed(0)} MB`);
    assert.ok(heap < GROWTH_BOUND.heap, `${what}: heap grew ${(heap / MB).toFixed(0)} MB`);
  }
}

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

workerTest("a million tasks through Pool.imap, then Pool.map, in bounded memory", async () => {
  await using pool = new Pool(2, { imports });
  const samples = new Samples();
  const every = MILLION / 10;
  let sum = 0;
  let count = 0;
  // One task per message (chunksize 1): a leak per task shows. imap reads its input lazily,
  // so the generator is never held whole.
  for await (const y of pool.imap(square, range(MILLION), 1)) {
    assert.equal(y, count * count);
    sum += y;
    if (++count % every === 0) samples.take(`imap ${count}`, count >= 2 * every);
  }
  assert.equal(count, MILLION);
  samples.check("imap");
  // map over the same million, in chunks: every result, in order; memory sampled after.
  const mapped = new Samples();
  mapped.take("map start", true);
  for (let round = 0; round < 4; round++) {
    const ys = await within(pool.map(square, range(MILLION / 4), 5_000), 600_000);
    assert.equal(ys.length, MILLION / 4);
    assert.equal(ys[ys.length - 1], (MILLION / 4 - 1) ** 2);
    mapped.take(`map round ${round}`, true);
  }
  mapped.check("map");
  assert.ok(sum > 0);
});

workerTest("a million messages through a bounded Queue between two workers", async () => {
  await using pool = new Pool(2, { imports });
  const queue = new Queue<number | null>(1024);
  const progress = new Int32Array(new SharedArrayBuffer(4));
  const samples = new Samples();
  const taking = pool.apply(takeAll, [queue]);
  const putting = pool.apply(putMany, [queue, MILLION, progress]);
  let next = MILLION / 10;
  const sampler = setInterval(() => {
    const done = Atomics.load(progress, 0);
    if (done >= next) {
      samples.take(`${done} put`, done >= MILLION / 5);
      next += MILLION / 10;
    }
  }, 20);
  try {
    await within(putting, 600_000);
    const { count, sum, ordered } = await within(taking, 600_000);
    assert.equal(count, MILLION);
    assert.equal(sum, (MILLION * (MILLION - 1)) / 2);
    assert.ok(ordered, "one producer's messages came out of order");
  } finally {
    clearInterval(sampler);
  }
  samples.take("end", true);
  samples.check("queue");
  assert.equal(queue.empty(), true);
});
