/**
 * The synchronisation primitives across real workers and the main program: no lost update
 * under contention, no starved waiter, timeouts, ownership, and revival of shared objects
 * wherever they travel.
 */

import assert from "node:assert/strict";
import {
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  Lock,
  Pool,
  RawArray,
  RemoteError,
  RLock,
  Semaphore,
  Value,
} from "../mod.ts";
import { workerTest } from "./_helpers.ts";
import { runProgram } from "./_program.ts";
import * as tasks from "./fixtures/sync_tasks.ts";

const imports = [new URL("./fixtures/sync_tasks.ts", import.meta.url).href];

workerTest("Lock: 2 workers × 20,000 locked increments lose no update", async () => {
  await using pool = new Pool(2, { imports });
  for (const lock of [new Lock(), new RLock()]) {
    const v = Value("i", 0, { lock });
    await pool.starmap(tasks.lockedIncrements, [[lock, v, 20_000], [lock, v, 20_000]], 1);
    assert.equal(v.value, 40_000, lock.constructor.name);
    assert.equal(lock.locked(), false);
  }
});

workerTest("Lock: the main program and 2 workers contend with no lost update", async () => {
  await using pool = new Pool(2, { imports });
  const v = Value("i", 0);
  const lock = v.getLock();
  const workers = pool.starmap(tasks.lockedIncrements, [[lock, v, 10_000], [lock, v, 10_000]], 1);
  for (let i = 0; i < 2_000; i++) {
    using _held = await lock.hold();
    const seen = v.value;
    if (i % 100 === 0) await Promise.resolve(); // yield inside the critical section
    v.value = seen + 1;
  }
  await workers;
  assert.equal(v.value, 22_000);
});

workerTest("Lock: a worker that re-takes it at once does not starve a waiting worker", async () => {
  await using pool = new Pool(2, { imports });
  const lock = new Lock();
  const started = new Event();
  const stop = new Event();
  const hog = pool.apply(tasks.hog, [lock, started, stop, 2]);
  const got = await pool.apply(tasks.tryAcquire, [lock, started, 1_000]);
  stop.set();
  assert.ok((await hog) > 0);
  assert.equal(got, true, "the waiter was handed the lock within its timeout");
});

workerTest("Lock: the main program's waiter is not starved by a worker either", async () => {
  await using pool = new Pool(1, { imports });
  const lock = new Lock();
  const started = new Event();
  const stop = new Event();
  const hog = pool.apply(tasks.hog, [lock, started, stop, 2]);
  assert.equal(await started.wait({ timeout: 10_000 }), true);
  const got = await lock.acquire({ timeout: 1_000 });
  if (got) lock.release();
  stop.set();
  await hog;
  assert.equal(got, true);
});

workerTest(
  "Lock: timeouts in a worker return false; the main program's abort rejects",
  async () => {
    await using pool = new Pool(1, { imports });
    const lock = new Lock();
    const ready = new Event();
    ready.set();
    await lock.acquire();
    const start = performance.now();
    assert.equal(await pool.apply(tasks.tryAcquire, [lock, ready, 50]), false);
    assert.ok(performance.now() - start >= 45);
    const controller = new AbortController();
    const waiting = lock.acquire({ signal: controller.signal });
    controller.abort(new Error("gave up"));
    await assert.rejects(waiting, { message: "gave up" });
    lock.release();
    assert.equal(await pool.apply(tasks.tryAcquire, [lock, ready, 50]), true);
  },
);

workerTest("Lock: any thread may release a Lock, as in Python", async () => {
  await using pool = new Pool(1, { imports });
  const lock = new Lock();
  await lock.acquire();
  await pool.apply(tasks.releaseLock, [lock]);
  assert.equal(lock.locked(), false);
  await assert.rejects(pool.apply(tasks.releaseLock, [lock]), (error: unknown) => {
    assert.ok(error instanceof RemoteError);
    assert.equal(error.remoteName, "InvalidStateError");
    return true;
  });
});

workerTest("RLock: owned per thread; only the owner releases; workers re-enter", async () => {
  await using pool = new Pool(2, { imports });
  const lock = new RLock();
  assert.deepEqual(await pool.starmap(tasks.reenter, [[lock, 3], [lock, 5]], 1), [3, 5]);
  assert.equal(lock.locked(), false);
  await lock.acquire();
  await assert.rejects(pool.apply(tasks.releaseLock, [lock]), (error: unknown) => {
    assert.ok(error instanceof RemoteError);
    assert.equal(error.remoteName, "InvalidStateError");
    return true;
  });
  assert.equal(lock.locked(), true);
  lock.release();
});

workerTest("Semaphore: at most `value` workers inside at once", async () => {
  await using pool = new Pool(3, { imports });
  const semaphore = new Semaphore(2);
  const inside = RawArray("i", 2);
  const counts = await pool.starmap(
    tasks.boundedSection,
    Array.from({ length: 6 }, () => [semaphore, inside, 30]),
    1,
  );
  assert.ok(counts.every((n) => n >= 1 && n <= 2), String(counts));
  assert.equal(inside[1], 2);
  assert.equal(semaphore.getValue(), 2);
});

workerTest("BoundedSemaphore: releasing too often in a worker is a RemoteError", async () => {
  await using pool = new Pool(1, { imports });
  const semaphore = new BoundedSemaphore(1);
  await assert.rejects(pool.apply(tasks.releaseLock, [semaphore as never]), (error: unknown) => {
    assert.ok(error instanceof RemoteError);
    assert.equal(error.remoteName, "InvalidStateError");
    return true;
  });
  assert.equal(semaphore.getValue(), 1);
});

workerTest("Event: main wakes waiting workers; a worker wakes the main program", async () => {
  await using pool = new Pool(2, { imports });
  const go = new Event();
  const waiting = pool.starmap(tasks.waitEvent, [[go, 10_000], [go, 10_000]], 1);
  go.set();
  assert.deepEqual(await waiting, [true, true]);
  const done = new Event();
  const setter = pool.apply(tasks.setEventLater, [done, 20]);
  assert.equal(await done.wait({ timeout: 10_000 }), true);
  await setter;
  assert.equal(await pool.apply(tasks.waitEvent, [new Event(), 30]), false);
});

workerTest("Event: two workers rally 5,000 times with wait, clear and set, in step", async () => {
  await using pool = new Pool(2, { imports });
  const a = new Event();
  const b = new Event();
  const played = await pool.starmap(
    tasks.eventRally,
    [[a, b, true, 5_000], [b, a, false, 5_000]],
    1,
  );
  assert.deepEqual(played, [5_000, 5_000]);
});

workerTest("Condition: a producer and a consumer worker hand over 200 items", async () => {
  await using pool = new Pool(2, { imports });
  const condition = new Condition();
  const box = RawArray("i", 2);
  const [consumed, produced] = await Promise.all([
    pool.apply(tasks.consume, [condition, box, 200]),
    pool.apply(tasks.produce, [condition, box, 200]),
  ]);
  assert.equal(produced, 200);
  assert.equal(consumed, (200 * 201) / 2);
});

workerTest("Condition: notify(1) wakes one waiting worker, notifyAll the rest", async () => {
  await using pool = new Pool(2, { imports });
  const condition = new Condition(new Lock());
  const waiting = [new Event(), new Event()];
  const results = waiting.map((w) => pool.apply(tasks.waitCondition, [condition, w, 5_000]));
  for (const w of waiting) assert.equal(await w.wait({ timeout: 10_000 }), true);
  {
    using _held = await condition.hold();
    condition.notify(1);
  }
  const first = await Promise.race(results);
  assert.equal(first, true);
  {
    using _held = await condition.hold();
    condition.notifyAll();
  }
  assert.deepEqual(await Promise.all(results), [true, true]);
});

workerTest("Barrier: two workers and the main program meet three times", async () => {
  await using pool = new Pool(2, { imports });
  const barrier = new Barrier(3);
  const workers = pool.starmap(tasks.meet, [[barrier, 3, 10_000], [barrier, 3, 10_000]], 1);
  const mine: number[] = [];
  for (let i = 0; i < 3; i++) mine.push(await barrier.wait({ timeout: 10_000 }));
  const [a, b] = await workers;
  for (let round = 0; round < 3; round++) {
    assert.deepEqual([a![round], b![round], mine[round]].sort(), [0, 1, 2]);
  }
});

workerTest("Barrier: four workers share a Barrier(2): two rounds each time", async () => {
  await using pool = new Pool(4, { imports });
  const barrier = new Barrier(2);
  for (let time = 0; time < 10; time++) {
    // One wait each (with several each, a thread could be left to pair with itself, in Python
    // too).
    const indices = await pool.starmap(
      tasks.meet,
      Array.from({ length: 4 }, () => [barrier, 1, 10_000]),
      1,
    );
    assert.deepEqual(indices.flat().sort(), [0, 0, 1, 1]);
  }
  assert.equal(barrier.broken, false);
});

workerTest("Barrier: a worker's timeout breaks it for everyone waiting", async () => {
  await using pool = new Pool(2, { imports });
  const barrier = new Barrier(3);
  const outcomes = await pool.starmap(tasks.meetOnce, [[barrier, 10_000], [barrier, 50]], 1);
  assert.deepEqual(outcomes, ["BrokenBarrierError", "BrokenBarrierError"]);
  assert.equal(barrier.broken, true);
  await assert.rejects(barrier.wait({ timeout: 10 }), { name: "BrokenBarrierError" });
  barrier.reset();
  assert.equal(barrier.broken, false);
});

workerTest(
  "Barrier: the last arrival in a worker runs the action compiled from source",
  async () => {
    await using pool = new Pool(1, { imports });
    const throwing = new Barrier(1, {
      action: () => {
        throw new RangeError("action failed");
      },
    });
    await assert.rejects(pool.apply(tasks.meet, [throwing, 1, 1_000]), (error: unknown) => {
      assert.ok(error instanceof RemoteError);
      assert.equal(error.remoteName, "RangeError");
      return true;
    });
    assert.equal(throwing.broken, true);
    const outer = 41;
    const closure = new Barrier(1, { action: () => outer + 1 });
    await assert.rejects(pool.apply(tasks.meet, [closure, 1, 1_000]), (error: unknown) => {
      assert.ok(error instanceof RemoteError);
      assert.equal(error.remoteName, "FunctionTransportError");
      assert.match(error.message, /outer/);
      return true;
    });
  },
);

workerTest(
  "Shared objects nested in arrays, objects and initargs arrive as themselves",
  async () => {
    const lock = new Lock();
    const v = Value("i", 0);
    await using pool = new Pool(1, {
      imports,
      initializer: (l: Lock, e: Event) => {
        (globalThis as Record<string, unknown>).fromInit = [l, e];
      },
      initargs: [lock, new Event()],
    });
    const nested = {
      list: [lock, new RLock(), [new Semaphore(1), new BoundedSemaphore(1)]],
      more: { event: new Event(), condition: new Condition(), barrier: new Barrier(2), v },
    };
    assert.deepEqual(await pool.apply(tasks.classNames, [nested]), {
      list: ["Lock", "RLock", ["Semaphore", "BoundedSemaphore"]],
      more: {
        event: "Event",
        condition: "Condition",
        barrier: "Barrier",
        v: "SynchronizedValue",
      },
    });
    const fromInit = await pool.apply(() => {
      const [l, e] = (globalThis as Record<string, unknown>).fromInit as [Lock, Event];
      return [l.constructor.name, e.constructor.name, l.acquireSync({ timeout: 0 })];
    });
    assert.deepEqual(fromInit, ["Lock", "Event", true]);
    assert.equal(lock.locked(), true, "the worker holds the very lock of the main program");
  },
);

workerTest("A worker passes a Lock and a Value on to a worker of its own pool", async () => {
  await using pool = new Pool(1, { imports });
  const lock = new Lock();
  const v = Value("i", 0, { lock });
  assert.equal(await pool.apply(tasks.incrementInNestedPool, [lock, v, 1_000]), 1_000);
  assert.equal(v.value, 1_000);
});

workerTest("The tutorial's Lock: ten workers print one at a time", async () => {
  await using pool = new Pool(2, { imports });
  const lock = new Lock();
  const inside = RawArray("i", 2);
  const order = RawArray("i", 10);
  const next = Value("i", 0);
  await pool.starmap(
    (l: Lock, num: number, ins: typeof inside, o: typeof order, n: typeof next) => {
      using _held = l.holdSync();
      if (Atomics.add(ins.typedArray, 0, 1) !== 0) ins[1] = 1; // someone else was inside
      o[n.value] = num; // "print"
      n.value += 1;
      Atomics.sub(ins.typedArray, 0, 1);
    },
    Array.from({ length: 10 }, (_, num) => [lock, num, inside, order, next]),
  );
  assert.equal(inside[1], 0);
  assert.deepEqual([...order].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

Deno.test("Workers blocked in waits stop when their pool is terminated; the program ends", async () => {
  const { code, stdout, elapsed } = await runProgram("terminate_blocked.ts");
  assert.equal(code, 0);
  assert.equal(stdout.trim(), "PoolClosedError PoolClosedError PoolClosedError");
  assert.ok(elapsed < 20_000, `the program took ${elapsed} ms to end`);
});
