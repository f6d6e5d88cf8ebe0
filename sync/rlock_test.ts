import assert from "node:assert/strict";
import { RLock } from "./rlock.ts";

Deno.test("RLock is re-entrant and frees after as many releases", async () => {
  const lock = new RLock();
  for (let i = 0; i < 5; i++) assert.equal(await lock.acquire(), true);
  for (let i = 0; i < 4; i++) lock.release();
  assert.equal(lock.locked(), true);
  lock.release();
  assert.equal(lock.locked(), false);
  assert.throws(() => lock.release(), { name: "InvalidStateError", message: /does not hold/ });
});

Deno.test("RLock.acquireSync() re-enters on the main program without blocking", () => {
  const lock = new RLock();
  assert.equal(lock.acquireSync(), true);
  assert.equal(lock.acquireSync(), true);
  lock.release();
  lock.release();
  assert.equal(lock.locked(), false);
});

Deno.test("RLock.hold() nests with `using`", async () => {
  const lock = new RLock();
  {
    using _a = await lock.hold();
    {
      using _b = lock.holdSync({ timeout: 0 });
    }
    assert.equal(lock.locked(), true);
  }
  assert.equal(lock.locked(), false);
});
