import assert from "node:assert/strict";
import { BoundedSemaphore, Semaphore } from "./semaphore.ts";

Deno.test("Semaphore counts units down and up", async () => {
  const s = new Semaphore(2);
  assert.equal(await s.acquire(), true);
  assert.equal(s.acquireSync({ timeout: 0 }), true);
  assert.equal(s.getValue(), 0);
  assert.equal(await s.acquire({ timeout: 10 }), false);
  s.release(2);
  assert.equal(s.getValue(), 2);
});

Deno.test("Semaphore.release() wakes a waiting acquire", async () => {
  const s = new Semaphore(0);
  const waiting = s.acquire({ timeout: 5_000 });
  setTimeout(() => s.release(), 5);
  assert.equal(await waiting, true);
  assert.equal(s.getValue(), 0);
});

Deno.test("Semaphore refuses bad values", () => {
  assert.throws(() => new Semaphore(-1), { name: "RangeError", message: /value/ });
  assert.throws(() => new Semaphore(1.5), RangeError);
  assert.throws(() => new Semaphore(1).release(0), { name: "RangeError", message: /"n"/ });
  assert.equal(new Semaphore().getValue(), 1);
});

Deno.test("BoundedSemaphore refuses to rise above its initial value", async () => {
  const s = new BoundedSemaphore(2);
  await s.acquire();
  assert.throws(() => s.release(2), { name: "InvalidStateError", message: /more often/ });
  s.release();
  assert.throws(() => s.release(), { name: "InvalidStateError" });
  assert.equal(s.getValue(), 2);
});

Deno.test("Semaphore.hold() gives the unit back through `using`", async () => {
  const s = new Semaphore(1);
  {
    using _unit = await s.hold();
    await assert.rejects(s.hold({ timeout: 5 }), { name: "TimeoutError" });
  }
  assert.equal(s.getValue(), 1);
});
