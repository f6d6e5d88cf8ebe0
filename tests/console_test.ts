/**
 * Console forwarding, seen from outside: each test runs a program of `fixtures/` in a Deno
 * process of its own and reads what it printed. A worker's output reaches the program's
 * stdout and stderr through the program's console (the only way it reaches a Jupyter cell).
 */

import assert from "node:assert/strict";
import { lines, runProgram } from "./_program.ts";

/** The lines of `all` that start with `prefix`, in order. */
function startingWith(all: string[], prefix: string): string[] {
  return all.filter((line) => line.startsWith(prefix));
}

Deno.test("forwarded output is printed by the parent, in order per worker, before the result", async () => {
  const out = await runProgram("print_pool.ts", "forward");
  assert.equal(out.code, 0, out.stderr);
  const stdout = lines(out.stdout);
  // Every line went through the parent's console.log, and none went around it.
  assert.deepEqual(stdout.filter((line) => !line.startsWith("parent: ")), ["results 1,2,3,4"]);
  assert.equal(stdout.at(-1), "results 1,2,3,4");
  for (const x of [1, 2, 3, 4]) {
    assert.deepEqual(startingWith(stdout, `parent: task ${x} `), [
      `parent: task ${x} line 1`,
      `parent: task ${x} line 2`,
      `parent: task ${x} line 3`,
    ]);
  }
  // console.error goes to stderr, through the parent's console.error.
  assert.deepEqual(
    lines(out.stderr).sort(),
    [1, 2, 3, 4].map((x) => `parent: task ${x} on stderr`),
  );
});

Deno.test(`console: "tagged" prefixes every line with the worker's name`, async () => {
  const out = await runProgram("print_pool.ts", "tagged");
  assert.equal(out.code, 0, out.stderr);
  const stdout = lines(out.stdout);
  assert.equal(stdout.at(-1), "results 1,2,3,4");
  const tagged = stdout.slice(0, -1);
  assert.equal(tagged.length, 12);
  for (const line of tagged) assert.match(line, /^parent: \[PoolWorker-\d+\] task \d line \d$/);
  // One worker's lines come in the order it printed them: its tasks one after another, each
  // task's three lines (a console.log, then a console.info of two lines) together.
  const byWorker = Map.groupBy(tagged, (line) => /\[(.*?)\]/.exec(line)![1]);
  assert.equal(byWorker.size, 2);
  for (const [tag, own] of byWorker) {
    for (let i = 0; i < own.length; i += 3) {
      const x = /task (\d)/.exec(own[i]!)![1];
      assert.deepEqual(
        own.slice(i, i + 3),
        [1, 2, 3].map((n) => `parent: [${tag}] task ${x} line ${n}`),
      );
    }
  }
  for (const line of lines(out.stderr)) {
    assert.match(line, /^parent: \[PoolWorker-\d+\] task \d on stderr$/);
  }
});

Deno.test(`console: "inherit" leaves the workers to write to stdout themselves`, async () => {
  const out = await runProgram("print_pool.ts", "inherit");
  assert.equal(out.code, 0, out.stderr);
  const stdout = lines(out.stdout);
  assert.equal(stdout.length, 13);
  assert.equal(startingWith(stdout, "parent:").length, 0);
  assert.equal(stdout.filter((line) => /^task \d line \d$/.test(line)).length, 12);
  assert.deepEqual(lines(out.stderr).sort(), [1, 2, 3, 4].map((x) => `task ${x} on stderr`));
});

Deno.test("a worker's output is formatted exactly as Deno's console formats it", async () => {
  const out = await runProgram("print_pool.ts", "forward", "formatted");
  assert.equal(out.code, 0, out.stderr);
  const [main, worker] = out.stdout.split("--- worker\n");
  assert.equal(worker, main!.replace("--- main\n", ""));
  assert.match(worker!, /Bob is 42 years and 0\.5% \{ a: \[ 1, "b" \] \} tail/);
  assert.match(worker!, /┌───────┬───┬─────┐/); // console.table
  assert.match(worker!, /^ {2}inside\n {2}the group$/m); // console.group
  const [mainErr, workerErr] = out.stderr.split("--- worker\n");
  assert.equal(workerErr, mainErr!.replace("--- main\n", ""));
  assert.equal(workerErr, "warned\nAssertion failed: asserted wrongly\n");
  // Output to a pipe has no colors, as Deno's own console would print it.
  assert.equal(out.stdout.includes("\x1b["), false);
});

for (const kind of ["process", "pool"]) {
  for (const how of ["close", "exit", "uncaught", "rejection", "throw"]) {
    Deno.test(`a ${kind} worker that dies by "${how}" right after printing loses no line`, async () => {
      const out = await runProgram("print_crash.ts", kind, how);
      assert.equal(out.code, 0, out.stderr);
      const stdout = lines(out.stdout);
      const expected = Array.from({ length: 50 }, (_, i) => `line ${i + 1}`);
      assert.deepEqual(stdout.slice(0, 50), expected, "each line once, in order");
      assert.equal(stdout.length, 51);
      assert.equal(startingWith(lines(out.stderr), "last words").length, 1);
      if (kind === "process") {
        const code = { close: 0, exit: 4, uncaught: 1, rejection: 1, throw: 1 }[how];
        assert.equal(stdout[50], `exit code ${code}`);
      } else {
        assert.equal(
          stdout[50],
          `task ended: ${how === "throw" ? "RemoteError" : "WorkerCrashedError"}`,
        );
      }
    });
  }
}

Deno.test("a nested worker's output reaches the top: a process started by a process", async () => {
  const out = await runProgram("print_nested.ts", "process-in-process");
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(lines(out.stdout), [
    "hello alice",
    "child Process-2 ended with 0",
    "top ended with 0",
  ]);
});

Deno.test("nested output is tagged with the name of the worker the program started", async () => {
  const out = await runProgram("print_nested.ts", "process-in-process", "tagged");
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(lines(out.stdout), [
    "[Process-1] hello alice",
    "[Process-1] child Process-2 ended with 0",
    "top ended with 0",
  ]);
});

Deno.test("a nested worker's output reaches the top: a process started by a pool worker", async () => {
  const out = await runProgram("print_nested.ts", "process-in-pool", "tagged");
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(lines(out.stdout), [
    "[PoolWorker-1] hello carol",
    "[PoolWorker-1] child Process-2 ended with 0",
    "pool task done",
  ]);
});

Deno.test("a nested worker's output reaches the top: a pool started by a process", async () => {
  const out = await runProgram("print_nested.ts", "pool-in-process");
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(lines(out.stdout), ["1 4 9", "top ended with 0"]);
});

Deno.test("a Process forwards, tags or leaves its output as its console option says", async () => {
  const expected = {
    forward: ["parent: task 9 line ", "parent: task 9 on stderr"],
    tagged: ["parent: [Process-3] task 9 line ", "parent: [Process-3] task 9 on stderr"],
    inherit: ["task 9 line ", "task 9 on stderr"],
  };
  for (const [mode, [line, error]] of Object.entries(expected)) {
    const out = await runProgram("print_pool.ts", mode, "process");
    assert.equal(out.code, 0, out.stderr);
    // Process-1 and -2 are the program's pool workers.
    assert.deepEqual(lines(out.stdout), [`${line}1`, `${line}2`, `${line}3`, "exit code 0"], mode);
    assert.deepEqual(lines(out.stderr), [error], mode);
  }
});
