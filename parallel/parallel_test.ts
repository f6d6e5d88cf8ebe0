// Parallel() without workers: option checks, and the inline backend (nJobs: 1), which runs the
// very same dispatcher on this thread. The worker tests are in tests/parallel_test.ts.
import assert from "node:assert/strict";
import { processorCount } from "../_internal/identity.ts";
import { delayed } from "./delayed.ts";
import { Parallel, type ParallelOptions } from "./parallel.ts";

Deno.test("Parallel() checks its options at once, naming the option and the fix", () => {
  const cases: [ParallelOptions, RegExp, ErrorConstructor][] = [
    [{ nJobs: 0 }, /"nJobs" must not be 0/, RangeError],
    [{ nJobs: 1.5 }, /"nJobs" must be a whole number/, RangeError],
    [
      { batchSize: -1 },
      /"batchSize" must be "auto" or a whole number, at least 1, got -1/,
      RangeError,
    ],
    [{ batchSize: 0 }, /"batchSize"/, RangeError],
    [{ returnAs: "set" as "list" }, /"returnAs" must be "list", "generator" or/, RangeError],
    [{ verbose: -2 }, /"verbose"/, RangeError],
    [{ timeout: 0 }, /"timeout" must be a positive number of milliseconds/, RangeError],
    [{ preDispatch: "3*cores" }, /"preDispatch"/, RangeError],
    [{ preDispatch: 0 }, /"preDispatch"/, RangeError],
    [
      { backend: "threads" as "worker" },
      /"backend" must be "worker", "inline", "subprocess" or "mpi"/,
      RangeError,
    ],
    [{ progress: "yes" as unknown as boolean }, /"progress" must be true, false/, TypeError],
    [
      { context: 5 as unknown as Record<string, unknown> },
      /"context" must be a plain object/,
      TypeError,
    ],
    [{ imports: "mod.ts" as unknown as string[] }, /"imports" must be an array/, TypeError],
  ];
  for (const [options, message, type] of cases) {
    assert.throws(() => Parallel(options), (error: unknown) => {
      assert.ok(error instanceof type, `${JSON.stringify(options)}: ${error}`);
      assert.match((error as Error).message, message);
      return true;
    });
  }
  assert.throws(() => Parallel(null as unknown as ParallelOptions), TypeError);
});

Deno.test("Parallel() resolves nJobs as joblib does, and picks inline for one job", () => {
  const cpus = processorCount();
  assert.equal(Parallel().nJobs, 1);
  assert.equal(Parallel().backend, "inline");
  assert.equal(Parallel({ nJobs: -1 }).nJobs, cpus);
  assert.equal(Parallel({ nJobs: -2 }).nJobs, Math.max(cpus - 1, 1));
  assert.equal(Parallel({ nJobs: 3 }).backend, "worker");
  assert.equal(Parallel({ nJobs: 3, backend: "inline" }).backend, "inline");
  assert.equal(Parallel({ returnAs: "generator" }).returnAs, "generator");
  assert.equal(typeof Parallel(), "function");
});

Deno.test("Parallel({ nJobs: 1 }) runs the calls in this thread, in order", async () => {
  const seen: number[] = [];
  // A closure: inline calls are the very functions given (no cloning of functions).
  const record = (x: number) => {
    seen.push(x);
    return x * 10;
  };
  const out = await Parallel({ nJobs: 1 })([1, 2, 3].map((x) => delayed(record)(x)));
  assert.deepEqual(out, [10, 20, 30]);
  assert.deepEqual(seen, [1, 2, 3]);
  assert.deepEqual(await Parallel()([]), []);
});

Deno.test("Parallel rejects a non-iterable input, or an item that is not delayed", async () => {
  const run = Parallel();
  await assert.rejects(
    () => run(42 as unknown as []),
    { name: "TypeError", message: /Parallel needs an iterable of delayed calls, got number/ },
  );
  assert.throws(
    () => Parallel({ returnAs: "generator" })(null as unknown as []),
    { name: "TypeError", message: /got null/ },
  );
  const square = (x: number) => x * x;
  await assert.rejects(
    () => run([delayed(square)(1), 5 as unknown as ReturnType<ReturnType<typeof delayed>>]),
    {
      name: "TypeError",
      message: /item 1 of the input is number: write each call as delayed\(f\)\(\.\.\.args\)/,
    },
  );
});

Deno.test("Parallel types results from the delayed calls", async () => {
  const len = (s: string) => s.length;
  const twice = async (x: number) => await Promise.resolve(x * 2);
  const mixed = await Parallel()([delayed(len)("abc"), delayed(twice)(4)]);
  const typed: number[] = mixed;
  assert.deepEqual(typed, [3, 8]);
  const gen = Parallel({ returnAs: "generator" })([delayed(len)("ab")]);
  for await (const n of gen) {
    const typedItem: number = n;
    assert.equal(typedItem, 2);
  }
});

Deno.test("Parallel reads inline generators lazily; an early break closes the input", async () => {
  let read = 0;
  let closed = false;
  const identity = (x: number) => x;
  function* calls() {
    try {
      for (let i = 0;; i++) {
        read++;
        yield delayed(identity)(i);
      }
    } finally {
      closed = true;
    }
  }
  const out: number[] = [];
  for await (const y of Parallel({ returnAs: "generator", batchSize: 3 })(calls())) {
    if (out.push(y) === 10) break;
  }
  assert.deepEqual(out, [...Array(10).keys()]);
  assert.ok(closed);
  assert.ok(read <= 10 + 3 * 3 + 3, `read ${read}`);
});
