/**
 * `maxMemoryPerChild`: a worker whose memory grows past the limit after a task is retired and
 * replaced, with every task run exactly once.
 */

import assert from "node:assert/strict";
import { currentProcess, Pool } from "../mod.ts";
import { LEAK_BYTES, leakBuffer, leakHeap } from "./fixtures/leak_tasks.ts";
import { liveWorkers, workerTest } from "./_helpers.ts";

const leaks = new URL("./fixtures/leak_tasks.ts", import.meta.url);
const LIMIT = 48_000_000;
/** Calls a worker can keep (8 MB each) before it holds more than the limit, whatever else. */
const MOST_PER_WORKER = Math.ceil(LIMIT / LEAK_BYTES) + 1;

/** The lengths of the runs of equal idents, in order: how many calls each worker ran. */
function runLengths(idents: number[]): number[] {
  const lengths: number[] = [];
  idents.forEach((ident, i) => {
    if (i > 0 && ident === idents[i - 1]) lengths[lengths.length - 1]!++;
    else lengths.push(1);
  });
  return lengths;
}

// deno-lint-ignore no-explicit-any
const loose = (x: unknown): any => x;

for (const [what, leak] of [["its heap", leakHeap], ["ArrayBuffers", leakBuffer]] as const) {
  workerTest(`maxMemoryPerChild replaces a worker that leaks ${what}`, async () => {
    await using pool = new Pool(1, { imports: [leaks], maxMemoryPerChild: LIMIT });
    const idents: number[] = [];
    for (let i = 0; i < 16; i++) {
      const answer = await pool.apply(leak, [i]);
      assert.equal(answer.i, i);
      idents.push(answer.ident);
    }
    const lengths = runLengths(idents);
    assert.equal(new Set(idents).size, lengths.length, "a retired worker never comes back");
    assert.ok(lengths.length >= 2, `the worker was replaced: ${idents}`);
    assert.ok(lengths.every((n) => n <= MOST_PER_WORKER), `each worker ran ${lengths}`);
    assert.equal(liveWorkers(), 1);
  });
}

workerTest(
  "maxMemoryPerChild: a map pipelined into a retiring worker runs every task exactly once",
  async () => {
    for (const processes of [1, 2]) {
      await using pool = new Pool(processes, { imports: [leaks], maxMemoryPerChild: "48MB" });
      const n = 40;
      const runs = new Int32Array(new SharedArrayBuffer(4 * n));
      const xs = Array.from({ length: n }, (_, i) => i);
      const answers = await pool.starmap(leakHeap, xs.map((i) => [i, runs]), 1);
      assert.deepEqual(answers.map((a) => a.i), xs, "results in order");
      assert.deepEqual([...runs], xs.map(() => 1), "each task ran once");
      assert.ok(new Set(answers.map((a) => a.ident)).size > processes, "workers were replaced");
      assert.equal(liveWorkers(), processes);
    }
  },
);

workerTest("without maxMemoryPerChild a leaking worker is kept", async () => {
  await using pool = new Pool(1, { imports: [leaks] });
  const idents = [];
  for (let i = 0; i < 4; i++) idents.push((await pool.apply(leakHeap, [i])).ident);
  assert.equal(new Set(idents).size, 1);
});

Deno.test("maxMemoryPerChild is ignored by the inline backend, which shares this heap", async () => {
  await using pool = new Pool(1, { backend: "inline", maxMemoryPerChild: 1 });
  const idents = [];
  for (let i = 0; i < 3; i++) idents.push(await pool.apply(() => currentProcess().ident));
  assert.equal(new Set(idents).size, 1);
});

Deno.test("maxMemoryPerChild replaces a leaking subprocess worker", async () => {
  await using pool = new Pool(1, {
    backend: "subprocess",
    imports: [leaks],
    maxMemoryPerChild: "40MB",
  });
  // Each child process numbers its workers itself (ident 1): tell them apart by process.
  const pids = [];
  for (let i = 0; i < 8; i++) pids.push((await pool.apply(leakHeap, [i])).pid);
  assert.ok(new Set(pids).size >= 2, `the worker was replaced: ${pids}`);
  assert.ok(!pids.includes(Deno.pid));
});

Deno.test("maxMemoryPerChild rejects bad values with typed errors naming it", () => {
  const bad: [unknown, ErrorConstructor | RangeErrorConstructor | TypeErrorConstructor, RegExp][] =
    [
      [0, RangeError, /whole number of bytes, at least 1, got 0/],
      [-1, RangeError, /got -1/],
      [1.5, RangeError, /got 1\.5/],
      [NaN, RangeError, /got NaN/],
      ["1000", TypeError, /the string "1000" \(write 1000 without quotes, or give a unit/],
      [true, TypeError, /got the boolean true/],
      [{}, TypeError, /got an object/],
      ["lots", RangeError, /got the string "lots"/],
      ["12 XB", RangeError, /unknown unit "XB"/],
      ["0MB", RangeError, /at least 1 byte, got "0MB"/],
      ["-5MB", RangeError, /got the string "-5MB"/],
    ];
  for (const [value, type, message] of bad) {
    assert.throws(
      () => new Pool(1, { maxMemoryPerChild: loose(value) }),
      (error) => {
        assert.ok(error instanceof type, `${String(value)}: ${error}`);
        assert.match((error as Error).message, /"maxMemoryPerChild"/);
        assert.match((error as Error).message, message);
        return true;
      },
    );
  }
});
