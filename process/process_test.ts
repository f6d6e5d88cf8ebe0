import assert from "node:assert/strict";
import { FunctionTransportError } from "../errors.ts";
import { liveWorkers, workerTest } from "../tests/_helpers.ts";
import { transfer } from "../_internal/shareable.ts";
import { SharedArray } from "../shared/array.ts";
import { activeChildren } from "./active_children.ts";
import { currentProcess } from "./current_process.ts";
import { Process } from "./process.ts";
import type { ProcessOptions } from "./process_options.ts";

/** Captures what this thread's console prints (forwarded output included) while `fn` runs. */
async function capturing(fn: () => Promise<void>): Promise<{ out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...args: unknown[]) => out.push(args.join(" "));
  console.error = (...args: unknown[]) => err.push(args.join(" "));
  try {
    await fn();
  } finally {
    console.log = log;
    console.error = error;
  }
  return { out, err };
}

Deno.test("new Process() numbers its name in the program-wide sequence; no ident yet", () => {
  const a = new Process({ target: () => {} });
  const b = new Process({ target: () => {} });
  const n = Number(/^Process-(\d+)$/.exec(a.name)![1]);
  assert.equal(b.name, `Process-${n + 1}`);
  assert.equal(new Process({ target: () => {}, name: "Test" }).name, "Test");
  assert.equal(a.ident, null);
  assert.equal(a.exitCode, null);
  assert.equal(a.isAlive(), false);
  assert.equal(a.daemon, false);
});

workerTest("start() runs the target with its args; an async target is awaited", async () => {
  const out = SharedArray("i", 2);
  const p = new Process({
    target: async (a: typeof out, x: number, y: number) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      a[0] = x + y;
      a[1] = 1;
    },
    args: [out, 40, 2],
  });
  p.start();
  assert.equal(p.isAlive(), true);
  assert.equal(typeof p.ident, "number");
  await p.join();
  assert.deepEqual([...out], [42, 1]);
  assert.equal(p.exitCode, 0);
  assert.equal(p.isAlive(), false);
  assert.equal(liveWorkers(), 0);
});

workerTest("currentProcess() in the target names the process and gives its ident", async () => {
  const out = SharedArray("i", 2);
  const target = (a: typeof out) => {
    const me = currentProcess();
    a[0] = me.ident;
    a[1] = me.daemon ? 1 : 0;
    console.log(me.name);
  };
  for (const daemon of [false, true]) {
    // currentProcess is in scope in the worker, as every name of the library.
    const p = new Process({ target, args: [out], daemon });
    const { out: printed } = await capturing(async () => {
      p.start();
      await p.join();
    });
    assert.deepEqual(printed, [p.name]);
    assert.equal(out[0], p.ident);
    assert.equal(out[1], daemon ? 1 : 0);
    assert.notEqual(p.ident, currentProcess().ident);
  }
});

workerTest("a target's return value is ignored, even one that cannot be cloned", async () => {
  const p = new Process({ target: () => () => "a function" });
  p.start();
  await p.join();
  assert.equal(p.exitCode, 0);
});

workerTest("context gives a by-value target its free variables", async () => {
  const out = SharedArray("d", 1);
  const scale = 2.5;
  const twice = (x: number) => 2 * x;
  const p = new Process({
    target: (a: typeof out) => {
      a[0] = twice(scale);
    },
    args: [out],
    context: { scale, twice },
  });
  p.start();
  await p.join();
  assert.equal(out[0], 5);
});

workerTest("a target with a free variable ends with 1 and prints both fixes", async () => {
  const missing = 1;
  const p = new Process({ target: () => missing, name: "Lost" });
  const { err } = await capturing(async () => {
    p.start();
    await p.join();
  });
  assert.equal(p.exitCode, 1);
  assert.equal(err.length, 1);
  assert.match(err[0]!, /^Process Lost:\nFunctionTransportError: .*"missing"/);
  assert.match(err[0]!, /context/);
});

workerTest(
  "a target that throws ends with 1; its error is printed as Python prints it",
  async () => {
    const p = new Process({
      target: () => {
        throw new TypeError("bad input");
      },
    });
    const { out, err } = await capturing(async () => {
      p.start();
      await p.join();
    });
    assert.equal(p.exitCode, 1);
    assert.deepEqual(out, []);
    assert.match(err[0]!, new RegExp(`^Process ${p.name}:\\nTypeError: bad input\\n +at `));
  },
);

workerTest("console: the target's output is printed here, tagged on request", async () => {
  for (const mode of ["forward", "tagged"] as const) {
    const p = new Process({
      target: () => {
        console.log("hello", { bob: [1] });
        console.warn("careful\nnow");
      },
      console: mode,
    });
    const { out, err } = await capturing(async () => {
      p.start();
      await p.join();
    });
    const tag = mode === "tagged" ? `[${p.name}] ` : "";
    // (Without the colors Deno's console adds on a terminal.)
    // deno-lint-ignore no-control-regex
    assert.deepEqual(out.map((line) => line.replace(/\x1b\[[0-9;]*m/g, "")), [
      `${tag}hello { bob: [ 1 ] }`,
    ]);
    assert.deepEqual(err, [`${tag}careful\n${tag}now`]);
  }
});

workerTest(
  "start() twice throws InvalidStateError; so does changing daemon after start",
  async () => {
    const p = new Process({ target: () => {} });
    p.daemon = true;
    assert.equal(p.daemon, true);
    p.daemon = false;
    p.start();
    assert.throws(() => p.start(), (e: unknown) => {
      assert.ok(e instanceof DOMException);
      assert.equal(e.name, "InvalidStateError");
      assert.match(e.message, /was started already.*make a new Process/);
      return true;
    });
    assert.throws(() => {
      p.daemon = true;
    }, { name: "InvalidStateError", message: /before start\(\)/ });
    await p.join();
    assert.throws(() => p.start(), { name: "InvalidStateError" });
  },
);

workerTest("join() before start() rejects with InvalidStateError", async () => {
  const p = new Process({ target: () => {} });
  await assert.rejects(p.join(), { name: "InvalidStateError", message: /call start\(\) first/ });
  await assert.rejects(p.join({ timeout: NaN }), RangeError);
  // deno-lint-ignore no-explicit-any
  await assert.rejects(p.join({ signal: "no" as any }), TypeError);
});

const badOptions: [string, unknown, ErrorConstructor, RegExp][] = [
  // No options at all is Python's Process(): it runs nothing (see tests/process_test.ts).
  ["null options", null, TypeError, /"options" must be an object with a "target"/],
  [
    "an unknown option",
    { target: () => {}, arg: [1] },
    TypeError,
    /unknown option "arg" \(did you mean "args"\?\)/,
  ],
  ["a target that is no function", { target: "f" }, TypeError, /"target" must be a function/],
  [
    "args that are no array",
    { target: () => {}, args: "bob" },
    TypeError,
    /"args" must be an array/,
  ],
  ["an empty name", { target: () => {}, name: "" }, TypeError, /"name" must be a non-empty/],
  ["a daemon that is no boolean", { target: () => {}, daemon: 1 }, TypeError, /"daemon" must be/],
  ["a bad console mode", { target: () => {}, console: "loud" }, RangeError, /"console" must be/],
  ["imports that are no array", { target: () => {}, imports: "x.ts" }, TypeError, /"imports"/],
  [
    "a context that cannot be sent",
    { target: () => {}, context: { s: Symbol("s") } },
    TypeError,
    /"context" cannot be sent/,
  ],
];

for (const [what, options, type, message] of badOptions) {
  Deno.test(`new Process() with ${what} throws ${type.name}`, () => {
    assert.throws(() => new Process(options as ProcessOptions), (e: unknown) => {
      assert.ok(e instanceof type, String(e));
      assert.match((e as Error).message, message);
      return true;
    });
  });
}

Deno.test("new Process() with a built-in target throws FunctionTransportError", () => {
  assert.throws(() => new Process({ target: Math.sqrt }), FunctionTransportError);
});

workerTest(
  "args that cannot be sent: start() throws TypeError, nothing is left running",
  async () => {
    const p = new Process({ target: (f: () => number) => f(), args: [() => 1] });
    assert.throws(() => p.start(), {
      name: "TypeError",
      message: /"args" of Process-\d+ cannot be sent/,
    });
    assert.equal(p.isAlive(), false);
    await assert.rejects(p.join(), { name: "InvalidStateError" });
    assert.equal(p.ident, null);
    assert.deepEqual(activeChildren(), []);
    assert.equal(liveWorkers(), 0);
  },
);

workerTest("transfer() moves a buffer into the process", async () => {
  const data = new Float64Array([1, 2, 3]);
  const out = SharedArray("d", 1);
  const p = new Process({
    target: (a: Float64Array, o: typeof out) => {
      o[0] = a.reduce((s, x) => s + x, 0);
    },
    args: [transfer(data, [data.buffer]), out],
  });
  p.start();
  await p.join();
  assert.equal(out[0], 6);
  assert.equal(data.length, 0);
});

workerTest("join({ timeout }) returns quietly while the process runs on", async () => {
  const p = new Process({ target: () => new Promise(() => {}) });
  p.start();
  const started = performance.now();
  await p.join({ timeout: 100 });
  assert.ok(performance.now() - started >= 90);
  assert.equal(p.isAlive(), true);
  assert.equal(p.exitCode, null);
  await p.join({ timeout: 0 });
  assert.equal(p.isAlive(), true);
  p.terminate();
  assert.equal(p.exitCode, -15);
  await p.join({ timeout: 100_000 }); // ended: at once, no timer left behind
});

workerTest("join({ signal }) rejects when aborted; the process runs on", async () => {
  const p = new Process({ target: () => new Promise(() => {}) });
  p.start();
  const controller = new AbortController();
  const joining = p.join({ signal: controller.signal });
  controller.abort();
  await assert.rejects(joining, { name: "AbortError" });
  assert.equal(p.isAlive(), true);
  await assert.rejects(p.join({ signal: AbortSignal.abort() }), { name: "AbortError" });
  p.kill();
  assert.equal(p.exitCode, -9);
});

workerTest("await using terminates a process still running at the end of the block", async () => {
  let kept: Process | undefined;
  {
    await using p = new Process({ target: () => new Promise(() => {}) });
    p.start();
    kept = p;
  }
  assert.equal(kept.exitCode, -15);
  assert.equal(liveWorkers(), 0);
  {
    // A process never started is left as it is.
    await using q = new Process({ target: () => {} });
    kept = q;
  }
  assert.equal(kept.exitCode, null);
});

workerTest("a process is shown as Python's repr shows it", async () => {
  const p = new Process({ target: () => new Promise(() => {}), name: "Shown", daemon: true });
  assert.equal(Deno.inspect(p), `<Process name="Shown" initial daemon>`);
  p.start();
  assert.equal(Deno.inspect(p), `<Process name="Shown" ident=${p.ident} started daemon>`);
  p.terminate();
  assert.equal(
    Deno.inspect(p),
    `<Process name="Shown" ident=${p.ident} stopped exitCode=-SIGTERM daemon>`,
  );
  await p.join();
});
