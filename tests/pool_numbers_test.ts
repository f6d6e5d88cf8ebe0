/**
 * A pool worker fills a `Float64Array` with a chunk's results while they are numbers, and
 * goes on in an array from the first that is not one: the results, the errors and the count
 * of calls are those of the plain loop, whatever the results turn out to be.
 */
import assert from "node:assert/strict";
import { Pool } from "../mod.ts";
import { workerTest } from "./_helpers.ts";

const xs = Array.from({ length: 300 }, (_, i) => i);

workerTest("numbers, -0 and NaN come back exact from a chunk of number results", async () => {
  await using pool = new Pool(2);
  const got = await pool.map((x: number) => x === 7 ? -0 : x === 8 ? NaN : x ** 10, xs);
  assert.equal(got.length, xs.length);
  assert.ok(Array.isArray(got));
  assert.ok(Object.is(got[7], -0));
  assert.ok(Number.isNaN(got[8]));
  for (const i of [0, 1, 2, 150, 299]) assert.equal(got[i], i ** 10);
});

workerTest("a chunk whose results turn from numbers to others keeps each one", async () => {
  await using pool = new Pool(2);
  const mixed = (x: number): unknown => x % 100 < 70 ? x : x % 2 === 0 ? `s${x}` : { x };
  assert.deepEqual(await pool.map(mixed, xs, { chunksize: 150 }), xs.map(mixed));
});

workerTest("async results in a chunk are awaited, each call made once", async () => {
  const calls = new Int32Array(new SharedArrayBuffer(4));
  await using pool = new Pool(2, { context: { calls } });
  const later = (x: number) => {
    Atomics.add(calls, 0, 1);
    // Numbers first, then promises of numbers: the first promise arrives mid-chunk.
    return x % 100 < 50 ? x * 2 : Promise.resolve(x * 2);
  };
  assert.deepEqual(await pool.map(later, xs, { chunksize: 100 }), xs.map((x) => x * 2));
  assert.equal(Atomics.load(calls, 0), xs.length);
});

workerTest(
  "a throw mid-chunk fails the map with that error; the calls before it ran once",
  async () => {
    const calls = new Int32Array(new SharedArrayBuffer(4));
    await using pool = new Pool(1, { context: { calls } });
    const failing = (x: number) => {
      Atomics.add(calls, 0, 1);
      if (x === 120) throw new RangeError(`no ${x}`);
      return x;
    };
    await assert.rejects(pool.map(failing, xs, { chunksize: 300 }), {
      name: "RemoteError",
      message: /RangeError: no 120/,
    });
    assert.equal(Atomics.load(calls, 0), 121);
    // imap yields the results that came before the error, then throws it.
    const got: unknown[] = [];
    await assert.rejects(async () => {
      for await (const y of pool.imap(failing, xs, { chunksize: 300 })) got.push(y);
    }, { name: "RemoteError" });
    assert.deepEqual(got, xs.slice(0, 120));
  },
);

workerTest("imap yields a number chunk's results in order", async () => {
  await using pool = new Pool(2);
  const got: number[] = [];
  for await (const y of pool.imap((x: number) => x + 0.5, xs, { chunksize: 100 })) got.push(y);
  assert.deepEqual(got, xs.map((x) => x + 0.5));
});
