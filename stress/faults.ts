/**
 * Fault injection at every point of a task's life: before it starts (queued behind a dying
 * task, or on a worker that dies just after answering), mid-task, while its result is cloned
 * and sent, and in the initializer; the worker dies by `Deno.exit()`, `self.close()`, an error
 * that escapes, an unhandled rejection, or a getter of the result. For `Pool`, `Parallel` and
 * `Process`: every call settles promptly with a typed error, no task runs twice, and the pool
 * goes on working. Random mixes of faults come from fast-check (its seed is printed on
 * failure, so a failing mix can be replayed).
 *
 * Part of `deno task stress`, not of `deno task test`.
 *
 * @module
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  BrokenPoolError,
  delayed,
  Parallel,
  Pool,
  Process,
  RemoteError,
  WorkerCrashedError,
} from "../mod.ts";
import { liveWorkers, within, workerTest } from "../tests/_helpers.ts";
import {
  type Fault,
  FAULTS,
  faulty,
  faultyInit,
  faultyItem,
  faultyTarget,
  MAY_SUCCEED,
  TASK_ERRORS,
} from "./fixtures/fault_tasks.ts";

const imports = [new URL("./fixtures/fault_tasks.ts", import.meta.url)];
/** No call may wait this long (generous: the machine may be loaded by other runs). */
const PROMPT = 30_000;

function counters(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * Math.max(n, 1)));
}

/**
 * Checks how one call of `faulty(…, how)` settled. A worker that dies just after answering
 * may take the next task it was sent with it (a timer of the task before): where the mix has
 * one, `innocentMayFail` lets a fault-free task fail, with `WorkerCrashedError` only.
 */
function checkOutcome(
  how: Fault,
  id: number,
  outcome: PromiseSettledResult<unknown>,
  innocentMayFail = false,
): void {
  const what = `task ${id} (${how})`;
  if (outcome.status === "fulfilled") {
    assert.ok(MAY_SUCCEED.has(how), `${what} succeeded`);
    assert.equal(outcome.value, id * 2, what);
    return;
  }
  const error = outcome.reason;
  if (how === "none" && !innocentMayFail) assert.fail(`${what} failed: ${error}`);
  if (TASK_ERRORS.has(how)) {
    assert.ok(error instanceof RemoteError, `${what}: got ${error}`);
  } else {
    assert.ok(error instanceof WorkerCrashedError, `${what}: got ${error}`);
    assert.equal(error.code, "ERR_WORKER_CRASHED");
  }
}

/** Whether a mix has a fault that can fail the task after it (see {@linkcode checkOutcome}). */
function hasLateDeath(faults: readonly Fault[]): boolean {
  return faults.includes("exit just after answering");
}

/** A fault, or `"none"`, in the given odds. */
function faultOrNone(noneWeight: number, faultWeight: number): fc.Arbitrary<Fault> {
  return fc.oneof(
    { weight: noneWeight, arbitrary: fc.constant<Fault>("none") },
    { weight: faultWeight, arbitrary: fc.constantFrom(...FAULTS) },
  );
}

/**
 * Applies `faulty` once per fault, all awaited together: each settles as its fault says, and
 * each ran exactly once (those queued behind a death on the replacement; one a late death took
 * with it may not have started).
 */
async function applyEach(pool: Pool, faults: Fault[], runs: Int32Array): Promise<void> {
  const outcomes = await within(
    Promise.allSettled(faults.map((f, id) => pool.apply(faulty, [runs, id, f]))),
    PROMPT,
  );
  const late = hasLateDeath(faults);
  outcomes.forEach((outcome, id) => checkOutcome(faults[id]!, id, outcome, late));
  faults.forEach((f, id) => {
    if (late && outcomes[id]!.status === "rejected") {
      assert.ok(runs[id]! <= 1, `task ${id} (${f}) ran twice`);
    } else assert.equal(runs[id], 1, `task ${id} (${f}) runs once`);
  });
}

workerTest(
  "Pool: each fault alone fails its call with a typed error; the pool goes on",
  async () => {
    await using pool = new Pool(2, { imports });
    for (const how of FAULTS) {
      const runs = counters(2);
      const [outcome] = await within(
        Promise.allSettled([pool.apply(faulty, [runs, 1, how])]),
        PROMPT,
      );
      checkOutcome(how, 1, outcome!);
      assert.equal(Atomics.load(runs, 1), 1, `${how}: the task ran ${runs[1]} times`);
      assert.deepEqual(await within(pool.map((x: number) => x + 1, [1, 2, 3], 1), PROMPT), [
        2,
        3,
        4,
      ]);
    }
  },
);

workerTest(
  "Pool: random mixes of faults over applies and maps: all settle, typed, none runs twice",
  async () => {
    // One pool for every run: it has to survive all of them.
    await using pool = new Pool(2, { imports });
    const fault = faultOrNone(3, 2);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fault, { minLength: 1, maxLength: 12 }),
        fc.constantFrom("apply", "starmap", "imap"),
        fc.integer({ min: 1, max: 3 }),
        async (faults, how, chunksize) => {
          const runs = counters(faults.length);
          const args = faults.map((f, id) => [runs, id, f] as [Int32Array, number, Fault]);
          if (how === "apply") {
            await applyEach(pool, faults, runs);
          } else {
            const firstFailure = faults.findIndex((f) => !MAY_SUCCEED.has(f));
            let error: unknown;
            let got: unknown[] = [];
            try {
              if (how === "starmap") {
                got = await within(pool.starmap(faulty, args, chunksize), PROMPT);
              } else {
                const it = pool.imap(faultyItem, args, { chunksize });
                await within(
                  (async () => {
                    for await (const value of it) got.push(value);
                  })(),
                  PROMPT,
                );
              }
            } catch (e) {
              error = e;
            }
            if (error === undefined) {
              // Only the faults that may answer: every result, in order.
              assert.ok(faults.every((f) => MAY_SUCCEED.has(f)), `${how} succeeded`);
              assert.deepEqual(got, args.map(([, id]) => id * 2));
            } else {
              assert.ok(
                error instanceof WorkerCrashedError || error instanceof RemoteError,
                `${how}: got ${error}`,
              );
              if (firstFailure === -1) {
                // Only "exit just after answering": the worker may die before the answer.
                assert.ok(error instanceof WorkerCrashedError);
              }
              // imap yields the results before the failing chunk.
              if (how === "imap") {
                got.forEach((value, i) => assert.equal(value, i * 2, `imap result ${i}`));
              }
            }
            // The chunks of a failed map still settle; none runs twice.
            await pool.apply(() => 0); // a task behind them all
            faults.forEach((f, id) => assert.ok(runs[id]! <= 1, `task ${id} (${f}) ran twice`));
          }
          // The pool goes on working, with its two workers.
          assert.deepEqual(await within(pool.map((x: number) => x * 3, [1, 2, 3, 4], 1), PROMPT), [
            3,
            6,
            9,
            12,
          ]);
        },
      ),
      { numRuns: 60 },
    );
  },
);

workerTest(
  "Pool: random faults among hundreds of applies awaited together (many to a message): " +
    "only the faulty fail, typed; none runs twice; the calls not started run elsewhere",
  async () => {
    await using pool = new Pool(2, { imports });
    // A few faults among many fault-free calls, so messages of several calls carry them.
    const fault = faultOrNone(60, 1);
    await fc.assert(
      fc.asyncProperty(fc.array(fault, { minLength: 50, maxLength: 600 }), async (faults) => {
        await applyEach(pool, faults, counters(faults.length));
      }),
      { numRuns: 25 },
    );
  },
);

workerTest("Pool: a Pool(1) survives a long run of deaths, one after another", async () => {
  await using pool = new Pool(1, { imports });
  const runs = counters(FAULTS.length * 3);
  const calls = [...FAULTS, ...FAULTS, ...FAULTS].map((how, id) => ({ how, id }));
  const outcomes = await within(
    Promise.allSettled(calls.map(({ how, id }) => pool.apply(faulty, [runs, id, how]))),
    PROMPT * 2,
  );
  // Each "exit just after answering" may take the next task with it (see checkOutcome).
  outcomes.forEach((outcome, i) => {
    const after = i > 0 && calls[i - 1]!.how === "exit just after answering";
    checkOutcome(calls[i]!.how, i, outcome, after);
    if (after && outcome.status === "rejected") assert.ok(runs[i]! <= 1, `task ${i} ran twice`);
    else assert.equal(runs[i], 1, `task ${i} (${calls[i]!.how}) runs`);
  });
  assert.deepEqual(await within(pool.map((x: number) => -x, [1, 2]), PROMPT), [-1, -2]);
});

for (const how of ["exit", "close", "throw"] as const) {
  workerTest(`Pool: an initializer that dies by ${how} breaks the pool, promptly`, async () => {
    const runs = counters(1);
    await using pool = new Pool(2, {
      imports,
      initializer: faultyInit,
      initargs: [runs, how, 1e9],
    });
    const calls = [
      pool.apply(faulty, [counters(1), 0, "none"]),
      pool.map((x: number) => x, [1, 2, 3]),
      pool.starmap(faulty, [[counters(1), 0, "none"]]),
    ];
    for (const outcome of await within(Promise.allSettled(calls), PROMPT)) {
      assert.equal(outcome.status, "rejected");
      assert.ok(outcome.reason instanceof BrokenPoolError, `got ${outcome.reason}`);
    }
    // A broken pool starts no more workers: the initializer ran a bounded number of times.
    const ran = Atomics.load(runs, 0);
    assert.ok(ran >= 1 && ran <= 6, `the initializer ran ${ran} times`);
    await assert.rejects(pool.apply(() => 1), BrokenPoolError);
  });
}

for (const how of ["exit", "close", "throw", "escape"] as const) {
  workerTest(
    `Pool: an initializer that dies by ${how} in the first worker only: the pool works`,
    async () => {
      const runs = counters(1);
      await using pool = new Pool(2, {
        imports,
        initializer: faultyInit,
        initargs: [runs, how, 1],
      });
      const outcome = await within(
        pool.map((x: number) => x * 2, [1, 2, 3, 4], 1).catch((e) => e),
        PROMPT,
      );
      if (how === "throw") {
        // An initializer that throws is Python's broken pool, whichever worker.
        assert.ok(outcome instanceof BrokenPoolError, `got ${outcome}`);
      } else {
        assert.deepEqual(outcome, [2, 4, 6, 8]);
        assert.deepEqual(await within(pool.map((x: number) => x + 1, [1]), PROMPT), [2]);
      }
    },
  );
}

workerTest(
  "Parallel: a call that dies fails the run with a typed error; it runs again",
  async () => {
    await using parallel = Parallel({ nJobs: 2, imports });
    for (const how of FAULTS) {
      const runs = counters(8);
      const calls = Array.from(
        { length: 8 },
        (_, id) => delayed(faulty)(runs, id, id === 5 ? how : "none"),
      );
      const outcome = await within(
        parallel(calls).then((v) => ({ ok: true, v }), (e) => ({ ok: false, e })),
        PROMPT,
      );
      if (outcome.ok) {
        assert.ok(MAY_SUCCEED.has(how), `${how}: the run succeeded`);
      } else {
        const error = (outcome as { e: unknown }).e;
        if (TASK_ERRORS.has(how)) assert.ok(error instanceof RemoteError, `${how}: got ${error}`);
        else assert.ok(error instanceof WorkerCrashedError, `${how}: got ${error}`);
      }
      for (let id = 0; id < 8; id++) assert.ok(runs[id]! <= 1, `${how}: call ${id} ran twice`);
      // The same Parallel carries on.
      const again = await within(
        parallel([1, 2, 3].map((x) => delayed((y: number) => -y)(-x))),
        PROMPT,
      );
      assert.deepEqual(again, [1, 2, 3]);
    }
  },
);

workerTest("Process: every fault ends the process promptly, with an exit code", async () => {
  for (const how of FAULTS) {
    const runs = counters(2);
    const p = new Process({
      target: faultyTarget,
      args: [runs, 1, how],
      imports,
      console: "inherit",
    });
    p.start();
    await within(p.join(), PROMPT);
    assert.equal(p.isAlive(), false, how);
    assert.equal(typeof p.exitCode, "number", `${how}: exitCode ${p.exitCode}`);
    assert.equal(Atomics.load(runs, 1), 1, `${how}: the target ran ${runs[1]} times`);
  }
  assert.equal(liveWorkers(), 0);
});

workerTest("Process: many processes dying at once all end; none runs twice", async () => {
  const runs = counters(FAULTS.length * 2);
  const all = [...FAULTS, ...FAULTS].map((how, id) =>
    new Process({ target: faultyTarget, args: [runs, id, how], imports, console: "inherit" })
  );
  for (const p of all) p.start();
  await within(Promise.all(all.map((p) => p.join())), PROMPT * 2);
  for (const [id, p] of all.entries()) {
    assert.equal(p.isAlive(), false);
    assert.equal(typeof p.exitCode, "number");
    assert.equal(runs[id], 1);
  }
});
