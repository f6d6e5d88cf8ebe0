/**
 * The fast lane (`_internal/lane.ts`): one `await pool.apply(…)` after another travels through
 * shared memory while the worker is idle. Whatever way each chunk and answer take, every call
 * gets its own result, once, in order, and the worker's console output comes before it.
 */

import assert from "node:assert/strict";
import { Pool, RemoteError, WorkerCrashedError } from "../mod.ts";
import { workerTest } from "./_helpers.ts";

/** Busy for `ms` milliseconds (longer than the main program spins for an answer). */
function busy(ms: number): number {
  const until = performance.now() + ms;
  let n = 0;
  while (performance.now() < until) n++;
  return n;
}

workerTest("one apply after another: each its own result, of every kind, in order", async () => {
  await using pool = new Pool(1);
  for (let i = 0; i < 2_000; i++) {
    assert.equal(await pool.apply((x: number) => x * 2, [i]), i * 2);
  }
  const shapes = (i: number) => ({
    n: i,
    s: `item ${i}`,
    list: [i, [i + 1], { deep: i }],
    typed: new Float64Array([i, i / 2]),
    map: new Map([[i, "x"]]),
    set: new Set([i]),
    when: new Date(i),
    big: BigInt(i),
    nothing: undefined,
    none: null,
  });
  for (let i = 0; i < 200; i++) {
    assert.deepEqual(await pool.apply(shapes, [i]), shapes(i));
  }
});

workerTest("answers too large for the lane, and slow ones, come by message", async () => {
  await using pool = new Pool(1);
  for (let i = 0; i < 20; i++) {
    const text = await pool.apply((n: number) => "y".repeat(n), [100_000 + i]);
    assert.equal(text.length, 100_000 + i);
    assert.ok((await pool.apply(busy, [2])) > 0);
    assert.equal(await pool.apply((x: number) => x + 1, [i]), i + 1);
  }
});

workerTest("a task's console output comes before its result, one apply after another", async () => {
  await using pool = new Pool(1, { console: "forward" });
  const seen: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => seen.push(args.map(String).join(" "));
  try {
    for (let i = 0; i < 100; i++) {
      const value = await pool.apply((x: number) => {
        if (x % 3 === 0) console.log(`printed ${x}`);
        return x;
      }, [i]);
      seen.push(`result ${value}`);
    }
  } finally {
    console.log = log;
  }
  const expected: string[] = [];
  for (let i = 0; i < 100; i++) {
    if (i % 3 === 0) expected.push(`printed ${i}`);
    expected.push(`result ${i}`);
  }
  assert.deepEqual(seen, expected);
});

workerTest(
  "throws and deaths between lane calls: each fails alone, typed, and the pool goes on",
  async () => {
    await using pool = new Pool(1);
    for (let round = 0; round < 5; round++) {
      assert.equal(await pool.apply((x: number) => x * 3, [round]), round * 3);
      await assert.rejects(
        pool.apply((x: number) => {
          throw new RangeError(`bad ${x}`);
        }, [round]),
        (error: unknown) => error instanceof RemoteError && /bad \d/.test(error.message),
      );
      await assert.rejects(
        pool.apply(() => () => 1, []),
        (error: unknown) =>
          error instanceof RemoteError && /cannot be sent back/.test(error.message),
      );
      await assert.rejects(pool.apply(() => Deno.exit(3), []), WorkerCrashedError);
      assert.equal(await pool.apply((x: number) => x - 1, [round]), round - 1);
    }
  },
);

workerTest("lane calls on two workers at once, and a map between them", async () => {
  await using pool = new Pool(2);
  const results = await Promise.all([0, 1].map(async (k) => {
    const out: number[] = [];
    for (let i = 0; i < 500; i++) out.push(await pool.apply((x: number) => x * x, [k * 1000 + i]));
    return out;
  }));
  for (const [k, out] of results.entries()) {
    assert.deepEqual(out, Array.from({ length: 500 }, (_, i) => (k * 1000 + i) ** 2));
  }
  assert.deepEqual(await pool.map((x: number) => -x, [1, 2, 3]), [-1, -2, -3]);
  assert.equal(await pool.apply((x: number) => x, [7]), 7);
});

/** Runs until the gate opens (cell 1 says it started, cell 0 opens it), its thread blocked. */
const blockUntilOpen = (gate: Int32Array): string => {
  Atomics.store(gate, 1, 1);
  while (Atomics.load(gate, 0) === 0) Atomics.wait(gate, 0, 0, 100);
  return "released";
};

function gate(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8));
}

function open(cells: Int32Array): void {
  Atomics.store(cells, 0, 1);
  Atomics.notify(cells, 0);
}

async function started(cells: Int32Array): Promise<void> {
  const until = Date.now() + 10_000;
  while (Atomics.load(cells, 1) === 0) {
    if (Date.now() > until) throw new Error("the blocking task did not start");
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

workerTest(
  "the lane waits for the worker to receive every message posted to it (a taken-back chunk " +
    "that defined the function)",
  async () => {
    await using pool = new Pool(2);
    // Both workers up.
    await pool.map(
      (ms: number) => new Promise((resolve) => setTimeout(() => resolve(ms), ms)),
      [30, 30],
      1,
    );
    const g = (x: number) => x * 10;
    for (let round = 0; round < 3; round++) {
      const [first, second] = [gate(), gate()];
      const p1 = pool.apply(blockUntilOpen, [first]);
      const p2 = pool.apply(blockUntilOpen, [second]);
      await Promise.all([started(first), started(second)]);
      // Both workers blocked: the first use of g waits behind one of them, in a message its
      // blocked thread has not received.
      const a = pool.apply(g, [1]);
      // The other worker is freed and takes that chunk back.
      open(second);
      assert.equal(await p2, "released");
      assert.equal(await a, 10);
      // Then the first worker answers, goes idle with g's first message still unread, and
      // gets the next call of g: it must not come through the lane before that message.
      open(first);
      assert.equal(await p1, "released");
      assert.equal(await pool.apply(g, [2 + round]), 10 * (2 + round));
    }
  },
);
