import assert from "node:assert/strict";
import {
  Lock,
  Pool,
  RawArray,
  RawValue,
  RemoteError,
  RLock,
  SharedArray,
  SharedTypedArray,
  SharedValue,
  SynchronizedArray,
  SynchronizedValue,
  Value,
} from "../mod.ts";
import {
  addToEveryElement,
  bumpKept,
  describe,
  incrementValue,
  keepShared,
  writeFromNestedPool,
} from "./fixtures/shared_tasks.ts";
import { until, workerTest } from "./_helpers.ts";

const imports = [new URL("./fixtures/shared_tasks.ts", import.meta.url)];

workerTest("a Value and an Array passed as arguments are the same memory", async () => {
  const v = Value("i", 1);
  const a = SharedArray("d", [0.5, 1.5]);
  const q = Value("q", 2n ** 40n);
  const raw = RawValue("h", -3);
  const rawArray = RawArray("B", [1, 2]);
  await using pool = new Pool(1);
  // The worker sees what the main program wrote…
  v.value = 7;
  a[1] = 2.5;
  const seen = await pool.apply(
    (
      v: SynchronizedValue<"i">,
      a: SynchronizedArray<"d">,
      q: SynchronizedValue<"q">,
      raw: SharedValue<"h">,
      rawArray: SharedTypedArray<"B">,
    ) => [v.value, [...a], q.value, raw.value, [...rawArray]],
    [v, a, q, raw, rawArray],
  );
  assert.deepEqual(seen, [7, [0.5, 2.5], 2n ** 40n, -3, [1, 2]]);
  // …and the main program sees what the worker wrote, though nothing was returned.
  await pool.apply(
    (
      v: SynchronizedValue<"i">,
      a: SynchronizedArray<"d">,
      q: SynchronizedValue<"q">,
      raw: SharedValue<"h">,
      rawArray: SharedTypedArray<"B">,
    ) => {
      v.value = 42;
      a[0] = -1;
      a[-1] = 9.75;
      q.value = -(2n ** 62n);
      raw.value = 300;
      rawArray[1] = 255;
    },
    [v, a, q, raw, rawArray],
  );
  assert.equal(v.value, 42);
  assert.deepEqual([...a], [-1, 9.75]);
  assert.equal(q.value, -(2n ** 62n));
  assert.equal(raw.value, 300);
  assert.deepEqual([...rawArray], [1, 255]);
});

workerTest("writes to a shared Value and Array cross while the task runs", async () => {
  const v = Value("i", 0);
  const a = SharedArray("i", 2);
  await using pool = new Pool(1);
  // The worker says it started through a[0], then waits for the main program's write to v.
  const task = pool.apply((v: SynchronizedValue<"i">, a: SynchronizedArray<"i">) => {
    a[0] = 1;
    const deadline = performance.now() + 10_000;
    while (v.value !== 5) {
      if (performance.now() > deadline) return "never saw the main program's write";
    }
    a[1] = v.value * 2;
    return "ok";
  }, [v, a]);
  await until(() => a[0] === 1, "the worker to start");
  v.value = 5;
  assert.equal(await task, "ok");
  assert.deepEqual([...a], [1, 10]);
});

workerTest(
  "a Value and an Array nested in arrays and plain objects arrive as themselves",
  async () => {
    const v = Value("i", 1);
    const a = SharedArray("i", [1, 2, 3]);
    const raw = RawValue("d", 0);
    await using pool = new Pool(1);
    type Spec = {
      values: [SynchronizedValue<"i">, SharedValue<"d">];
      more: { deeper: [{ array: SynchronizedArray<"i"> }] };
      again: SynchronizedValue<"i">;
      label: string;
    };
    const spec: Spec = { values: [v, raw], more: { deeper: [{ array: a }] }, again: v, label: "x" };
    const kinds = await pool.apply((spec: Spec) => {
      const [v, raw] = spec.values;
      const a = spec.more.deeper[0].array;
      v.value += 10;
      raw.value = 0.25;
      a[-1] = 30;
      spec.again.value += 100; // the same memory as values[0]
      return [
        v instanceof SynchronizedValue,
        raw instanceof SharedValue && !(raw instanceof SynchronizedValue),
        a instanceof SynchronizedArray,
        spec.label,
      ];
    }, [spec]);
    assert.deepEqual(kinds, [true, true, true, "x"]);
    assert.equal(v.value, 111);
    assert.equal(raw.value, 0.25);
    assert.deepEqual([...a], [1, 2, 30]);
    // The caller's own objects are left as they were.
    assert.equal(spec.values[0], v);
    assert.equal(spec.more.deeper[0].array, a);
  },
);

workerTest(
  "a Value and an Array in initargs are kept by the initializer for the tasks",
  async (t) => {
    await t.step("by reference", async () => {
      const v = Value("i", 0);
      const a = SharedArray("i", 10);
      {
        await using pool = new Pool(2, { imports, initializer: keepShared, initargs: [v, a] });
        const xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 9];
        const classes = await pool.map(bumpKept, xs, 1);
        assert.ok(classes.every((ok) => ok), "revived as SynchronizedValue / SynchronizedArray");
      }
      assert.equal(v.value, 12);
      assert.deepEqual([...a], [2, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
    });
    await t.step("by value, kept in a global", async () => {
      const v = Value("d", 0.5);
      const a = RawArray("i", [1, 2]);
      await using pool = new Pool(2, {
        initializer: (v: SynchronizedValue<"d">, a: SharedTypedArray<"i">) => {
          (globalThis as Record<string, unknown>).keptShared = { v, a };
        },
        initargs: [v, a],
      });
      v.value = 1.5; // written after the pool started: the tasks still see it
      const out = await pool.map(
        (i: number) => {
          const { v, a } = (globalThis as Record<string, unknown>).keptShared as {
            v: SynchronizedValue<"d">;
            a: SharedTypedArray<"i">;
          };
          using _held = v.getLock().holdSync();
          a[i] = a[i]! * 10;
          return v.value;
        },
        [0, 1],
        1,
      );
      assert.deepEqual(out, [1.5, 1.5]);
      assert.deepEqual([...a], [10, 20]);
    });
  },
);

workerTest("revived Values and Arrays keep their class and typecode", async (t) => {
  await using pool = new Pool(1, { imports });
  await t.step("checked by value", async () => {
    const v = Value("d", 3.14);
    const a = SharedArray("q", [1n, -2n]);
    const rv = RawValue("B", 7);
    const ra = RawArray(Float32Array, [0.5]);
    const seen = await pool.apply(
      (
        v: SynchronizedValue<"d">,
        a: SynchronizedArray<"q">,
        rv: SharedValue<"B">,
        ra: SharedTypedArray<Float32ArrayConstructor>,
      ) => ({
        v: [v instanceof SynchronizedValue, v instanceof SharedValue, v.typecode],
        a: [a instanceof SynchronizedArray, a instanceof SharedTypedArray, a.typecode],
        rv: [rv instanceof SynchronizedValue, rv instanceof SharedValue, rv.typecode],
        ra: [ra instanceof SynchronizedArray, ra instanceof SharedTypedArray, ra.typecode],
        locks: [v.getLock() instanceof RLock, a.getLock() instanceof RLock],
        views: [a.typedArray.constructor.name, ra.typedArray.constructor.name],
        shown: [Deno.inspect(v), Deno.inspect(a), Deno.inspect(rv), Deno.inspect(ra)],
      }),
      [v, a, rv, ra],
    );
    assert.deepEqual(seen, {
      v: [true, true, "d"],
      a: [true, true, "q"],
      rv: [false, true, "B"],
      ra: [false, true, "f"],
      locks: [true, true],
      views: ["BigInt64Array", "Float32Array"],
      shown: [
        'Value("d", 3.14)',
        'Array("q", [1n, -2n])',
        'RawValue("B", 7)',
        'RawArray("f", [0.5])',
      ],
    });
  });
  await t.step("checked by reference, for every typecode", async () => {
    const codes = ["b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "f", "d"] as const;
    for (const code of codes) {
      const big = code === "q" || code === "Q";
      const shared = [
        Value(code, big ? 1n : 1),
        SharedArray(code, 2),
        RawValue(code),
        RawArray(code, 1),
        Value(code, undefined, { lock: new Lock() }),
        SharedArray(code, 1, { lock: false }),
      ];
      const seen = await pool.map(describe, shared, 1);
      assert.deepEqual(seen, [
        { synchronized: true, typecode: code, lock: "RLock" },
        { synchronized: true, typecode: code, lock: "RLock" },
        { synchronized: false, typecode: code, lock: null },
        { synchronized: false, typecode: code, lock: null },
        { synchronized: true, typecode: code, lock: "Lock" },
        { synchronized: false, typecode: code, lock: null },
      ], code);
    }
    assert.deepEqual(await pool.apply(describe, [RawArray(Uint8ClampedArray, 1)]), {
      synchronized: false,
      typecode: "Uint8ClampedArray",
      lock: null,
    });
  });
});

workerTest("a revived Value's or Array's getLock() is the main program's very lock", async (t) => {
  await using pool = new Pool(1);
  const tryLock = (shared: SynchronizedValue | SynchronizedArray): boolean => {
    const lock = shared.getLock();
    const got = lock.acquireSync({ timeout: 50 });
    if (got) lock.release();
    return got;
  };
  const cases: [string, SynchronizedValue | SynchronizedArray][] = [
    ["a Value's default RLock", Value("i", 0)],
    ["an Array's default RLock", SharedArray("i", 2)],
    ["a Value's own Lock", Value("d", 0, { lock: new Lock() })],
    ["an Array's own RLock", SharedArray("d", 1, { lock: new RLock() })],
  ];
  for (const [name, shared] of cases) {
    await t.step(name, async () => {
      assert.equal(await shared.getLock().acquire(), true);
      try {
        assert.equal(await pool.apply(tryLock, [shared]), false, "held by the main program");
      } finally {
        shared.getLock().release();
      }
      assert.equal(await pool.apply(tryLock, [shared]), true, "free once released");
      assert.equal(shared.getLock().locked(), false);
    });
  }
  await t.step("a Value and an Array sharing one Lock share it in the worker", async () => {
    const lock = new Lock();
    const v = Value("i", 0, { lock });
    const a = SharedArray("i", 1, { lock });
    const seen = await pool.apply((v: SynchronizedValue<"i">, a: SynchronizedArray<"i">) => {
      using _held = v.getLock().holdSync();
      return [v.getLock().locked(), a.getLock().locked(), a.getLock().acquireSync({ timeout: 0 })];
    }, [v, a]);
    assert.deepEqual(seen, [true, true, false]);
    assert.equal(lock.locked(), false);
  });
});

workerTest(
  "a lock a worker takes through a revived Value is held for the main program",
  async () => {
    const v = Value("i", 0);
    await using pool = new Pool(1);
    assert.equal(
      await pool.apply((v: SynchronizedValue<"i">) => v.getLock().acquireSync({ timeout: 0 }), [v]),
      true,
    );
    assert.equal(v.getLock().locked(), true);
    assert.equal(await v.getLock().acquire({ timeout: 20 }), false);
    // The RLock's owner is the worker thread: only it may release.
    assert.throws(() => v.getLock().release(), { name: "InvalidStateError" });
    await pool.apply((v: SynchronizedValue<"i">) => v.getLock().release(), [v]);
    assert.equal(await v.getLock().acquire({ timeout: 0 }), true);
    v.getLock().release();
  },
);

workerTest("a worker passes a Value and an Array on to a worker of its own pool", async (t) => {
  await using pool = new Pool(1, { imports });
  await t.step("by reference", async () => {
    const v = Value("i", 0);
    const a = SharedArray("i", 3);
    const out = await pool.apply(writeFromNestedPool, [v, a, 77]);
    assert.equal(v.value, 77);
    assert.deepEqual([...a], [77, 77, 77]);
    assert.match(out.writer, /^PoolWorker-\d+$/);
    assert.notEqual(out.writer, out.parent);
  });
  await t.step("by value", async () => {
    const v = Value("d", 0);
    const a = RawArray("h", 2);
    await pool.apply(async (v: SynchronizedValue<"d">, a: SharedTypedArray<"h">) => {
      await using inner = new Pool(1, { imports: [] });
      await inner.apply((w: SynchronizedValue<"d">, b: SharedTypedArray<"h">) => {
        using _held = w.getLock().holdSync();
        w.value = 2.5;
        b[-1] = -8;
      }, [v, a]);
    }, [v, a]);
    assert.equal(v.value, 2.5);
    assert.deepEqual([...a], [0, -8]);
    assert.equal(v.getLock().locked(), false);
  });
});

workerTest("a bad write in a worker rejects with a RemoteError and changes nothing", async () => {
  const v = Value("b", 1);
  const q = Value("q", 5n);
  const a = SharedArray("i", [1, 2]);
  await using pool = new Pool(1);
  const outOfRange = await pool.apply((v: SynchronizedValue<"b">) => {
    v.value = 1000;
  }, [v]).catch((e) => e);
  assert.ok(outOfRange instanceof RemoteError, `got ${outOfRange}`);
  assert.equal(outOfRange.remoteName, "RangeError");
  assert.match(outOfRange.message, /1000 is out of range for typecode "b"/);
  assert.ok(outOfRange.cause instanceof RangeError);
  assert.equal(v.value, 1);

  const outOfBounds = await pool.apply((a: SynchronizedArray<"i">) => {
    a[2] = 5;
  }, [a]).catch((e) => e);
  assert.ok(outOfBounds instanceof RemoteError);
  assert.equal(outOfBounds.remoteName, "RangeError");
  assert.match(outOfBounds.message, /Index 2 is out of bounds/);
  await assert.rejects(pool.apply((a: SynchronizedArray<"i">) => a[-3], [a]), {
    name: "RemoteError",
    remoteName: "RangeError",
  });
  await assert.rejects(
    pool.apply((a: SynchronizedArray<"i">) => {
      a[-1] = 2 ** 31;
    }, [a]),
    { name: "RemoteError", remoteName: "RangeError" },
  );
  await assert.rejects(
    pool.apply((a: SynchronizedArray<"i">) => {
      a[0] = 0.5;
    }, [a]),
    { name: "RemoteError", remoteName: "TypeError" },
  );
  await assert.rejects(
    pool.apply((q: SynchronizedValue<"q">) => {
      q.value = 6 as unknown as bigint;
    }, [q]),
    { name: "RemoteError", remoteName: "TypeError" },
  );
  assert.deepEqual([...a], [1, 2]);
  assert.equal(q.value, 5n);
  // The worker carries on.
  assert.equal(await pool.apply((v: SynchronizedValue<"b">) => (v.value = -128), [v]), -128);
  assert.equal(v.value, -128);
});

workerTest("the tutorial's shared Value and Array: 3.1415927 and [0, -1, ..., -9]", async () => {
  function* range(n: number) {
    for (let i = 0; i < n; i++) yield i;
  }
  const f = (n: SynchronizedValue<"d">, a: SynchronizedArray<"i">) => {
    n.value = 3.1415927;
    for (let i = 0; i < a.length; i++) a[i] = -a[i]!;
  };
  const num = Value("d", 0.0);
  const arr = SharedArray("i", range(10));
  {
    await using p = new Pool(1);
    await p.apply(f, [num, arr]);
  }
  assert.equal(num.value, 3.1415927);
  assert.equal(String(num.value), "3.1415927");
  assert.deepEqual([...arr], [0, -1, -2, -3, -4, -5, -6, -7, -8, -9]);
  assert.deepEqual(arr.slice(), Int32Array.of(0, -1, -2, -3, -4, -5, -6, -7, -8, -9));
  assert.equal(Deno.inspect(arr), 'Array("i", [0, -1, -2, -3, -4, -5, -6, -7, -8, -9])');
});

workerTest("Value: no lost updates from 2 workers × 20,000 increments under its lock", async () => {
  const v = Value("i", 0);
  const gate = RawArray("i", 1); // both workers start their loops together
  await using pool = new Pool(2, { imports });
  const workers = await pool.starmap(incrementValue, [
    [v, 20_000, gate, 2],
    [v, 20_000, gate, 2],
  ], 1);
  assert.equal(new Set(workers).size, 2, `ran on ${workers}`);
  assert.equal(v.value, 40_000);
  assert.equal(v.getLock().locked(), false);
});

workerTest("Value: no lost updates with the main program incrementing too", async () => {
  const v = Value("i", 0);
  const gate = RawArray("i", 1);
  await using pool = new Pool(2, { imports });
  const run = pool.starmap(incrementValue, [
    [v, 10_000, gate, 3],
    [v, 10_000, gate, 3],
  ], 1);
  run.catch(() => {}); // awaited below; keeps an early failure from going unhandled meanwhile
  await until(() => Atomics.load(gate.typedArray, 0) === 2, "both workers at the gate");
  Atomics.add(gate.typedArray, 0, 1);
  Atomics.notify(gate.typedArray, 0);
  for (let i = 0; i < 2_000; i++) {
    using _held = await v.getLock().hold();
    v.value += 1;
  }
  const workers = await run;
  assert.equal(new Set(workers).size, 2, `ran on ${workers}`);
  assert.equal(v.value, 22_000);
});

workerTest(
  "Array: no lost updates from 2 workers adding to every element under its lock",
  async () => {
    const a = SharedArray("d", 4);
    const gate = RawArray("i", 1);
    await using pool = new Pool(2, { imports });
    const workers = await pool.starmap(addToEveryElement, [
      [a, 5_000, gate, 2],
      [a, 5_000, gate, 2],
    ], 1);
    assert.equal(new Set(workers).size, 2, `ran on ${workers}`);
    assert.deepEqual([...a], [10_000, 10_000, 10_000, 10_000]);
  },
);
