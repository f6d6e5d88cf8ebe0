import assert from "node:assert/strict";
import { cpuCount, delayed, Parallel, RemoteError } from "../mod.ts";
import { liveWorkers, workerTest } from "./_helpers.ts";
import {
  add,
  counted,
  describe,
  failAt,
  sleepThen,
  spin,
  square,
  whoAmI,
} from "./fixtures/parallel_tasks.ts";

const imports = [new URL("./fixtures/parallel_tasks.ts", import.meta.url)];
const range = (n: number) => [...Array(n).keys()];

workerTest(
  "the tutorial: Parallel({ nJobs: 2 })(range(10).map((x) => delayed(f)(x)))",
  async () => {
    // The notebook's f: an arrow sent by value.
    const f = (x: number) => x * x;
    const out = await Parallel({ nJobs: 2 })(range(10).map((x) => delayed(f)(x)));
    assert.deepEqual(out, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
  },
);

workerTest("returnAs list keeps input order, with any batch size", async () => {
  const xs = range(1003);
  const expected = xs.map(square);
  for (const batchSize of ["auto", 1, 7, 5000] as const) {
    const out = await Parallel({ nJobs: 2, imports, batchSize })(xs.map((x) => delayed(square)(x)));
    assert.deepEqual(out, expected, `batchSize ${batchSize}`);
  }
});

workerTest("calls of several functions and arities mix in one input, in order", async () => {
  const calls = range(300).map((i) =>
    i % 3 === 0 ? delayed(square)(i) : i % 3 === 1 ? delayed(add)(i, 1) : delayed(describe)(i)
  );
  const out = await Parallel({ nJobs: 2, imports, batchSize: 4 })(calls);
  assert.deepEqual(
    out,
    range(300).map((i) => i % 3 === 0 ? square(i) : i % 3 === 1 ? add(i, 1) : describe(i)),
  );
});

workerTest("returnAs generator yields in input order, as the results come", async () => {
  // Later calls finish first: order must come from the generator, not from the workers.
  const calls = range(20).map((i) => delayed(sleepThen)((20 - i) * 2, i));
  const seen: number[] = [];
  for await (const y of Parallel({ nJobs: 2, imports, returnAs: "generator" })(calls)) {
    seen.push(y);
  }
  assert.deepEqual(seen, range(20));
});

workerTest("returnAs generator_unordered yields every result once, as batches finish", async () => {
  const calls = range(40).map((i) => delayed(sleepThen)(i % 4 === 0 ? 60 : 1, i));
  const seen: number[] = [];
  for await (
    const y of Parallel({ nJobs: 2, imports, returnAs: "generator_unordered", batchSize: 1 })(
      calls,
    )
  ) {
    seen.push(y);
  }
  assert.deepEqual([...seen].sort((a, b) => a - b), range(40));
  assert.notDeepEqual(seen, range(40), "slow calls finished after quicker ones sent later");
});

workerTest("nJobs -1 runs on every processor, -2 on all but one", async () => {
  const cpus = cpuCount();
  for (const [nJobs, expected] of [[-1, cpus], [-2, Math.max(cpus - 1, 1)]] as const) {
    const parallel = Parallel({ nJobs, imports, backend: "worker", batchSize: 1 });
    assert.equal(parallel.nJobs, expected);
    const before = liveWorkers();
    const calls = range(8 * expected).map((i) =>
      i % 2 === 0 ? delayed(spin)(5) : delayed(whoAmI)()
    );
    const out = await parallel(calls);
    const workers = new Set(out.filter((y): y is string => typeof y === "string"));
    assert.equal(out.filter((y) => y === 5).length, 4 * expected);
    assert.ok(workers.size >= 1 && workers.size <= expected, [...workers].join());
    for (const name of workers) assert.match(name, /^PoolWorker-\d+$/);
    assert.equal(liveWorkers(), before, "the call's workers ended with it");
  }
});

workerTest("nJobs 1 runs inline, through the same path, starting no worker", async () => {
  const before = liveWorkers();
  const parallel = Parallel({ nJobs: 1, imports });
  assert.equal(parallel.backend, "inline");
  const pending = parallel(range(50).map(() => delayed(whoAmI)()));
  assert.equal(liveWorkers(), before);
  assert.deepEqual(new Set(await pending), new Set(["MainProcess"]));
});

workerTest("a generator of 100,000 calls is read only a few batches ahead", async () => {
  let read = 0;
  let consumed = 0;
  let maxAhead = 0;
  function* calls() {
    for (let i = 0; i < 100_000; i++) {
      read++;
      maxAhead = Math.max(maxAhead, read - consumed);
      yield delayed(square)(i);
    }
  }
  const batchSize = 100;
  const parallel = Parallel({ nJobs: 2, imports, returnAs: "generator", batchSize });
  let sum = 0;
  for await (const y of parallel(calls())) {
    consumed++;
    sum += y;
  }
  assert.equal(consumed, 100_000);
  assert.equal(sum, range(100_000).reduce((s, x) => s + x * x, 0));
  // preDispatch (2 × nJobs) batches out, nJobs batches ready, one being consumed.
  const bound = (2 * 2 + 2 + 1) * batchSize;
  assert.ok(maxAhead <= bound, `read ${maxAhead} calls ahead (bound ${bound})`);
});

workerTest("a slow consumer holds the reading back (automatic batch size too)", async () => {
  let read = 0;
  function* calls() {
    for (let i = 0; i < 100_000; i++) {
      read++;
      yield delayed(square)(i);
    }
  }
  const parallel = Parallel({ nJobs: 2, imports, returnAs: "generator", preDispatch: "nJobs" });
  let taken = 0;
  for await (const _ of parallel(calls())) {
    if (++taken === 10) {
      // The consumer dawdles: the workers finish what was sent, and no more is read.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const before = read;
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(read, before, "nothing read while the consumer waits");
      assert.ok(read < 100, `read ${read} calls for 10 results`);
    }
  }
  assert.equal(taken, 100_000);
});

workerTest("a 100,000-call generator into a list: right results, automatic batches", async () => {
  function* calls() {
    for (let i = 0; i < 100_000; i++) yield delayed(square)(i);
  }
  const out = await Parallel({ nJobs: 2, imports })(calls());
  assert.equal(out.length, 100_000);
  assert.equal(out[99_999], 99_999 ** 2);
  assert.ok(out.every((y, i) => y === i * i));
});

workerTest("async iterables of calls work too", async () => {
  async function* calls() {
    for (let i = 0; i < 30; i++) {
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      yield delayed(add)(i, i);
    }
  }
  assert.deepEqual(
    await Parallel({ nJobs: 2, imports, batchSize: 4 })(calls()),
    range(30).map((i) => 2 * i),
  );
});

workerTest("a failing call rejects with RemoteError; the rest is cancelled", async () => {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  let read = 0;
  let closed = false;
  function* calls() {
    try {
      yield delayed(failAt)(0, 0);
      for (let i = 1; i < 1000; i++) {
        read++;
        yield delayed(counted)(counter, 50, i);
      }
    } finally {
      closed = true;
    }
  }
  const before = liveWorkers();
  const t0 = performance.now();
  const error = await Parallel({ nJobs: 2, imports, batchSize: 1 })(calls()).catch((e) => e);
  const elapsed = performance.now() - t0;
  assert.ok(error instanceof RemoteError, String(error));
  assert.equal(error.remoteName, "RangeError");
  assert.ok(error.cause instanceof RangeError);
  assert.match(error.message, /bad item 0/);
  assert.ok(closed, "the input was closed");
  assert.ok(read < 20, `read ${read} calls`);
  assert.equal(liveWorkers(), before, "no worker outlived the call");
  // Nothing waited for the calls still running (50 ms each), and the workers are gone: a
  // worker being terminated may still start the chunk queued in it, but nothing after that.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = Atomics.load(counter, 0);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(Atomics.load(counter, 0), started, "no call ran after the workers stopped");
  assert.ok(started < 10, `${started} of 999 calls started`);
  assert.ok(elapsed < 2000, `took ${elapsed} ms`);
});

workerTest("a failing call rejects a generator at the next result", async () => {
  const parallel = Parallel({ nJobs: 2, imports, returnAs: "generator", batchSize: 1 });
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const y of parallel(range(100).map((x) => delayed(failAt)(50, x)))) seen.push(y);
  }, RemoteError);
  assert.ok(seen.length <= 50);
  assert.deepEqual(seen, range(seen.length));
});

workerTest(
  "a call over its timeout fails with TimeoutError and its worker is stopped",
  async () => {
    const before = liveWorkers();
    const t0 = performance.now();
    const calls = [delayed(spin)(1), delayed(spin)(20_000), delayed(spin)(1)];
    await assert.rejects(
      () => Parallel({ nJobs: 2, imports, timeout: 300 })(calls),
      (error: unknown) => {
        assert.ok(error instanceof DOMException);
        assert.equal(error.name, "TimeoutError");
        assert.match(error.message, /spin ran longer than the timeout of 300 ms/);
        return true;
      },
    );
    const elapsed = performance.now() - t0;
    assert.ok(elapsed < 5000, `took ${elapsed} ms`);
    assert.equal(liveWorkers(), before, "the spinning worker was terminated");
  },
);

workerTest("calls within the timeout succeed, whatever the workers' start costs", async () => {
  const out = await Parallel({ nJobs: 2, imports, timeout: 1000 })(
    range(20).map((x) => delayed(sleepThen)(5, x)),
  );
  assert.deepEqual(out, range(20));
});

workerTest("await using keeps the same workers for every call", async () => {
  const before = liveWorkers();
  const names = new Set<string>();
  {
    await using parallel = Parallel({ nJobs: 2, imports, batchSize: 1 });
    for (let call = 0; call < 3; call++) {
      const out = await parallel(range(20).map(() => delayed(whoAmI)()));
      for (const name of out) names.add(name);
      assert.equal(liveWorkers(), before + 2, "the workers outlive the call");
    }
  }
  assert.ok(names.size <= 2, [...names].join());
  assert.equal(liveWorkers(), before, "ended with the block");
});

workerTest("without await using, each call starts and ends its own workers", async () => {
  const before = liveWorkers();
  const parallel = Parallel({ nJobs: 2, imports, batchSize: 1 });
  const first = new Set(await parallel(range(10).map(() => delayed(whoAmI)())));
  assert.equal(liveWorkers(), before);
  const second = new Set(await parallel(range(10).map(() => delayed(whoAmI)())));
  assert.equal(liveWorkers(), before);
  for (const name of second) assert.ok(!first.has(name), `${name} ran both calls`);
});

workerTest("a reused Parallel replaces its workers after a timeout, then carries on", async () => {
  const before = liveWorkers();
  await using parallel = Parallel({ nJobs: 2, imports, timeout: 300 });
  const first = new Set(await parallel([delayed(whoAmI)(), delayed(whoAmI)()]));
  await assert.rejects(() => parallel([delayed(spin)(20_000)]), { name: "TimeoutError" });
  const after = new Set(await parallel([delayed(whoAmI)(), delayed(whoAmI)()]));
  for (const name of after) assert.ok(!first.has(name), "fresh workers");
  assert.equal(liveWorkers(), before + 2);
});

workerTest(
  "a reused Parallel keeps its workers after a failure with nothing left running",
  async () => {
    await using parallel = Parallel({ nJobs: 2, imports, batchSize: 1 });
    const first = new Set(await parallel(range(10).map(() => delayed(whoAmI)())));
    await assert.rejects(() => parallel([delayed(failAt)(1, 1)]), RemoteError);
    const after = new Set(await parallel(range(10).map(() => delayed(whoAmI)())));
    for (const name of after) assert.ok(first.has(name), `${name} is new`);
  },
);

workerTest("leaving a generator early stops the rest and ends the workers", async () => {
  const before = liveWorkers();
  let closed = false;
  function* calls() {
    try {
      for (let i = 0;; i++) yield delayed(spin)(2);
    } finally {
      closed = true;
    }
  }
  let taken = 0;
  for await (const _ of Parallel({ nJobs: 2, imports, returnAs: "generator" })(calls())) {
    if (++taken === 25) break;
  }
  assert.ok(closed);
  assert.equal(liveWorkers(), before);
});

workerTest("context carries free variables of functions sent by value", async () => {
  const scale = 3;
  const out = await Parallel({ nJobs: 2, context: { scale } })(
    range(5).map((x) => delayed((y: number) => y * scale)(x)),
  );
  assert.deepEqual(out, [0, 3, 6, 9, 12]);
});

workerTest("verbose prints joblib's lines on stderr", async () => {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    await Parallel({ nJobs: 2, imports, verbose: 5 })(range(10).map((x) => delayed(square)(x)));
  } finally {
    console.error = original;
  }
  assert.equal(lines[0], "[Parallel(nJobs=2)]: Using backend worker with 2 concurrent workers.");
  assert.match(
    lines.at(-1)!,
    /^\[Parallel\(nJobs=2\)\]: Done {2}10 out of {2}10 \| elapsed: +\d+\.\ds finished$/,
  );
});

workerTest("progress draws a bar of the calls done", async () => {
  const writes: string[] = [];
  await Parallel({
    nJobs: 2,
    imports,
    progress: { display: "lines", description: "squares", write: (t) => writes.push(t) },
  })(range(200).map((x) => delayed(square)(x)));
  assert.match(writes.at(-1)!, /^squares: 100%\|█{20}\| 200\/200 \[/);
  // A generator's total is known once it is read to the end.
  const more: string[] = [];
  function* calls() {
    for (let i = 0; i < 50; i++) yield delayed(square)(i);
  }
  await Parallel({
    nJobs: 2,
    imports,
    progress: { display: "lines", write: (t) => more.push(t) },
  })(calls());
  assert.match(more.at(-1)!, /100%\|█{20}\| 50\/50/);
});
