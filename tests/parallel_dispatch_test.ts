// joblib's dispatch contract, checked as joblib's own tests check it: an input generator
// records, as it yields each call, how many calls have run so far.
import assert from "node:assert/strict";
import { delayed, Parallel, ParallelRunningError } from "../mod.ts";
import { workerTest } from "./_helpers.ts";
import { counted, finishing, spinThen, square } from "./fixtures/parallel_tasks.ts";

const range = (n: number) => [...Array(n).keys()];

const imports = [new URL("./fixtures/parallel_tasks.ts", import.meta.url)];

/** A generator of `n` calls of `fn(counter, ms, i)`, noting `counter[0]` as it yields each. */
function* recording(
  fn: typeof counted,
  counter: Int32Array,
  ms: number,
  n: number,
  seen: number[],
) {
  for (let i = 0; i < n; i++) {
    seen.push(Atomics.load(counter, 0));
    yield delayed(fn)(counter, ms, i);
  }
}

const shared = () => new Int32Array(new SharedArrayBuffer(4));

for (const backend of ["inline", "worker"] as const) {
  workerTest(`nJobs: 1 runs each batch as it is read (backend ${backend})`, async () => {
    for (
      const [batchSize, expected] of [
        [1, [0, 1, 2, 3, 4, 5]],
        // "auto" starts at one call a batch, and grows for quick calls: never read ahead.
        ["auto", [0, 1, 1, 3, 3, 3]],
        // joblib: produced 0–3, consumed 0–3, produced 4–5, consumed 4–5.
        [4, [0, 0, 0, 0, 4, 4]],
      ] as const
    ) {
      const ran = shared();
      const seen: number[] = [];
      const out = await Parallel({ nJobs: 1, backend, batchSize, imports })(
        recording(counted, ran, 0, 6, seen),
      );
      assert.deepEqual(out, [0, 1, 2, 3, 4, 5]);
      assert.deepEqual(seen, expected, `batchSize ${batchSize}: calls run as each was read`);
    }
  });
}

workerTest("nJobs: 1 generators run a call only when the consumer asks for it", async () => {
  const ran = shared();
  const seen: number[] = [];
  const results = Parallel({ nJobs: 1, batchSize: 1, returnAs: "generator", imports })(
    recording(counted, ran, 0, 4, seen),
  );
  for await (const y of results) {
    assert.equal(Atomics.load(ran, 0), y + 1, "nothing runs ahead of the consumer");
  }
  assert.deepEqual(seen, [0, 1, 2, 3]);
});

workerTest(
  "preDispatch bounds what is read: three calls at the start, the fourth after one is done",
  async () => {
    const done = shared();
    const seen: number[] = [];
    const out = await Parallel({ nJobs: 2, preDispatch: 3, batchSize: 1, imports })(
      recording(finishing, done, 150, 8, seen),
    );
    assert.deepEqual(out, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(seen.slice(0, 3), [0, 0, 0], "three read before any is done");
    seen.forEach((finished, i) => {
      assert.ok(i - finished <= 2, `call ${i} was read with only ${finished} done: ${seen}`);
    });
  },
);

workerTest("preDispatch in batches: batchSize 3, preDispatch 2 reads six calls ahead", async () => {
  const done = shared();
  const seen: number[] = [];
  await Parallel({ nJobs: 2, preDispatch: 2, batchSize: 3, imports })(
    recording(finishing, done, 40, 18, seen),
  );
  assert.deepEqual(seen.slice(0, 6), [0, 0, 0, 0, 0, 0]);
  seen.forEach((finished, i) => {
    // Batch b = ⌊i / 3⌋ is read once b − 1 batches (3 calls each) are done.
    assert.ok(Math.floor(i / 3) - Math.floor(finished / 3) <= 1, `call ${i}: ${seen}`);
  });
});

for (const returnAs of ["generator", "generator_unordered"] as const) {
  workerTest(`a second call while a ${returnAs} runs is refused`, async () => {
    await using parallel = Parallel({ nJobs: 2, returnAs, imports });
    const first = parallel([1, 2, 3, 4].map((x) => delayed(square)(x)));
    assert.ok((await first.next()).done === false);
    assert.throws(() => parallel([delayed(square)(5)]), ParallelRunningError);
    // Another Parallel runs side by side.
    assert.deepEqual(await Parallel({ nJobs: 1, imports })([delayed(square)(6)]), [36]);
    // The rest of the first call is still there.
    const rest = await Array.fromAsync(first);
    assert.equal(rest.length, 3);
    // Once it has ended, the next call runs.
    assert.deepEqual(await Array.fromAsync(parallel([delayed(square)(7)])), [49]);
  });
}

workerTest("a second call while a list call runs is refused, managed or not", async () => {
  for (const managed of [true, false]) {
    await using stack = new AsyncDisposableStack();
    const made = Parallel({ nJobs: 2, imports });
    const parallel = managed ? stack.use(made) : made;
    const first = parallel([1, 2, 3].map((x) => delayed(square)(x)));
    await assert.rejects(parallel([delayed(square)(4)]), (error: unknown) => {
      assert.ok(error instanceof ParallelRunningError);
      assert.equal(error.code, "ERR_PARALLEL_RUNNING");
      assert.match(error.message, /already running/);
      return true;
    });
    assert.deepEqual(await first, [1, 4, 9]);
    assert.deepEqual(await parallel([delayed(square)(4)]), [16]);
  }
});

workerTest("a generator returned before its first next() leaves the Parallel free", async () => {
  await using parallel = Parallel({ nJobs: 2, returnAs: "generator", imports });
  const unused = parallel([delayed(square)(2)]);
  await unused.return();
  assert.deepEqual(await Array.fromAsync(parallel([delayed(square)(3)])), [9]);
});

workerTest(
  "generator_unordered yields every fast result before a slow one on another worker",
  async () => {
    // Nine quick calls beside one that keeps its worker busy for 3 s: the quick ones must not
    // wait behind it on its worker (joblib yields all nine first).
    await using parallel = Parallel({
      nJobs: 2,
      batchSize: 1,
      returnAs: "generator_unordered",
      imports,
    });
    // Both workers up and idle first, so that the calls are pipelined to them as they are sent.
    const warm = await Array.fromAsync(parallel([1, 2].map((i) => delayed(spinThen)(1, i))));
    assert.deepEqual(warm.sort(), [1, 2]);
    const calls = [delayed(spinThen)(3_000, -1), ...range(9).map((i) => delayed(spinThen)(1, i))];
    const seen: number[] = [];
    for await (const y of parallel(calls)) {
      seen.push(y);
      if (seen.length === 9) break;
    }
    assert.deepEqual(seen.sort((a, b) => a - b), range(9));
  },
);
