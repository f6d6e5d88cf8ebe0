/**
 * Separate `apply` calls awaited together (thousands queued at once; they travel several to a
 * message, see `pool/_coalesce.ts`): each still settles on its own, runs exactly once, and one
 * that throws or a worker that dies fails only what it must. When a worker dies running one
 * call, the calls it finished keep their results, and the calls it had not started run on its
 * replacement: only the one it was running fails.
 */
import assert from "node:assert/strict";
import { Pool, RemoteError, WorkerCrashedError } from "../mod.ts";
import { until, within, workerTest } from "./_helpers.ts";

/** Counts its run in `runs[i]`; throws for `i === bad`; exits its worker for `i === fatal`. */
function counted(runs: Int32Array, i: number, bad: number, fatal: number): number {
  if (i === fatal) Deno.exit(9);
  Atomics.add(runs, i, 1);
  if (i === bad) throw new RangeError(`call ${i} is bad`);
  return i * 2;
}

function calls(pool: Pool, runs: Int32Array, bad: number, fatal: number) {
  return Promise.allSettled(
    Array.from({ length: runs.length }, (_, i) => pool.apply(counted, [runs, i, bad, fatal])),
  );
}

/** No call may wait this long. */
const PROMPT = 30_000;

workerTest(
  "2,000 applies awaited together: each settles with its own value or error, and runs once",
  async () => {
    await using pool = new Pool(2);
    const runs = new Int32Array(new SharedArrayBuffer(4 * 2_000));
    const settled = await calls(pool, runs, 1_234, -1);
    settled.forEach((s, i) => {
      if (i === 1_234) {
        assert.equal(s.status, "rejected");
        const error = (s as PromiseRejectedResult).reason;
        assert.ok(error instanceof RemoteError);
        assert.match(error.message, /call 1234 is bad/);
      } else {
        assert.deepEqual(s, { status: "fulfilled", value: i * 2 });
      }
    });
    assert.deepEqual([...new Set(runs)], [1], "every call ran exactly once");
  },
);

workerTest(
  "a worker dying in a message of several applies fails its calls with WorkerCrashedError, " +
    "runs none twice, and the pool goes on",
  async () => {
    await using pool = new Pool(2);
    const runs = new Int32Array(new SharedArrayBuffer(4 * 2_000));
    const settled = await calls(pool, runs, -1, 700);
    const crashed =
      settled.filter((s) => s.status === "rejected" && s.reason instanceof WorkerCrashedError)
        .length;
    assert.ok(crashed >= 1, "the fatal call fails");
    settled.forEach((s, i) => {
      if (s.status === "fulfilled") assert.equal(s.value, i * 2);
      else assert.ok(s.reason instanceof WorkerCrashedError, String(s.reason));
    });
    assert.ok(runs.every((n) => n <= 1), "no call ran twice");
    assert.equal(runs[700], 0);
    assert.equal(
      await pool.apply(counted, [new Int32Array(new SharedArrayBuffer(4)), 0, -1, -1]),
      0,
    );
  },
);

/**
 * Counts its run in `runs[i]` and returns `i * 2`, but call `fatal` kills its worker as `how`
 * says. `"unheard"`: the worker dies without a word, as a worker that is terminated (here it
 * sends the pool a message out of order, for which the pool stops it). The calls before
 * `slow` spin 0.3 ms each.
 */
function dies(runs: Int32Array, i: number, fatal: number, how: string, slow: number): unknown {
  Atomics.add(runs, i, 1);
  if (i < slow) {
    const until = performance.now() + 0.3;
    while (performance.now() < until) { /* a call that takes a while */ }
  }
  if (i !== fatal) return i * 2;
  switch (how) {
    case "Deno.exit()":
      return Deno.exit(3);
    case "self.close()":
      self.close();
      return new Promise(() => {});
    case "an uncaught error":
      setTimeout(() => {
        throw new Error("escaped");
      });
      return new Promise(() => {});
    case "an unhandled rejection":
      Promise.reject(new Error("nobody catches me"));
      return new Promise(() => {});
    case "an exit in a getter of the result":
      return {
        get x() {
          return Deno.exit(4);
        },
      };
    case "unheard":
      // The worker's global scope (a Web Worker's postMessage takes no target origin).
      (self as unknown as { postMessage(message: unknown): void }).postMessage({
        kind: "done",
        batch: -1,
        values: [],
        shared: false,
      });
      return new Promise(() => {});
  }
  throw new Error(`unknown death ${how}`);
}

/** 3,000 applies of `dies` awaited together, call `fatal` killing its worker. */
async function dying(
  how: string,
  fatal: number,
  slow = 0,
): Promise<{ runs: Int32Array; settled: PromiseSettledResult<unknown>[] }> {
  await using pool = new Pool(2);
  const runs = new Int32Array(new SharedArrayBuffer(4 * 3_000));
  const settled = await within(
    Promise.allSettled(
      Array.from({ length: runs.length }, (_, i) => pool.apply(dies, [runs, i, fatal, how, slow])),
    ),
    PROMPT,
  );
  // The pool goes on.
  assert.equal(await pool.apply(dies, [new Int32Array(new SharedArrayBuffer(4)), 0, -1, "", 0]), 0);
  return { runs, settled };
}

for (
  const how of [
    "Deno.exit()",
    "self.close()",
    "an uncaught error",
    "an unhandled rejection",
    "an exit in a getter of the result",
  ]
) {
  workerTest(
    `a worker that dies by ${how} in a message of several applies fails only the call it ran; ` +
      `the calls it finished keep their results, those it had not started run elsewhere, once`,
    async () => {
      const { runs, settled } = await dying(how, 1_500);
      settled.forEach((s, i) => {
        if (i === 1_500) {
          assert.equal(s.status, "rejected");
          const error = (s as PromiseRejectedResult).reason;
          assert.ok(error instanceof WorkerCrashedError, String(error));
          assert.match(error.message, /while running a task/);
        } else {
          assert.deepEqual(s, { status: "fulfilled", value: i * 2 }, `call ${i}`);
        }
      });
      assert.deepEqual([...new Set(runs)], [1], "every call ran exactly once");
    },
  );
}

workerTest(
  "a worker that dies without a word in a message of several applies: the call it ran fails, " +
    "those it had not started run elsewhere; one that ran and lost its result says so",
  async () => {
    const { runs, settled } = await dying("unheard", 1_500);
    let lost = 0;
    settled.forEach((s, i) => {
      if (i === 1_500) {
        assert.equal(s.status, "rejected");
        assert.ok(s.reason instanceof WorkerCrashedError, String(s.reason));
        assert.match(s.reason.message, /while running a task/);
      } else if (s.status === "rejected") {
        // It ran (once) in the dead worker, and its answer had not been sent yet.
        assert.ok(s.reason instanceof WorkerCrashedError, String(s.reason));
        assert.match(s.reason.message, /after it ran this task .* the result was lost/);
        assert.ok(i < 1_500, `call ${i}, after the one that died, had not started`);
        lost++;
      } else {
        assert.equal(s.value, i * 2);
      }
    });
    assert.ok(lost < 256, `${lost} results lost: more than a message holds`);
    assert.deepEqual([...new Set(runs)], [1], "every call ran exactly once");
  },
);

workerTest(
  "a worker that dies without a word keeps the results of calls that took longer than 0.2 ms: " +
    "they were sent as each finished",
  async () => {
    const { runs, settled } = await dying("unheard", 1_500, 1_500);
    settled.forEach((s, i) => {
      if (i === 1_500) {
        assert.equal(s.status, "rejected");
        assert.ok(s.reason instanceof WorkerCrashedError, String(s.reason));
      } else {
        assert.deepEqual(s, { status: "fulfilled", value: i * 2 }, `call ${i}`);
      }
    });
    assert.deepEqual([...new Set(runs)], [1], "every call ran exactly once");
  },
);

/** Returns `i * 2`, or for `i === bad` a result that cannot be sent back: a getter throws. */
function badResult(i: number, bad: number): unknown {
  if (i !== bad) return i * 2;
  return {
    get x() {
      throw new Error("getter threw");
    },
  };
}

workerTest(
  "an apply among thousands whose result cannot be sent back fails alone, with RemoteError",
  async () => {
    await using pool = new Pool(2);
    const settled = await within(
      Promise.allSettled(
        Array.from({ length: 3_000 }, (_, i) => pool.apply(badResult, [i, 1_500])),
      ),
      PROMPT,
    );
    settled.forEach((s, i) => {
      if (i === 1_500) {
        assert.equal(s.status, "rejected");
        assert.ok(s.reason instanceof RemoteError, String(s.reason));
        assert.match(s.reason.message, /getter threw/);
      } else assert.deepEqual(s, { status: "fulfilled", value: i * 2 }, `call ${i}`);
    });
  },
);

/** Returns `i * 2`, except call `held`: it says it started in `flag`, and never returns. */
function held(flag: Int32Array, i: number, held: number): unknown {
  if (i !== held) return i * 2;
  Atomics.store(flag, 0, 1);
  return new Promise(() => {});
}

workerTest(
  "an aborted apply running among thousands of applies: only it fails; the others run once",
  async () => {
    await using pool = new Pool(2);
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const controller = new AbortController();
    const all = Array.from(
      { length: 3_000 },
      (_, i) =>
        pool.apply(
          held,
          [flag, i, 1_500],
          i === 1_500 ? { signal: controller.signal } : undefined,
        ),
    );
    await until(() => Atomics.load(flag, 0) === 1, "the held call to start");
    controller.abort(new Error("stop"));
    const settled = await within(Promise.allSettled(all), PROMPT);
    settled.forEach((s, i) => {
      if (i === 1_500) {
        assert.equal(s.status, "rejected");
        assert.equal((s as PromiseRejectedResult).reason.message, "stop");
      } else assert.deepEqual(s, { status: "fulfilled", value: i * 2 }, `call ${i}`);
    });
  },
);

/** Returns `i * 2`; call `fatal` exits its worker. Crosses to a subprocess by value. */
function exitsAt(i: number, fatal: number): number {
  if (i === fatal) Deno.exit(5);
  return i * 2;
}

Deno.test(
  "subprocess workers: a worker exiting among hundreds of applies fails its call (and at most " +
    "the one sent behind it, which cannot be taken back from another process)",
  async () => {
    await using pool = new Pool(2, { backend: "subprocess" });
    const settled = await within(
      Promise.allSettled(Array.from({ length: 500 }, (_, i) => pool.apply(exitsAt, [i, 250]))),
      PROMPT,
    );
    const failed = settled.flatMap((s, i) => s.status === "rejected" ? [i] : []);
    assert.ok(failed.includes(250) && failed.length <= 2, `calls ${failed} failed`);
    settled.forEach((s, i) => {
      if (s.status === "rejected") {
        assert.ok(s.reason instanceof WorkerCrashedError, String(s.reason));
      } else assert.equal(s.value, i * 2, `call ${i}`);
    });
  },
);

workerTest(
  "an apply among thousands whose arguments cannot be sent fails alone, with a TypeError",
  async () => {
    await using pool = new Pool(2);
    const settled = await within(
      Promise.allSettled(
        Array.from(
          { length: 3_000 },
          (_, i) => pool.apply((x: unknown) => x, [i === 1_500 ? () => 0 : i]),
        ),
      ),
      PROMPT,
    );
    settled.forEach((s, i) => {
      if (i === 1_500) {
        assert.equal(s.status, "rejected");
        assert.ok(s.reason instanceof TypeError, String(s.reason));
        assert.match(s.reason.message, /cannot be sent to a worker/);
      } else assert.deepEqual(s, { status: "fulfilled", value: i }, `call ${i}`);
    });
  },
);

Deno.test("inline backend: thousands of applies each settle on their own, once", async () => {
  await using pool = new Pool(2, { backend: "inline" });
  const runs = new Int32Array(new SharedArrayBuffer(4 * 2_000));
  const settled = await within(calls(pool, runs, 1_000, -1), PROMPT);
  settled.forEach((s, i) => {
    if (i === 1_000) assert.ok((s as PromiseRejectedResult).reason instanceof RemoteError);
    else assert.deepEqual(s, { status: "fulfilled", value: i * 2 });
  });
  assert.deepEqual([...new Set(runs)], [1], "every call ran exactly once");
});

/**
 * Returns `i * 2` and counts itself done in `done[0]`; call `hold` first waits (without
 * blocking its worker's event loop, 10 s at most: then it returns -1) until every other call
 * is done.
 */
async function holds(done: Int32Array, i: number, hold: number, n: number): Promise<number> {
  if (i === hold) {
    const deadline = Date.now() + 10_000;
    while (Atomics.load(done, 0) < n - 1) {
      if (Date.now() > deadline) return -1;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
  Atomics.add(done, 0, 1);
  return i * 2;
}

workerTest(
  "a worker held by one call of a message of several applies shares the calls it has not " +
    "started with an idle worker",
  async () => {
    await using pool = new Pool(2);
    const done = new Int32Array(new SharedArrayBuffer(4));
    const n = 3_000;
    const settled = await within(
      Promise.all(Array.from({ length: n }, (_, i) => pool.apply(holds, [done, i, 1_000, n]))),
      PROMPT,
    );
    assert.deepEqual(settled, Array.from({ length: n }, (_, i) => i * 2));
  },
);
