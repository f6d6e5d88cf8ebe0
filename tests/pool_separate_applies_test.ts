/**
 * Separate `apply` calls awaited together (thousands queued at once):
 * each still settles on its own, runs exactly once, and one that throws or a worker that dies
 * fails only what it must.
 */
import assert from "node:assert/strict";
import { Pool, RemoteError, WorkerCrashedError } from "../mod.ts";
import { workerTest } from "./_helpers.ts";

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
