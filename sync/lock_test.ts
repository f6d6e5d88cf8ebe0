import assert from "node:assert/strict";
import { Lock } from "./lock.ts";

Deno.test("Lock.acquire() takes a free lock and times out on a held one", async () => {
  const lock = new Lock();
  assert.equal(await lock.acquire(), true);
  assert.equal(lock.locked(), true);
  const start = performance.now();
  assert.equal(await lock.acquire({ timeout: 30 }), false);
  assert.ok(performance.now() - start >= 25);
  assert.equal(await lock.acquire({ timeout: 0 }), false);
  lock.release();
  assert.equal(lock.locked(), false);
});

Deno.test("Lock keeps concurrent async functions of the main program apart", async () => {
  const lock = new Lock();
  let inside = 0;
  let most = 0;
  let count = 0;
  await Promise.all(Array.from({ length: 20 }, async () => {
    for (let i = 0; i < 10; i++) {
      using _held = await lock.hold();
      inside++;
      most = Math.max(most, inside);
      await new Promise((resolve) => setTimeout(resolve, 0));
      count++;
      inside--;
    }
  }));
  assert.equal(most, 1);
  assert.equal(count, 200);
});

Deno.test("Lock.release() wakes the main program's waiter", async () => {
  const lock = new Lock();
  await lock.acquire();
  const waiting = lock.acquire({ timeout: 5_000 });
  setTimeout(() => lock.release(), 10);
  assert.equal(await waiting, true);
  lock.release();
});

Deno.test("Lock.acquire() rejects with the signal's reason and leaves the lock usable", async () => {
  const lock = new Lock();
  await lock.acquire();
  const controller = new AbortController();
  const waiting = lock.acquire({ signal: controller.signal });
  setTimeout(() => controller.abort(new Error("stop")), 5);
  await assert.rejects(waiting, { message: "stop" });
  await assert.rejects(lock.acquire({ signal: AbortSignal.abort(new Error("early")) }), {
    message: "early",
  });
  lock.release();
  assert.equal(await lock.acquire({ timeout: 0 }), true);
  lock.release();
});

Deno.test("Lock.release() of an unheld lock is an InvalidStateError", () => {
  const lock = new Lock();
  assert.throws(() => lock.release(), { name: "InvalidStateError", message: /not held/ });
  assert.equal(lock.acquireSync({ timeout: 0 }), true);
  lock.release();
  assert.throws(() => lock.release(), { name: "InvalidStateError" });
});

Deno.test("Lock.acquireSync() refuses to block the main program", () => {
  const lock = new Lock();
  assert.equal(lock.acquireSync(), true); // free: takes it without blocking
  assert.throws(() => lock.acquireSync(), { name: "InvalidStateError", message: /await/ });
  assert.throws(() => lock.holdSync({ timeout: 10 }), { name: "InvalidStateError" });
  assert.throws(() => lock.holdSync({ timeout: 0 }), { name: "TimeoutError" });
  lock.release();
});

Deno.test("Lock.hold() releases once through `using`, and times out with TimeoutError", async () => {
  const lock = new Lock();
  {
    using held = await lock.hold();
    assert.equal(lock.locked(), true);
    await assert.rejects(lock.hold({ timeout: 5 }), { name: "TimeoutError" });
    held[Symbol.dispose]();
    assert.equal(lock.locked(), false);
    await lock.acquire(); // someone else's hold now: the second dispose must not release it
  }
  assert.equal(lock.locked(), true);
  lock.release();
});

Deno.test("Lock rejects bad wait options with errors naming them", async () => {
  const lock = new Lock();
  await lock.acquire();
  await assert.rejects(lock.acquire({ timeout: -1 }), { name: "RangeError", message: /timeout/ });
  await assert.rejects(lock.acquire({ timeout: NaN }), RangeError);
  await assert.rejects(lock.acquire({ signal: "no" as never }), { message: /signal/ });
  lock.release();
});
