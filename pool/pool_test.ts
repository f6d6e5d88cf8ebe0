import assert from "node:assert/strict";
import { FunctionTransportError, PoolClosedError, RemoteError } from "../errors.ts";
import { delay, workerTest } from "../tests/_helpers.ts";
import type { BackendName } from "../_internal/worker_session.ts";
import { AsyncResult } from "./async_result.ts";
import { Pool } from "./pool.ts";

// One suite, run against every backend (as CPython runs one suite on processes and threads).
for (const backend of ["worker", "inline"] as BackendName[]) {
  const pool = (n = 2, options = {}) => new Pool(n, { backend, ...options });

  workerTest(`[${backend}] Pool.map() keeps input order, with any chunksize`, async () => {
    await using p = pool();
    const xs = Array.from({ length: 103 }, (_, i) => i);
    const expected = xs.map((x) => x * x + 1);
    assert.deepEqual(await p.map((x: number) => x * x + 1, xs), expected);
    for (const chunksize of [1, 7, 103, 500]) {
      assert.deepEqual(await p.map((x: number) => x * x + 1, xs, chunksize), expected);
    }
    assert.deepEqual(await p.map((x: number) => x, []), []);
  });

  workerTest(`[${backend}] Pool.map() takes sets, generators and async iterables`, async () => {
    await using p = pool();
    assert.deepEqual(await p.map((x: number) => -x, new Set([1, 2])), [-1, -2]);
    function* gen() {
      yield* [3, 4, 5];
    }
    assert.deepEqual(await p.map((x: number) => -x, gen()), [-3, -4, -5]);
    async function* agen() {
      yield* [6, 7];
    }
    assert.deepEqual(await p.map((x: number) => -x, agen()), [-6, -7]);
  });

  workerTest(`[${backend}] values of every cloneable kind cross both ways`, async () => {
    await using p = pool();
    const values = [
      -0,
      NaN,
      Infinity,
      2 ** 53 + 2,
      10n ** 30n,
      "text",
      null,
      undefined,
      true,
      [1, [2, "3"]],
      { a: 1, nested: { b: [2] } },
      new Map<unknown, unknown>([[1, "1"], ["2", 2]]),
      new Set([1, "1"]),
      new Date(0),
      /re/g,
      new Float32Array([1.5, 2.5]),
    ];
    assert.deepEqual(await p.map((x: unknown) => x, values), values);
    // Many plain numbers travel packed: still exact.
    const numbers = Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? -0 : i / 7));
    const back = await p.map((x: number) => x, numbers, 1000);
    assert.ok(back.every((x, i) => Object.is(x, numbers[i])));
    assert.ok(Array.isArray(back));
  });

  workerTest(`[${backend}] Pool.apply() and Pool.starmap() spread arguments`, async () => {
    await using p = pool();
    assert.equal(await p.apply((a: number, b: number) => a ** b, [2, 10]), 1024);
    assert.equal(await p.apply(() => "no args"), "no args");
    assert.deepEqual(
      await p.starmap((a: number, b: string) => `${b}${a}`, [[1, "a"], [2, "b"]]),
      ["a1", "b2"],
    );
    // Argument lists may be any iterable, as Python's starmap takes tuples.
    const sets = new Set([new Set([1, 2])]) as unknown as Iterable<[number, number]>;
    assert.deepEqual(await p.starmap((a: number, b: number) => a + b, sets), [3]);
  });

  workerTest(`[${backend}] async task functions are awaited`, async () => {
    await using p = pool();
    const out = await p.map(async (x: number) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return x * 3;
    }, [1, 2, 3]);
    assert.deepEqual(out, [3, 6, 9]);
  });

  workerTest(
    `[${backend}] a thrown plain value arrives as the cause, and in the message`,
    async () => {
      await using p = pool();
      const error = await p.apply(() => {
        throw { code: 7, detail: "x" };
      }).catch((e) => e);
      assert.ok(error instanceof RemoteError);
      assert.deepEqual(error.cause, { code: 7, detail: "x" });
      assert.match(error.message, /code: 7, detail: "x"/);
      const rejected = await p.apply(() => Promise.reject([1, "two"])).catch((e) => e);
      assert.deepEqual(rejected.cause, [1, "two"]);
      assert.equal(
        (await p.apply(() => {
          throw null;
        }).catch((e) => e)).cause,
        null,
      );
      // A value that cannot be cloned comes back as its printed form.
      const unclonable = await p.apply(() => {
        throw { n: 1, f() {} };
      }).catch((e) => e);
      assert.ok(unclonable instanceof RemoteError);
      assert.equal(typeof unclonable.cause, "string");
      assert.match(String(unclonable.cause), /n: 1/);
      assert.match(unclonable.message, /n: 1/);
    },
  );

  workerTest(
    `[${backend}] a task that throws rejects with RemoteError and the pool carries on`,
    async () => {
      await using p = pool();
      const error = await p.map(
        (x: number) => {
          if (x === 3) throw new RangeError(`bad ${x}`);
          return x;
        },
        [1, 2, 3, 4],
        1,
      ).catch((e) => e);
      assert.ok(error instanceof RemoteError);
      assert.equal(error.code, "ERR_REMOTE");
      assert.equal(error.remoteName, "RangeError");
      assert.equal(error.message, "RangeError: bad 3");
      assert.ok(error.cause instanceof RangeError);
      assert.match(error.remoteStack, /bad 3/);
      class CustomError extends Error {
        override name = "CustomError";
      }
      const custom = await p.apply(() => {
        throw new (class extends Error {
          override name = "CustomError";
        })("mine");
      }).catch((e) => e);
      assert.equal(custom.remoteName, new CustomError("x").name);
      assert.equal((custom.cause as Error).name, "CustomError");
      const thrownString = await p.apply(() => {
        throw "a string";
      }).catch((e) => e);
      assert.ok(thrownString instanceof RemoteError);
      assert.match(thrownString.message, /a string/);
      assert.deepEqual(await p.map((x: number) => x + 1, [1, 2]), [2, 3]);
    },
  );

  workerTest(`[${backend}] applyAsync() gives an AsyncResult with callbacks`, async () => {
    await using p = pool();
    const seen: unknown[] = [];
    const ok = p.applyAsync((x: number) => x * 2, [21], { callback: (v) => seen.push(v) });
    assert.ok(ok instanceof AsyncResult);
    assert.equal(await ok.get({ timeout: 20_000 }), 42);
    assert.equal(ok.successful(), true);
    const bad = p.applyAsync(
      () => {
        throw new Error("no");
      },
      [],
      { errorCallback: (e) => seen.push((e as Error).name) },
    );
    assert.equal(await bad.wait(), true);
    assert.equal(bad.successful(), false);
    await assert.rejects(bad.get(), RemoteError);
    const mapped = p.mapAsync((x: number) => x + 1, [1, 2], undefined, {
      callback: (v) => seen.push(v),
    });
    assert.deepEqual(await mapped, [2, 3]);
    assert.deepEqual(await p.starmapAsync((a: number, b: number) => a * b, [[2, 3]]), [6]);
    await delay(0);
    assert.deepEqual(seen, [42, "RemoteError", [2, 3]]);
  });

  workerTest(
    `[${backend}] imap() yields in order; imapUnordered() yields every result`,
    async () => {
      await using p = pool();
      const xs = Array.from({ length: 50 }, (_, i) => i);
      // Later items finish first, so order must be restored.
      const slowFirst = async (x: number) => {
        await new Promise((resolve) => setTimeout(resolve, x < 5 ? 20 : 0));
        return x * 2;
      };
      assert.deepEqual(await Array.fromAsync(p.imap(slowFirst, xs)), xs.map((x) => x * 2));
      assert.deepEqual(await Array.fromAsync(p.imap(slowFirst, xs, 7)), xs.map((x) => x * 2));
      const unordered = await Array.fromAsync(p.imapUnordered(slowFirst, xs, 3));
      assert.deepEqual(unordered.sort((a, b) => a - b), xs.map((x) => x * 2));
    },
  );

  workerTest(`[${backend}] imap() surfaces a task's error at its position`, async () => {
    await using p = pool();
    const seen: number[] = [];
    const run = async () => {
      for await (
        const y of p.imap((x: number) => {
          if (x === 4) throw new Error("four");
          return x;
        }, [0, 1, 2, 3, 4, 5, 6])
      ) seen.push(y);
    };
    await assert.rejects(run, RemoteError);
    assert.deepEqual(seen, [0, 1, 2, 3]);
  });

  workerTest(`[${backend}] bad arguments fail at once, naming the argument`, async () => {
    await using p = pool();
    // deno-lint-ignore no-explicit-any
    const anyPool = p as any;
    await assert.rejects(anyPool.map(42, [1]), {
      name: "TypeError",
      message: /"f" must be a function/,
    });
    await assert.rejects(anyPool.map((x: number) => x, 5), {
      name: "TypeError",
      message: /"iterable" must be iterable/,
    });
    await assert.rejects(p.map((x: number) => x, [1], 0), {
      name: "RangeError",
      message: /"chunksize"/,
    });
    await assert.rejects(p.map((x: number) => x, [1], 1.5), RangeError);
    await assert.rejects(anyPool.apply((x: number) => x, 3), {
      message: /"args" must be an array/,
    });
    await assert.rejects(anyPool.starmap((x: number) => x, [1]), { message: /item 0/ });
    assert.throws(() => anyPool.imap((x: number) => x, null), TypeError);
    assert.throws(() => p.imap((x: number) => x, [1], NaN), RangeError);
    assert.throws(() => anyPool.applyAsync("f"), TypeError);
    await assert.rejects(p.apply(Math.sqrt, [4]), FunctionTransportError);
    await assert.rejects(p.apply(((x: number) => x).bind(null), [4]), FunctionTransportError);
  });

  workerTest(
    `[${backend}] close() finishes queued work; join() waits; new work is refused`,
    async () => {
      const p = pool();
      await assert.rejects(p.join(), { name: "InvalidStateError" });
      const pending = p.map(
        async (x: number) => {
          await new Promise((resolve) => setTimeout(resolve, 2));
          return x;
        },
        [1, 2, 3, 4, 5],
        1,
      );
      p.close();
      p.close();
      await assert.rejects(p.apply(() => 1), PoolClosedError);
      assert.throws(() => p.imap((x: number) => x, [1]), PoolClosedError);
      assert.throws(() => p.applyAsync(() => 1), PoolClosedError);
      await p.join();
      assert.deepEqual(await pending, [1, 2, 3, 4, 5]);
    },
  );

  workerTest(`[${backend}] terminate() settles every pending promise`, async () => {
    const p = pool(1);
    const never = () => new Promise(() => {});
    const running = p.apply(never);
    const queued = p.map((x: number) => x, [1, 2, 3], 1);
    const lazy = p.imap((x: number) => x, [1, 2]);
    const first = lazy.next();
    await delay(20);
    p.terminate();
    p.terminate();
    await assert.rejects(running, PoolClosedError);
    await assert.rejects(queued, PoolClosedError);
    await assert.rejects(first, PoolClosedError);
    await p.join();
  });
}

workerTest("new Pool() validates its arguments before starting workers", () => {
  for (const bad of [0, -1, 1.5, NaN, Infinity]) {
    assert.throws(() => new Pool(bad), RangeError, `processes ${bad}`);
  }
  // deno-lint-ignore no-explicit-any
  assert.throws(() => new Pool("2" as any), {
    name: "TypeError",
    message: /"processes" must be a whole number, at least 1, got the string "2"/,
  });
  assert.throws(() => new Pool(1, { maxTasksPerChild: 0 }), { message: /"maxTasksPerChild"/ });
  // deno-lint-ignore no-explicit-any
  assert.throws(() => new Pool(1, { backend: "threads" as any }), {
    name: "RangeError",
    message: /"backend" must be "worker", "inline", "subprocess" or "mpi", got "threads"/,
  });
  assert.throws(() => new Pool(1, { backend: "mpi" }), {
    name: "RangeError",
    message: /"backend" is "mpi", but .*MpiPool\.start\(\).*every rank/,
  });
  // deno-lint-ignore no-explicit-any
  assert.throws(() => new Pool(1, { initializer: 5 as any }), { message: /"initializer"/ });
  // deno-lint-ignore no-explicit-any
  assert.throws(() => new Pool(1, { initargs: 5 as any }), { message: /"initargs"/ });
  assert.throws(() => new Pool(1, { initargs: [() => 1] }), {
    name: "TypeError",
    message: /"initargs"/,
  });
  assert.throws(() => new Pool(1, { context: { "a-b": 1 } }), { message: /"context" key/ });
  assert.throws(() => new Pool(1, { context: { s: Symbol("x") } }), { message: /"context"/ });
  // deno-lint-ignore no-explicit-any
  assert.throws(() => new Pool(1, { imports: "x.ts" as any }), { message: /"imports"/ });
  return Promise.resolve();
});

workerTest("Pool() defaults to one worker per CPU", async () => {
  await using p = new Pool();
  assert.equal(p.processes, navigator.hardwareConcurrency);
  assert.equal(p.backend, "worker");
});
