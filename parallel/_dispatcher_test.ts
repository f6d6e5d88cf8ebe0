// The dispatcher against a fake pool whose answers the test releases by hand: batch cutting,
// backpressure, ordering, errors and timeouts, deterministically.
import assert from "node:assert/strict";
import type { Pool } from "../pool/mod.ts";
import { AutoBatcher, type Batcher, FixedBatcher } from "./_auto_batch.ts";
import { Dispatcher, type DispatchMode, type DispatchOptions } from "./_dispatcher.ts";
import { delayed } from "./delayed.ts";

interface Sent {
  how: "map" | "starmap";
  fn: (...args: never[]) => unknown;
  calls: unknown[];
  resolve(values: unknown[]): void;
  reject(error: unknown): void;
}

/** A pool that records each batch and answers only when told to. */
function fakePool() {
  const sent: Sent[] = [];
  const record = (how: Sent["how"]) => (fn: Sent["fn"], calls: unknown[], chunksize: number) => {
    assert.equal(chunksize, calls.length, "one chunk per batch");
    const { promise, resolve, reject } = Promise.withResolvers<unknown[]>();
    sent.push({ how, fn, calls, resolve, reject });
    return promise;
  };
  const pool = { map: record("map"), starmap: record("starmap") } as unknown as Pool;
  /** Answers batch `i` by running its calls here. */
  const answer = (i: number) => {
    const batch = sent[i]!;
    const f = batch.fn as (...args: unknown[]) => unknown;
    batch.resolve(
      batch.calls.map((c) => batch.how === "map" ? f(c) : f(...(c as unknown[]))),
    );
  };
  return { pool, sent, answer };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const square = (x: number) => x * x;
const add = (a: number, b: number) => a + b;

function dispatcher(
  pool: Pool,
  input: DispatchOptions["input"],
  options: Partial<Omit<DispatchOptions, "pool" | "input">> & { batcher?: Batcher } = {},
) {
  return new Dispatcher({
    pool,
    input,
    nJobs: 2,
    batcher: new FixedBatcher(5),
    preDispatch: Infinity,
    timeout: Infinity,
    mode: "list" as DispatchMode,
    ...options,
  });
}

Deno.test("Dispatcher cuts size × nJobs calls into nJobs batches, the tail ten times finer", async () => {
  const { pool, sent, answer } = fakePool();
  const calls = Array.from({ length: 23 }, (_, x) => delayed(square)(x));
  const run = dispatcher(pool, calls).all();
  await tick();
  // 10 + 10 in batches of 5; the last 3 (a short slice at the end): 3 // 20 → batches of 1.
  assert.deepEqual(sent.map((b) => b.calls.length), [5, 5, 5, 5, 1, 1, 1]);
  assert.ok(sent.every((b) => b.how === "map"), "one argument each: the map path");
  sent.forEach((_, i) => answer(i));
  assert.deepEqual(await run, calls.map((_, x) => x * x));
});

Deno.test("Dispatcher cuts the tail no finer when its batches are known to be quick", async () => {
  const { pool, sent, answer } = fakePool();
  const batcher = new AutoBatcher();
  batcher.next();
  batcher.completed(1, 0.01); // 0.01 ms a call: any tail is far below 0.2 s
  const calls = Array.from({ length: 3 }, (_, x) => delayed(square)(x));
  const run = dispatcher(pool, calls, { batcher }).all();
  await tick();
  assert.deepEqual(sent.map((b) => b.calls.length), [2, 1]);
  sent.forEach((_, i) => answer(i));
  assert.deepEqual(await run, [0, 1, 4]);
});

Deno.test("Dispatcher ends a batch where the function changes; spreads several arguments", async () => {
  const { pool, sent, answer } = fakePool();
  const calls = [
    delayed(square)(1),
    delayed(square)(2),
    delayed(add)(1, 2),
    delayed(add)(3, 4),
    delayed(square)(3),
  ];
  // One slice of exactly size × nJobs calls: cut by function only. nJobs 1 is sequential:
  // each batch is sent once the one before it is answered.
  const run = dispatcher(pool, calls, { nJobs: 1 }).all();
  for (let i = 0; i < 3; i++) {
    await tick();
    assert.equal(sent.length, i + 1, "one batch at a time");
    answer(i);
  }
  assert.deepEqual(sent.map((b) => [b.how, b.calls]), [
    ["map", [1, 2]],
    ["starmap", [[1, 2], [3, 4]]],
    ["map", [3]],
  ]);
  assert.deepEqual(await run, [1, 4, 3, 7, 9]);
});

Deno.test("Dispatcher keeps at most preDispatch batches out, and reads no further", async () => {
  const { pool, sent, answer } = fakePool();
  let read = 0;
  function* calls() {
    for (let x = 0; x < 1000; x++) {
      read++;
      yield delayed(square)(x);
    }
  }
  const engine = dispatcher(pool, calls(), { preDispatch: 3, mode: "ordered" });
  const first = engine.next();
  await tick();
  assert.equal(sent.length, 3);
  assert.ok(read <= 4 * 5, `read ${read}`); // 3 batches sent, one ready
  answer(1); // finished out of order: held, not consumed, so still no room
  await tick();
  assert.equal(sent.length, 3);
  answer(0);
  assert.deepEqual(await first, [0, 1, 4, 9, 16]);
  await tick();
  assert.equal(sent.length, 4, "batch 0 consumed: one more sent");
  assert.deepEqual(await engine.next(), [25, 36, 49, 64, 81], "batch 1, in order");
  engine.cancel();
  assert.equal(await engine.next(), undefined);
});

Deno.test("Dispatcher hands results over as they finish in unordered mode", async () => {
  const { pool, sent, answer } = fakePool();
  const calls = Array.from({ length: 20 }, (_, x) => delayed(square)(x));
  const engine = dispatcher(pool, calls, { mode: "unordered" });
  const first = engine.next();
  await tick();
  assert.equal(sent.length, 4);
  answer(2);
  assert.deepEqual(await first, [100, 121, 144, 169, 196]);
  answer(0);
  answer(1);
  answer(3);
  assert.deepEqual(await engine.next(), [0, 1, 4, 9, 16]);
  assert.deepEqual(await engine.next(), [25, 36, 49, 64, 81]);
  assert.deepEqual(await engine.next(), [225, 256, 289, 324, 361]);
  assert.equal(await engine.next(), undefined);
});

Deno.test("Dispatcher fails on the first error, closes the input, stops reading", async () => {
  const { pool, sent } = fakePool();
  let closed = false;
  function* calls() {
    try {
      for (let x = 0;; x++) yield delayed(square)(x);
    } finally {
      closed = true;
    }
  }
  const engine = dispatcher(pool, calls(), { preDispatch: 4 });
  const run = engine.all();
  await tick();
  sent[1]!.reject(new RangeError("boom"));
  await assert.rejects(run, { name: "RangeError", message: "boom" });
  assert.ok(closed);
  assert.equal(engine.running, 3, "the other batches are left to the caller to stop");
  sent[0]!.resolve([0, 1, 4, 9, 16]); // answers after the failure are ignored
  await tick();
  assert.equal(engine.running, 2);
});

Deno.test("Dispatcher times a batch out at timeout × its calls, sends nJobs at once", async () => {
  const { pool, sent, answer } = fakePool();
  const calls = Array.from({ length: 8 }, (_, x) => delayed(square)(x));
  const engine = dispatcher(pool, calls, { batcher: new FixedBatcher(2), timeout: 20 });
  const run = engine.all();
  await tick();
  assert.equal(sent.length, 2, "with a timeout, one batch per worker");
  answer(0);
  await tick();
  assert.equal(sent.length, 3);
  await assert.rejects(run, (error: unknown) => {
    assert.ok(error instanceof DOMException);
    assert.equal(error.name, "TimeoutError");
    assert.match(error.message, /square ran longer than the timeout of 20 ms \(its batch of 2/);
    return true;
  });
  assert.ok(engine.timedOut);
});

Deno.test("Dispatcher reads async inputs, refuses items that are not delayed calls", async () => {
  const { pool, sent, answer } = fakePool();
  async function* calls() {
    for (let x = 0; x < 6; x++) yield delayed(square)(x);
  }
  const run = dispatcher(pool, calls(), { batcher: new FixedBatcher(3) }).all();
  for (let ticks = 0; sent.length < 2; ticks++) {
    assert.ok(ticks < 1_000, `only ${sent.length} of 2 batches sent after 1,000 ticks`);
    await tick();
  }
  answer(0);
  answer(1);
  assert.deepEqual(await run, [0, 1, 4, 9, 16, 25]);
  const bad = dispatcher(fakePool().pool, [delayed(square)(1), { fn: 1 }]).all();
  await assert.rejects(bad, { name: "TypeError", message: /item 1 of the input is object/ });
});

Deno.test("Dispatcher resolves an empty input at once", async () => {
  const { pool, sent } = fakePool();
  assert.deepEqual(await dispatcher(pool, []).all(), []);
  assert.equal(await dispatcher(pool, [], { mode: "ordered" }).next(), undefined);
  assert.equal(sent.length, 0);
});
