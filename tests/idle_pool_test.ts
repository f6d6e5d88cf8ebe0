// A pool left open at the end of a script does not keep the program running (Python's pool
// workers are daemonic), while work in flight does. Each script runs as a program of its own;
// one that never ended would be stopped (and fail the test) after 60 s.
import assert from "node:assert/strict";
import { runProgram } from "./_program.ts";

for (
  const [kind, what, expected] of [
    ["pool", "that leaves a pool it mapped on open", "[1,4,9]"],
    ["unused", "that leaves a pool it never used open", "made"],
    ["parallel", "that leaves a Parallel holding its workers open", "[1,4,9]"],
    ["manager", "that leaves a manager open", '[["a",1]]'],
    ["shm", "whose open pool attached shared memory by name", "16"],
    ["busy", "with a task it never awaited, once the task is done", "the task ran to its end"],
  ] as const
) {
  Deno.test(`a script ${what} ends`, async () => {
    const { code, stdout, stderr } = await runProgram("idle_pool.ts", kind);
    assert.equal(code, 0, stderr);
    assert.equal(stdout.trim(), expected);
  });
}
