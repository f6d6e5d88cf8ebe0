import assert from "node:assert/strict";
import { Pool } from "../mod.ts";
import { workerTest } from "./_helpers.ts";

workerTest("imap() reads a 100,000-item generator in bounded look-ahead", async () => {
  let pulled = 0;
  let consumed = 0;
  let maxAhead = 0;
  function* source() {
    for (let i = 0; i < 100_000; i++) {
      pulled++;
      maxAhead = Math.max(maxAhead, pulled - consumed);
      yield i;
    }
  }
  await using pool = new Pool(2);
  let sum = 0;
  for await (const y of pool.imap((x: number) => x * 2, source(), 100)) {
    consumed++;
    sum += y;
  }
  assert.equal(consumed, 100_000);
  assert.equal(sum, 2 * (99_999 * 100_000) / 2);
  // processes × (pipeline + 1) chunks at most, plus the chunk being read.
  assert.ok(maxAhead <= 2 * 3 * 100 + 100, `read ${maxAhead} items ahead`);
});

workerTest("imap() over an endless generator stops it when the consumer breaks", async () => {
  let pulled = 0;
  let closed = false;
  function* naturals() {
    try {
      for (let i = 0;; i++) {
        pulled++;
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  await using pool = new Pool(2);
  const out: number[] = [];
  for await (const y of pool.imapUnordered((x: number) => x, naturals(), 5)) {
    if (out.push(y) === 1_000) break;
  }
  assert.equal(out.length, 1_000);
  assert.ok(closed, "the generator was closed");
  assert.ok(pulled <= 1_000 + 2 * 3 * 5 + 5, `pulled ${pulled}`);
  // The pool is still usable afterwards.
  assert.deepEqual(await pool.map((x: number) => x, [1]), [1]);
});

workerTest("imap() takes async iterables, and a source that throws ends it", async () => {
  await using pool = new Pool(2);
  async function* ticks() {
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      yield i;
    }
  }
  assert.deepEqual(await Array.fromAsync(pool.imap((x: number) => x + 1, ticks())), [
    1,
    2,
    3,
    4,
    5,
  ]);
  function* broken() {
    yield 1;
    throw new Error("source broke");
  }
  await assert.rejects(Array.fromAsync(pool.imap((x: number) => x, broken())), /source broke/);
});

workerTest(
  "imap() over an input that throws yields the results before it, then rejects",
  async () => {
    await using pool = new Pool(2);
    function* failsAtThree() {
      for (let i = 0;; i++) {
        if (i === 3) throw new RangeError("item 3 broke");
        yield i;
      }
    }
    for (const chunksize of [1, 2, 10]) {
      for (const ordered of [true, false]) {
        const results = ordered
          ? pool.imap((x: number) => x * 10, failsAtThree(), chunksize)
          : pool.imapUnordered((x: number) => x * 10, failsAtThree(), chunksize);
        const got: number[] = [];
        let error: unknown;
        try {
          for await (const y of results) got.push(y);
        } catch (e) {
          error = e;
        }
        if (!ordered) got.sort((a, b) => a - b);
        assert.deepEqual(got, [0, 10, 20], `chunksize ${chunksize}, ordered ${ordered}`);
        assert.ok(error instanceof RangeError && /item 3 broke/.test(error.message), `${error}`);
      }
    }
    // An input that throws at once rejects the first next().
    const failsAtOnce: Iterable<number> = {
      [Symbol.iterator]: () => ({
        next: () => {
          throw new TypeError("no items");
        },
      }),
    };
    await assert.rejects(pool.imap((x: number) => x, failsAtOnce).next(), /no items/);
  },
);
