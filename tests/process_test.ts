/**
 * `Process` across real workers: tutorial 003's examples as programs, targets by reference,
 * every way a process can end (promptly), nesting, daemonic processes, and locks left behind.
 */

import assert from "node:assert/strict";
import {
  activeChildren,
  Event,
  Lock,
  parentProcess,
  Pool,
  Process,
  Queue,
  SharedArray,
  Value,
} from "../mod.ts";
import { delay, liveWorkers, workerTest } from "./_helpers.ts";
import { lines, runProgram } from "./_program.ts";
import * as tasks from "./fixtures/process_tasks.ts";
import { Counter, Failing, hidden, SlowCounter } from "./fixtures/process_subclass.ts";

const imports = [new URL("./fixtures/process_tasks.ts", import.meta.url)];

/** Runs `target(...args)` in a process importing the tasks module; resolves when it ended. */
async function run(
  target: (...args: never[]) => unknown,
  args: unknown[] = [],
  extra: { daemon?: boolean } = {},
): Promise<Process> {
  const p = new Process({ target, args, imports, ...extra });
  p.start();
  await p.join();
  return p;
}

/** Captures what this thread's console.error prints while `fn` runs. */
async function capturingStderr(fn: () => Promise<void>): Promise<string[]> {
  const printed: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => printed.push(args.join(" "));
  try {
    await fn();
  } finally {
    console.error = original;
  }
  return printed;
}

Deno.test("tutorial 003: Process(target=f, args=('bob',)) prints hello bob", async () => {
  const out = await runProgram("print_tutorial.ts", "hello");
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, "hello bob\n");
  assert.equal(out.stderr, "");
});

for (const example of ["queue", "pipe"]) {
  Deno.test(`tutorial 003: exchanging objects between processes through a ${example}`, async () => {
    const out = await runProgram("print_tutorial.ts", example);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, `${Deno.inspect([42, null, "hello"])}\n`);
  });
}

Deno.test("tutorial 003: ten processes print under a lock, and the program waits for them", async () => {
  const out = await runProgram("print_tutorial.ts", "lock");
  assert.equal(out.code, 0, out.stderr);
  // Each process printed its number once, on a line of its own; the order is the scheduler's.
  assert.deepEqual(lines(out.stdout).map(Number).sort((a, b) => a - b), [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
  ]);
});

Deno.test("tutorial 003: ten processes print without a lock", async () => {
  const out = await runProgram("print_tutorial.ts", "nolock");
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(lines(out.stdout).map(Number).sort((a, b) => a - b), [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
  ]);
});

Deno.test("tutorial 003: shared memory between processes (Value, Array)", async () => {
  const out = await runProgram("print_tutorial.ts", "shared");
  assert.equal(out.code, 0, out.stderr);
  const negated = Array.from({ length: 10 }, (_, i) => i === 0 ? 0 : -i);
  assert.equal(out.stdout, `3.1415927\n${Deno.inspect(negated)}\n`);
});

Deno.test("tutorial 003: '5 doubled to 10 by: Process-2', names numbered as Python's", async () => {
  const out = await runProgram("print_tutorial.ts", "doubler");
  assert.equal(out.code, 0, out.stderr);
  // The first Process, made but never started, took number 1, as in Python.
  assert.deepEqual(lines(out.stdout).sort(), [
    "10 doubled to 20 by: Process-3",
    "15 doubled to 30 by: Process-4",
    "2 doubled to 4 by: Test",
    "20 doubled to 40 by: Process-5",
    "25 doubled to 50 by: Process-6",
    "5 doubled to 10 by: Process-2",
  ]);
});

workerTest("a target found by reference uses its module's constants", async () => {
  const printed: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => printed.push(args.join(" "));
  try {
    const p = await run(tasks.greet, ["bob"]);
    assert.equal(p.exitCode, 0);
  } finally {
    console.log = original;
  }
  assert.deepEqual(printed, ["hello bob"]);
});

workerTest("Value and Array arguments are the same memory in the process", async () => {
  const num = Value("d", 0);
  const arr = SharedArray("i", [0, 1, 2, 3, 4]);
  const p = await run(tasks.negate, [num, arr]);
  assert.equal(p.exitCode, 0);
  assert.equal(num.value, 3.1415927);
  assert.deepEqual([...arr], [0, -1, -2, -3, -4]);
});

const ends: [string, (...args: never[]) => unknown, unknown[], number, RegExp | null][] = [
  ["the target returns", tasks.square, [3], 0, null],
  [
    "the target throws",
    tasks.fail,
    ["boom"],
    1,
    /^Process Process-\d+:\nRangeError: boom\n +at fail /,
  ],
  ["Deno.exit(5)", tasks.exitWith, [5], 5, null],
  ["Deno.exit()", tasks.exitWith, [], 0, null],
  ["self.close()", tasks.closeSelf, [], 0, null],
  ["an uncaught error outside the target", tasks.throwOutside, [], 1, /escaped the target/],
  ["an unhandled rejection", tasks.rejectUnhandled, [], 1, /nobody catches me/],
];

for (const [how, target, args, code, report] of ends) {
  workerTest(`a process that ends by ${how} has exitCode ${code}, promptly`, async () => {
    const started = performance.now();
    let p: Process | undefined;
    const printed = await capturingStderr(async () => {
      p = await run(target, args);
    });
    const elapsed = performance.now() - started;
    assert.equal(p!.exitCode, code);
    assert.equal(p!.isAlive(), false);
    assert.ok(elapsed < 5_000, `took ${elapsed} ms`); // never hangs
    if (report === null) assert.deepEqual(printed, []);
    else {
      assert.equal(printed.length, 1);
      assert.match(printed[0]!, /^Process Process-\d+:\n/);
      assert.match(printed[0]!, report);
    }
    assert.deepEqual(activeChildren(), []);
  });
}

workerTest("join({ timeout: -1 }) returns at once, as CPython's join(-1)", async () => {
  const started = new Event();
  const p = new Process({ target: tasks.waitForever, args: [started], imports });
  p.start();
  try {
    assert.equal(await started.wait({ timeout: 10_000 }), true);
    for (const timeout of [-1, -Infinity]) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const outcome = await Promise.race([
        p.join({ timeout }).then(() => "returned"),
        new Promise((resolve) => timer = setTimeout(() => resolve("still waiting"), 2_000)),
      ]);
      clearTimeout(timer);
      assert.equal(outcome, "returned");
      assert.equal(p.isAlive(), true);
    }
  } finally {
    p.kill();
  }
});

workerTest("terminate() and kill() end a running process with -15 and -9", async () => {
  for (const [stop, code] of [["terminate", -15], ["kill", -9]] as const) {
    const started = new Event();
    const p = new Process({ target: tasks.waitForever, args: [started], imports });
    p.start();
    assert.equal(await started.wait({ timeout: 10_000 }), true);
    assert.equal(p.exitCode, null);
    p[stop]();
    assert.equal(p.exitCode, code);
    assert.equal(p.isAlive(), false);
    await p.join(); // at once
    p.terminate(); // no-op once ended
    assert.equal(p.exitCode, code);
  }
});

workerTest("a lock a process never released stays held, as in Python; waits time out", async () => {
  for (const target of [tasks.keepLock, tasks.holdLockForever]) {
    const lock = new Lock();
    const taken = new Event();
    const p = new Process({ target, args: [lock, taken], imports });
    p.start();
    assert.equal(await taken.wait({ timeout: 10_000 }), true);
    if (target === tasks.holdLockForever) p.terminate();
    else await p.join();
    assert.equal(await lock.acquire({ timeout: 50 }), false, target.name);
    lock.release(); // any thread may release a Lock, as in Python
    assert.equal(await lock.acquire({ timeout: 0 }), true);
    lock.release();
  }
});

workerTest(
  "a process waits for its children: joins the plain ones, terminates daemons",
  async () => {
    const counter = SharedArray("i", 1);
    const started = performance.now();
    const p = await run(tasks.startChildrenAndReturn, [200, counter]);
    assert.equal(p.exitCode, 0);
    // It ended only once its plain child had counted; its daemonic child did not hold it up.
    assert.equal(counter[0], 1);
    assert.ok(performance.now() - started >= 200);
    assert.equal(liveWorkers(), 0);
  },
);

workerTest("a process started by a process prints, and both end with 0", async () => {
  const printed: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => printed.push(args.join(" "));
  try {
    const p = await run(tasks.greetFromChild, ["nested"]);
    assert.equal(p.exitCode, 0);
  } finally {
    console.log = original;
  }
  assert.equal(printed[0], "hello nested");
  assert.match(printed[1]!, /^child Process-\d+ ended with 0$/);
});

workerTest("a pool worker can start a process", async () => {
  await using pool = new Pool(1, { imports });
  assert.equal(await pool.apply(tasks.processFromPool, [6]), 6);
});

workerTest("a daemonic process cannot start processes, as in Python", async () => {
  let p: Process | undefined;
  const printed = await capturingStderr(async () => {
    p = await run(tasks.startChild, [], { daemon: true });
  });
  assert.equal(p!.exitCode, 1);
  assert.match(
    printed[0]!,
    /InvalidStateError: .*daemonic processes are not allowed to have children/,
  );
});

workerTest("activeChildren() lists the started processes until they end", async () => {
  assert.deepEqual(activeChildren(), []);
  const made = [0, 1, 2].map(() => new Process({ target: tasks.waitForever, imports }));
  assert.deepEqual(activeChildren(), []);
  for (const p of made) p.start();
  assert.deepEqual(activeChildren(), made);
  made[1]!.terminate();
  assert.deepEqual(activeChildren(), [made[0], made[2]]);
  const quick = new Process({ target: tasks.square, args: [2], imports });
  quick.start();
  await quick.join();
  assert.deepEqual(activeChildren(), [made[0], made[2]]);
  for (const p of made) p.kill();
  assert.deepEqual(activeChildren(), []);
});

Deno.test("a daemonic process does not keep the program running", async () => {
  const out = await runProgram("print_daemon.ts", "daemon");
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout.endsWith("main done\n"), true);
  assert.ok(out.elapsed < 10_000);
});

Deno.test("a plain process keeps the program running until it ends, as Python's", async () => {
  const out = await runProgram("print_daemon.ts", "plain");
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(lines(out.stdout), ["main done", "child finished"]);
});

Deno.test("a daemonic process being joined keeps the program running", async () => {
  const out = await runProgram("print_daemon.ts", "joined");
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(lines(out.stdout), ["child finished", "joined: 0", "main done"]);
});

workerTest("many processes at once all run and end", async () => {
  const counter = SharedArray("i", 1);
  const procs = Array.from(
    { length: 8 },
    () => new Process({ target: tasks.sleepThenCount, args: [10, counter], imports }),
  );
  for (const p of procs) p.start();
  await Promise.all(procs.map((p) => p.join()));
  assert.equal(counter[0], 8);
  assert.deepEqual(procs.map((p) => p.exitCode), Array(8).fill(0));
  await delay(0);
  assert.equal(liveWorkers(), 0);
});

workerTest(
  "parentProcess(): null in the main program, the starter in a Process, nested too",
  async () => {
    assert.equal(parentProcess(), null);
    const out = new Queue<unknown>();
    const p = await run(tasks.reportParentNested, [out]);
    assert.equal(p.exitCode, 0);
    const [mainName, mainIdent, mainAlive, ownName, ownIdent] = await out.get() as unknown[];
    assert.deepEqual([mainName, mainIdent, mainAlive], ["MainProcess", Deno.pid, true]);
    assert.deepEqual([ownName, ownIdent], [p.name, p.ident]);
    const [parentName, parentIdent, parentAlive] = await out.get() as unknown[];
    assert.deepEqual([parentName, parentIdent, parentAlive], [p.name, p.ident, true]);
  },
);

workerTest("parentProcess() in a pool worker is the main program", async () => {
  await using pool = new Pool(1, { imports });
  const out = new Queue<unknown>();
  await pool.apply(tasks.reportParent, [out]);
  const [name, ident, alive] = await out.get() as unknown[];
  assert.deepEqual([name, ident, alive], ["MainProcess", Deno.pid, true]);
});

workerTest(
  "a Process subclass overriding run(): found by reference, its fields by value",
  async () => {
    const out = new Queue<unknown>();
    const p = new Counter(3, out);
    assert.match(p.name, /^Counter-\d+$/); // named after its class, as in Python
    p.start();
    await p.join();
    assert.equal(p.exitCode, 0);
    const got = [await out.get(), await out.get(), await out.get(), await out.get()];
    assert.deepEqual(got, [1, 2, 3, [`${p.name}/${p.ident}`, p.name, true, true, false]]);
  },
);

workerTest(
  "a subclass of a subclass: async run(), super.run(), fields set after construction",
  async () => {
    const out = new Queue<unknown>();
    const p = new SlowCounter(1, out, { daemon: true });
    p.delay = 5;
    p.start();
    await p.join();
    assert.equal(p.exitCode, 0);
    assert.deepEqual([await out.get(), await out.get()], ["slow", 1]);
    assert.deepEqual((await out.get() as unknown[]).slice(1), [p.name, true, true, true]);
  },
);

workerTest("a subclass whose run() throws ends with exit code 1 and prints why", async () => {
  const p = new Failing();
  const printed = await capturingStderr(async () => {
    p.start();
    await p.join();
  });
  assert.equal(p.exitCode, 1);
  assert.match(printed.join("\n"), /run\(\) failed on purpose/);
});

workerTest(
  "a subclass its worker cannot find fails with FunctionTransportError saying to export it",
  async () => {
    const p = hidden();
    const printed = await capturingStderr(async () => {
      p.start();
      await p.join();
    });
    assert.equal(p.exitCode, 1);
    assert.match(
      printed.join("\n"),
      /FunctionTransportError: Process subclass "Hidden" cannot be found in its worker.*export the class/s,
    );
  },
);

Deno.test("a Process subclass is checked before it starts", () => {
  // @ts-expect-error: a subclass that overrides run() takes no target
  assert.throws(() => new Counter(1, new Queue(), { target: () => {} }), /overrides run\(\)/);
  const anonymous = new (class extends Process {
    override run(): void {}
  })();
  assert.throws(() => anonymous.start(), /its class is anonymous/);
  const unsendable = new Counter(1, new Queue());
  (unsendable as unknown as { fn: () => void }).fn = () => {};
  assert.throws(() => unsendable.start(), /The fields of Counter-\d+ .*cannot be sent/);
  assert.equal(unsendable.isAlive(), false);
});

workerTest(
  "a Process without a target runs nothing, as Python's; run() calls the target here",
  async () => {
    const p = new Process();
    p.start();
    await p.join();
    assert.equal(p.exitCode, 0);
    assert.equal(new Process({ target: (x: number) => x * 2, args: [21] }).run(), 42);
  },
);
