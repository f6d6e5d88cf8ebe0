import assert from "node:assert/strict";
import { Condition } from "./condition.ts";
import { Lock } from "./lock.ts";
import { RLock } from "./rlock.ts";

Deno.test("Condition.wait() and notify() need the lock held", async () => {
  const c = new Condition();
  await assert.rejects(c.wait({ timeout: 1 }), { name: "InvalidStateError" });
  assert.throws(() => c.notify(), { name: "InvalidStateError" });
  assert.throws(() => c.notifyAll(), { name: "InvalidStateError" });
  assert.throws(() => new Condition({} as Lock), TypeError);
});

Deno.test("Condition.wait() times out with the lock taken back, RLock depth restored", async () => {
  const lock = new RLock();
  const c = new Condition(lock);
  await lock.acquire();
  await lock.acquire();
  assert.equal(await c.wait({ timeout: 10 }), false);
  lock.release();
  assert.equal(lock.locked(), true, "still held once: the depth of 2 was restored");
  lock.release();
  assert.equal(lock.locked(), false);
});

Deno.test("Condition.notify(1) wakes one waiter of the main program, notifyAll the rest", async () => {
  const c = new Condition(new Lock());
  let woken = 0;
  const waiters = Array.from({ length: 3 }, async () => {
    using _held = await c.hold();
    const notified = await c.wait({ timeout: 5_000 });
    woken++;
    return notified;
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
  {
    using _held = await c.hold();
    c.notify(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(woken, 1);
  {
    using _held = await c.hold();
    c.notifyAll();
  }
  assert.deepEqual(await Promise.all(waiters), [true, true, true]);
});

Deno.test("Condition.waitFor() returns the predicate's value, or falsy on timeout", async () => {
  const c = new Condition();
  let ready = 0;
  setTimeout(async () => {
    using _held = await c.hold();
    ready = 7;
    c.notifyAll();
  }, 5);
  {
    using _held = await c.hold();
    assert.equal(await c.waitFor(() => ready, { timeout: 5_000 }), 7);
    assert.equal(await c.waitFor(() => ready > 100, { timeout: 10 }), false);
    assert.equal(c.waitForSync(() => "now", { timeout: 0 }), "now");
  }
});

Deno.test("Condition.wait() keeps a notification that races its abort", async () => {
  const c = new Condition();
  const controller = new AbortController();
  const waiting = (async () => {
    using _held = await c.hold();
    return await c.wait({ signal: controller.signal });
  })();
  await new Promise((resolve) => setTimeout(resolve, 5));
  controller.abort(new Error("aborted"));
  await assert.rejects(waiting, { message: "aborted" });
  assert.equal(c.acquireSync({ timeout: 0 }), true, "the lock was given back after the abort");
  c.release();
});
