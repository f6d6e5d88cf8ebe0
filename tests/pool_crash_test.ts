import assert from "node:assert/strict";
import { BrokenPoolError, currentProcess, Pool, RemoteError, WorkerCrashedError } from "../mod.ts";
import { rememberAndLog, rememberedBy } from "./fixtures/tasks.ts";
import { delay, liveWorkers, within, workerTest } from "./_helpers.ts";

const tasks = new URL("./fixtures/tasks.ts", import.meta.url);

const deaths: [string, () => unknown][] = [
  ["self.close()", () => {
    self.close();
    return "after close";
  }],
  ["Deno.exit()", () => Deno.exit(3)],
  ["an uncaught error outside the task", () => {
    setTimeout(() => {
      throw new Error("escaped");
    });
    return new Promise(() => {});
  }],
  ["a stack overflow outside the task", () => {
    setTimeout(() => {
      const recurse = (n: number): number => recurse(n + 1) + 1;
      recurse(0);
    });
    return new Promise(() => {});
  }],
  ["an unhandled rejection", () => {
    Promise.reject(new Error("nobody catches me"));
    return new Promise(() => {});
  }],
];

for (const [how, kill] of deaths) {
  workerTest(
    `a worker that dies by ${how} fails its task with WorkerCrashedError, promptly`,
    async () => {
      await using pool = new Pool(2);
      await pool.map((x: number) => x, [1, 2]); // workers up
      const started = performance.now();
      const error = await within(pool.apply(kill).catch((e) => e), 5_000);
      const elapsed = performance.now() - started;
      assert.ok(error instanceof WorkerCrashedError, `got ${error}`);
      assert.equal(error.code, "ERR_WORKER_CRASHED");
      assert.match(error.message, /PoolWorker-\d+/);
      assert.ok(elapsed < 1_000, `took ${elapsed} ms`);
      // The pool replaced the worker and carries on with both.
      assert.deepEqual(await pool.map((x: number) => x * 2, [1, 2, 3, 4], 1), [2, 4, 6, 8]);
      assert.equal(liveWorkers(), 2);
    },
  );
}

workerTest("an uncaught error becomes the WorkerCrashedError's cause", async () => {
  await using pool = new Pool(1);
  const error = await pool.apply(() => {
    setTimeout(() => {
      throw new TypeError("escaped");
    });
    return new Promise(() => {});
  }).catch((e) => e);
  assert.ok(error instanceof WorkerCrashedError);
  assert.ok(error.cause instanceof RemoteError);
  assert.match(String(error.cause.message), /escaped/);
});

workerTest("a stack overflow in a task is the task's error; the worker lives on", async () => {
  await using pool = new Pool(1);
  const before = await pool.apply(() => currentProcess().ident);
  const error = await pool.apply(() => {
    const recurse = (n: number): number => recurse(n + 1) + 1;
    return recurse(0);
  }).catch((e) => e);
  assert.ok(error instanceof RemoteError);
  assert.equal(error.remoteName, "RangeError");
  assert.equal(await pool.apply(() => currentProcess().ident), before);
});

workerTest("chunks queued behind a crashed task run on the replacement, none lost", async () => {
  await using pool = new Pool(1);
  const results = await Promise.allSettled(
    [0, 1, 2, 3, 4, 5].map((i) =>
      pool.apply((x: number) => {
        if (x === 1) self.close();
        return x * 10;
      }, [i])
    ),
  );
  assert.equal(results[1]!.status, "rejected");
  assert.ok((results[1] as PromiseRejectedResult).reason instanceof WorkerCrashedError);
  const values = results.filter((r) => r.status === "fulfilled").map((r) => r.value);
  assert.deepEqual(values, [0, 20, 30, 40, 50]);
});

workerTest("a map over a crashing task rejects, and the pool stays usable", async () => {
  await using pool = new Pool(2);
  await assert.rejects(
    within(
      pool.map(
        (x: number) => {
          if (x === 13) Deno.exit(1);
          return x;
        },
        Array.from({ length: 40 }, (_, i) => i),
        2,
      ),
      5_000,
    ),
    WorkerCrashedError,
  );
  assert.deepEqual(await pool.map((x: number) => x + 1, [1, 2, 3]), [2, 3, 4]);
});

workerTest("an initializer that throws breaks the pool: every task rejects", async () => {
  await using pool = new Pool(2, {
    initializer: () => {
      throw new Error("cannot initialise");
    },
  });
  const error = await within(pool.apply(() => 1).catch((e) => e), 5_000);
  assert.ok(error instanceof BrokenPoolError, `got ${error}`);
  assert.match(error.message, /initializer failed/);
  assert.ok(error.cause instanceof RemoteError);
  await assert.rejects(pool.map((x: number) => x, [1]), BrokenPoolError);
  assert.throws(() => pool.imap((x: number) => x, [1]), BrokenPoolError);
  assert.equal(liveWorkers(), 0);
});

/** What a pool that answers nothing (`map` of no items) rejects with, polled until it does. */
async function failureOf(pool: Pool, ms: number): Promise<unknown> {
  const deadline = performance.now() + ms;
  for (;;) {
    const error = await pool.map((x: number) => x, []).then(() => undefined, (e: unknown) => e);
    if (error !== undefined) return error;
    if (performance.now() > deadline) throw new Error(`the pool still ran after ${ms} ms`);
    await delay(5);
  }
}

/** Initializers that leave an error behind from their third run on (runs counted in `runs[0]`). */
const leftBehind: [string, (runs: Int32Array) => void][] = [
  ["a timer that throws", (runs: Int32Array) => {
    if (Atomics.add(runs, 0, 1) < 2) return;
    setTimeout(() => {
      throw new Error("thrown by the initializer's timer");
    });
  }],
  ["a rejection nobody handles", (runs: Int32Array) => {
    if (Atomics.add(runs, 0, 1) < 2) return;
    Promise.reject(new Error("rejected in the initializer"));
  }],
];

for (const [what, initializer] of leftBehind) {
  workerTest(
    `an initializer that leaves ${what} in later workers breaks the pool, instead of ` +
      `starting workers for ever`,
    async () => {
      // Workers 1 and 2 run a task each (maxTasksPerChild: 1); from the third on, each worker
      // dies idle, right after it is ready. Python's pool, and this one before, started
      // workers for ever.
      const runs = new Int32Array(new SharedArrayBuffer(4));
      await using pool = new Pool(1, { initializer, initargs: [runs], maxTasksPerChild: 1 });
      assert.deepEqual(await within(pool.map((x: number) => x * 2, [1, 2], 1), 10_000), [2, 4]);
      const error = await failureOf(pool, 10_000);
      assert.ok(error instanceof BrokenPoolError, `got ${error}`);
      assert.match(error.message, /3 workers in a row died before they ran a task/);
      assert.match(error.message, /initializer/);
      assert.match(String((error.cause as Error)?.message), /initializer/);
      // Two workers that ran a task, then three that died: none started after the break.
      assert.equal(Atomics.load(runs, 0), 5);
      await assert.rejects(pool.apply(() => 1), BrokenPoolError);
      assert.equal(liveWorkers(), 0);
    },
  );
}

workerTest("a pool whose later workers die at start fails its queued work, promptly", async () => {
  // The initializer exits from its second run on: the task queued behind the first worker's
  // fails with BrokenPoolError once three workers in a row died, and the pool ends.
  const runs = new Int32Array(new SharedArrayBuffer(4));
  await using pool = new Pool(1, {
    initializer: (runs: Int32Array) => {
      if (Atomics.add(runs, 0, 1) >= 1) Deno.exit(7);
    },
    initargs: [runs],
    maxTasksPerChild: 1,
  });
  const outcomes = await within(
    Promise.allSettled([pool.apply(() => 1), pool.apply(() => 2)]),
    10_000,
  );
  assert.deepEqual(outcomes[0], { status: "fulfilled", value: 1 });
  assert.equal(outcomes[1]!.status, "rejected");
  const error = (outcomes[1] as PromiseRejectedResult).reason;
  assert.ok(error instanceof BrokenPoolError, `got ${error}`);
  assert.match(error.message, /Deno\.exit\(7\) before it was ready/);
  assert.equal(Atomics.load(runs, 0), 4);
});

workerTest("initializer and initargs run exactly once in each worker", async () => {
  // Cell 0 counts initializer runs; cells 1.. hold the ident of the worker of each run.
  const log = new Int32Array(new SharedArrayBuffer(4 * 8));
  const pool = new Pool(2, {
    imports: [tasks],
    initializer: rememberAndLog,
    initargs: [log, "a", { b: [1] }],
  });
  try {
    const seen = await within(pool.map(rememberedBy, [1, 2, 3, 4, 5, 6, 7, 8], 1), 10_000);
    pool.close();
    await within(pool.join(), 10_000);
    const runs = Atomics.load(log, 0);
    assert.equal(runs, 2, "one initializer run per worker, no more, no fewer");
    const initialised = [...log.subarray(1, 1 + runs)];
    assert.equal(new Set(initialised).size, 2, `runs in workers ${initialised}: not one each`);
    for (const { ident, args } of seen) {
      assert.ok(initialised.includes(ident), `worker ${ident} ran a task uninitialised`);
      assert.deepEqual(args, ["a", { b: [1] }]);
    }
  } finally {
    pool.terminate();
  }
});

workerTest("a pool closed and joined without a task still initialises every worker", async () => {
  const count = new Int32Array(new SharedArrayBuffer(4));
  const pool = new Pool(2, {
    initializer: (count: Int32Array) => void Atomics.add(count, 0, 1),
    initargs: [count],
  });
  pool.close();
  await within(pool.join(), 10_000);
  assert.equal(Atomics.load(count, 0), 2, "as CPython's workers, each ran its initializer");
  assert.equal(liveWorkers(), 0);
});

workerTest("maxTasksPerChild retires workers and replaces them", async () => {
  await using pool = new Pool(1, { maxTasksPerChild: 2 });
  const idents: number[] = [];
  for (let i = 0; i < 6; i++) idents.push(await pool.apply(() => currentProcess().ident));
  assert.equal(idents[0], idents[1]);
  assert.equal(idents[2], idents[3]);
  assert.equal(idents[4], idents[5]);
  assert.equal(new Set(idents).size, 3);
  // A map of many chunks crosses several retirements without losing any.
  const xs = Array.from({ length: 30 }, (_, i) => i);
  assert.deepEqual(await pool.map((x: number) => x * 2, xs, 3), xs.map((x) => x * 2));
  assert.equal(liveWorkers(), 1);
});

workerTest(
  "an abandoned pool is cleaned by terminate() even with work in every state",
  async () => {
    const pool = new Pool(2);
    const forever = pool.map(() => new Promise(() => {}), [1, 2, 3, 4, 5, 6], 1);
    await delay(50);
    pool.terminate();
    await assert.rejects(within(forever, 2_000));
    await within(pool.join(), 2_000);
    assert.equal(liveWorkers(), 0);
  },
);

// A worker that dies after its task returned (while the result is cloned or sent) has run the
// task: it fails with WorkerCrashedError, once, and is never run again.
const lateDeaths: [string, () => unknown][] = [
  ["Deno.exit() in a getter of the result", () => ({
    get x() {
      Deno.exit(3);
      return 1;
    },
  })],
  ["self.close() in a getter of the result", () => ({
    get x() {
      self.close();
      return 1;
    },
  })],
  ["self.close() while a 50 MB result is cloned", () => [new Uint8Array(50e6), {
    get x() {
      self.close();
      return 1;
    },
  }]],
];

for (const [how, kill] of lateDeaths) {
  workerTest(`a task whose worker dies by ${how} fails once and is not run again`, async () => {
    await using pool = new Pool(1, { context: { kill } });
    const runs = new Int32Array(new SharedArrayBuffer(4));
    const task = (cells: Int32Array) => {
      Atomics.add(cells, 0, 1);
      return kill();
    };
    const error = await within(pool.apply(task, [runs]).catch((e) => e), 5_000);
    assert.ok(error instanceof WorkerCrashedError, `got ${error}`);
    await delay(200);
    assert.equal(Atomics.load(runs, 0), 1, "the task ran more than once");
    // A Pool(1) goes on working.
    assert.deepEqual(await within(pool.map((x: number) => x + 1, [1, 2, 3]), 5_000), [2, 3, 4]);
  });
}

workerTest(
  "chunks of packed numbers queued behind a crashed task run on the replacement",
  async () => {
    await using pool = new Pool(1);
    const crash = pool.apply(() => self.close());
    const xs = Array.from({ length: 200 }, (_, i) => i);
    const mapped = pool.map((x: number) => x * 2, xs, 100);
    await assert.rejects(within(crash, 5_000), WorkerCrashedError);
    assert.deepEqual(await within(mapped, 5_000), xs.map((x) => x * 2));
  },
);
