import assert from "node:assert/strict";
import { FunctionTransportError, Pool, transfer } from "../mod.ts";
import { addOffset, renamed, slowDouble } from "./fixtures/tasks.ts";
import { mapHere } from "./fixtures/caller.ts";
import { workerTest } from "./_helpers.ts";
import { runProgram } from "./_program.ts";

const tasks = new URL("./fixtures/tasks.ts", import.meta.url);

workerTest("a function exported by an imported module crosses by reference", async () => {
  await using pool = new Pool(2, { imports: [tasks] });
  // addOffset uses a module-level constant: only the module itself can provide it.
  assert.deepEqual(await pool.map(addOffset, [1, 2]), [1001, 1002]);
  assert.deepEqual(await pool.map(slowDouble, [1, 2]), [2, 4]);
  // Found by its source even when exported under another name.
  assert.deepEqual(await pool.map(renamed, [1, 2]), [1000, 2000]);
});

workerTest("by default the workers import the module that created the pool", async () => {
  assert.deepEqual(await mapHere([1, 2, 3]), [7, 14, 21]);
});

workerTest("imports may be paths relative to the creating module, or absolute", async () => {
  await using relative = new Pool(1, { imports: ["./fixtures/tasks.ts"] });
  assert.equal(await relative.apply(addOffset, [5]), 1005);
  await using absolute = new Pool(1, { imports: [tasks.pathname] });
  assert.equal(await absolute.apply(addOffset, [6]), 1006);
});

workerTest("a self-contained function crosses by value, in every syntax", async () => {
  await using pool = new Pool(1, { imports: [] });
  const shorthand = {
    triple(x: number) {
      return x * 3;
    },
    async later(x: number) {
      return await Promise.resolve(x + 1);
    },
  };
  function declared(x: number) {
    return x - 1;
  }
  assert.equal(await pool.apply(shorthand.triple, [2]), 6);
  assert.equal(await pool.apply(shorthand.later, [2]), 3);
  assert.equal(await pool.apply(declared, [2]), 1);
  assert.equal(
    await pool.apply(function (x: number) {
      return x * x;
    }, [5]),
    25,
  );
  assert.equal(await pool.apply(async (x: number) => await Promise.resolve(x * 2), [4]), 8);
});

workerTest("a free variable is named, with both fixes", async () => {
  const scale = 3;
  await using pool = new Pool(1, { imports: [tasks] });
  const error = await pool.apply(function scaled(x: number) {
    return x * scale;
  }, [2]).catch((e) => e);
  assert.ok(error instanceof FunctionTransportError, `got ${error}`);
  assert.equal(error.code, "ERR_FUNCTION_TRANSPORT");
  assert.match(error.message, /Function "scaled"/);
  assert.match(error.message, /uses "scale"/);
  assert.match(error.message, /context: \{ scale \}/);
  assert.match(error.message, /export scaled/);
  assert.match(error.message, /fixtures\/tasks\.ts/);
  // A ReferenceError of the task's own making stays a task error.
  const own = await pool.apply(() => {
    throw new ReferenceError("something else");
  }).catch((e) => e);
  assert.equal(own.name, "RemoteError");
});

workerTest("a context function's missing variable is named, with the fixes", async () => {
  const secret = 41;
  const helper = (x: number) => x + secret;
  await using pool = new Pool(1, { imports: [tasks], context: { helper } });
  const error = await pool.apply(function usesHelper(x: number) {
    return helper(x);
  }, [1]).catch((e) => e);
  assert.ok(error instanceof FunctionTransportError, `got ${error}`);
  assert.match(error.message, /Function "helper", passed in "context" for "usesHelper"/);
  assert.match(error.message, /uses "secret"/);
  assert.match(error.message, /context: \{ secret \}/);
});

workerTest("an imported name used by value gets the by-reference advice", async () => {
  const { joinByValue, joinInContext } = await import("./fixtures/uses_import.ts");
  for (const error of [await joinByValue(), await joinInContext()]) {
    assert.ok(error instanceof FunctionTransportError, `got ${error}`);
    assert.match(error.message, /"join" is imported by .*uses_import\.ts \(from "node:path"\)/);
    assert.match(error.message, /by reference/);
    assert.doesNotMatch(error.message, /context: \{ join \}/);
  }
});

workerTest("a task function the creating module imports is found in its own module", async () => {
  // Python pickles tasks.f by its module, so `from tasks import f; pool.map(f, xs)` works; here
  // the worker follows the creating module's import of the function to the module defining it.
  const { mapImported } = await import("./fixtures/imports_task.ts");
  assert.deepEqual(await mapImported(), [21, 42]);
});

workerTest(
  "a task function the creating module imports is found without importing that module",
  async () => {
    // The creating module may be the whole program and the whole library (~15 ms in every new
    // worker): the worker imports the task's own module alone.
    const { applyImported } = await import("./fixtures/imports_task_only.ts");
    assert.equal(await applyImported(), false);
  },
);

workerTest("context gives free variables: values and functions that call each other", async () => {
  const scale = 3;
  const offsets = new Map([["a", 100]]);
  const isEven = (n: number): boolean => n === 0 ? true : isOdd(n - 1);
  const isOdd = (n: number): boolean => n === 0 ? false : isEven(n - 1);
  await using pool = new Pool(2, { context: { scale, offsets, isEven, isOdd } });
  assert.deepEqual(
    await pool.map((x: number) => [x * scale + offsets.get("a")!, isEven(x)], [1, 2]),
    [[103, false], [106, true]],
  );
});

workerTest("a module whose top-level code starts workers gets Python's advice", async () => {
  // Imported here, not at the top: a test module importing it would be unguarded itself.
  const { triple } = await import("./fixtures/unguarded.ts");
  await using pool = new Pool(1, {
    imports: [new URL("./fixtures/unguarded.ts", import.meta.url)],
  });
  const double = (x: number) => x * 2;
  for (const task of [triple, double]) {
    // Named, by reference or by value: the module is imported, the advice comes first, and the
    // task does not run.
    const error = await pool.apply(task, [2]).catch((e) => e);
    assert.ok(error instanceof FunctionTransportError, `got ${error}`);
    assert.match(
      error.message,
      /^Put the main program's code in .*unguarded\.ts under if \(import\.meta\.main\)/,
    );
  }
});

workerTest(
  "a function without a name goes by value without importing the pool's modules",
  async () => {
    // unguarded.ts would start a pool in the worker that imported it (and fail with the advice).
    await using pool = new Pool(1, {
      imports: [new URL("./fixtures/unguarded.ts", import.meta.url)],
    });
    assert.equal(await pool.apply((x: number) => x * 2, [2]), 4);
    assert.deepEqual(
      await pool.map(function (x: number) {
        return x + 1;
      }, [1, 2]),
      [2, 3],
    );
  },
);

workerTest(
  "a script that starts a pool at top level with an arrow task runs it, its top-level code once",
  async () => {
    const { code, stdout, stderr } = await runProgram("unguarded_by_value.ts");
    assert.equal(code, 0, stderr);
    assert.equal(stdout, "top-level code ran\n[2,4,6]\n");
  },
);

workerTest("a function using import.meta cannot go by value, and says so", async () => {
  await using pool = new Pool(1, { imports: [] });
  await assert.rejects(pool.apply(() => import.meta.url), {
    name: "FunctionTransportError",
    message: /import\.meta/,
  });
});

workerTest("transfer() moves buffers into a worker and back", async () => {
  await using pool = new Pool(1);
  const data = new Float64Array([1, 2, 3]);
  const sum = await pool.apply((a: Float64Array) => a.reduce((s, x) => s + x, 0), [
    transfer(data, [data.buffer]),
  ]);
  assert.equal(sum, 6);
  assert.equal(data.byteLength, 0);
  const made = await pool.apply((n: number) => {
    const out = new Uint8Array(n).fill(7);
    return transfer(out, [out.buffer]);
  }, [1_000]);
  assert.equal(made.length, 1_000);
  assert.equal(made[999], 7);
  assert.throws(() => transfer(5, []), TypeError);
});

workerTest("an argument or result that cannot be cloned is a clear TypeError", async () => {
  await using pool = new Pool(1);
  await assert.rejects(pool.apply((f: unknown) => typeof f, [() => 1]), {
    name: "TypeError",
    message: /argument cannot be sent to a worker/,
  });
  await assert.rejects(pool.apply(() => () => 1), {
    name: "RemoteError",
    message: /cannot be sent back/,
  });
  assert.equal(await pool.apply(() => 1), 1);
});
