/**
 * Cancelling a Pool call: `signal` and `timeout` on every method. Real workers; counters in
 * shared memory prove what ran.
 */
import assert from "node:assert/strict";
import { Pool } from "../mod.ts";

const count = (counter: Int32Array) => Atomics.add(counter, 0, 1) + 1;
const sleepy = (ms: number) => new Promise((resolve) => setTimeout(() => resolve(ms), ms));

function counter(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

Deno.test("Pool: an already aborted signal rejects with its reason, and nothing runs", async () => {
  await using pool = new Pool(1);
  const runs = counter();
  const reason = new Error("no thanks");
  const signal = AbortSignal.abort(reason);
  await assert.rejects(pool.apply(count, [runs], { signal }), (e) => e === reason);
  await assert.rejects(pool.map(count, [runs, runs], { signal }), (e) => e === reason);
  await assert.rejects(pool.starmap(count, [[runs]], { signal }), (e) => e === reason);
  await assert.rejects(pool.applyAsync(count, [runs], { signal }).get(), (e) => e === reason);
  const results = pool.imap(count, [runs], { signal });
  await assert.rejects(results.next(), (e) => e === reason);
  assert.equal(await pool.apply(count, [counter()]), 1); // the pool still works
  assert.equal(Atomics.load(runs, 0), 0);
});

Deno.test("Pool: a call aborted while it waits behind another never runs", async () => {
  await using pool = new Pool(1);
  const runs = counter();
  const long = pool.apply(sleepy, [300]);
  const controller = new AbortController();
  // Pipelined into the busy worker, behind the long task: taken back when aborted.
  const queued = pool.apply(count, [runs], { signal: controller.signal });
  const later = pool.map(count, [runs, runs, runs], { chunksize: 1, signal: controller.signal });
  controller.abort(new Error("stop"));
  await assert.rejects(queued, { message: "stop" });
  await assert.rejects(later, { message: "stop" });
  assert.equal(await long, 300);
  assert.equal(await pool.apply(count, [counter()]), 1);
  assert.equal(Atomics.load(runs, 0), 0);
});

Deno.test("Pool: aborting a running call rejects at once, and the task queued behind it in the same worker still runs, once", async () => {
  await using pool = new Pool(1);
  const runs = counter();
  const controller = new AbortController();
  const running = pool.apply(sleepy, [60_000], { signal: controller.signal });
  const neighbour = pool.apply(count, [runs]);
  await new Promise((resolve) => setTimeout(resolve, 300)); // the long task has started
  const started = performance.now();
  controller.abort(new Error("cut"));
  await assert.rejects(running, { message: "cut" });
  assert.ok(performance.now() - started < 5_000);
  assert.equal(await neighbour, 1); // on the replacement worker
  assert.equal(await pool.apply(count, [runs]), 2);
  assert.equal(Atomics.load(runs, 0), 2);
});

Deno.test("Pool: a timeout aborts the call with a TimeoutError, and the pool carries on", async () => {
  await using pool = new Pool(2);
  await assert.rejects(pool.map(sleepy, [60_000, 60_000], { timeout: 100 }), {
    name: "TimeoutError",
    message: /Pool\.map\(\) ran longer than its timeout of 100 ms/,
  });
  await assert.rejects(pool.apply(sleepy, [60_000], { timeout: 50 }), { name: "TimeoutError" });
  assert.deepEqual(await pool.map(sleepy, [1, 2], { timeout: 30_000 }), [1, 2]);
  assert.equal(await pool.apply(sleepy, [5], { timeout: 30_000 }), 5);
});

Deno.test("Pool.imap(): an abort ends the iteration with its reason after the results before it", async () => {
  await using pool = new Pool(1);
  const controller = new AbortController();
  const results = pool.imap(sleepy, [1, 60_000, 2], { signal: controller.signal });
  assert.deepEqual(await results.next(), { value: 1, done: false });
  controller.abort(new Error("enough"));
  await assert.rejects(results.next(), { message: "enough" });
  assert.equal(await pool.apply(sleepy, [3]), 3);
});

Deno.test("Pool: a bad signal or timeout is a typed error naming it", async () => {
  await using pool = new Pool(1);
  const f = (x: number) => x;
  await assert.rejects(
    pool.apply(f, [1], { signal: "no" as unknown as AbortSignal }),
    { name: "TypeError", message: /Pool\.apply: "signal" must be an AbortSignal/ },
  );
  await assert.rejects(pool.map(f, [1], { timeout: -1 }), {
    name: "RangeError",
    message: /Pool\.map: "timeout"/,
  });
  assert.throws(() => pool.imap(f, [1], { timeout: Number.NaN }), { name: "RangeError" });
});
