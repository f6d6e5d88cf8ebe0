import assert from "node:assert/strict";
import { BrokenBarrierError } from "../errors.ts";
import { Barrier } from "./barrier.ts";

Deno.test("Barrier releases all parties together, round after round, running the action", async () => {
  let actions = 0;
  const b = new Barrier(3, { action: () => actions++ });
  assert.equal(b.parties, 3);
  for (let round = 0; round < 3; round++) {
    const indices = await Promise.all([b.wait(), b.wait(), b.wait()]);
    assert.deepEqual(indices.sort(), [0, 1, 2]);
  }
  assert.equal(actions, 3);
  assert.equal(b.nWaiting, 0);
});

Deno.test("Barrier.nWaiting counts the threads waiting", async () => {
  const b = new Barrier(2);
  const first = b.wait();
  assert.equal(b.nWaiting, 1);
  await b.wait();
  await first;
});

Deno.test("Barrier: a failing action breaks it; its error reaches the last arrival", async () => {
  const b = new Barrier(2, {
    action: () => {
      throw new Error("action failed");
    },
  });
  const first = b.wait();
  await assert.rejects(b.wait(), { message: "action failed" });
  await assert.rejects(first, BrokenBarrierError);
  assert.equal(b.broken, true);
});

Deno.test("Barrier: timeout, abort() and reset()", async () => {
  const b = new Barrier(2, { timeout: 10 });
  await assert.rejects(b.wait(), { name: "BrokenBarrierError", message: /timed out/ });
  await assert.rejects(b.wait(), { message: /broken/ });
  b.reset();
  const waiting = b.wait({ timeout: 5_000 });
  b.reset();
  await assert.rejects(waiting, { message: /reset/ });
  const aborted = b.wait({ timeout: 5_000 });
  b.abort();
  await assert.rejects(aborted, BrokenBarrierError);
  b.reset();
  assert.deepEqual((await Promise.all([b.wait(), b.wait()])).sort(), [0, 1]);
});

Deno.test("Barrier refuses bad arguments", () => {
  assert.throws(() => new Barrier(0), { name: "RangeError", message: /parties/ });
  assert.throws(() => new Barrier(70_000), RangeError);
  assert.throws(() => new Barrier(2, { action: 5 as never }), TypeError);
  assert.throws(() => new Barrier(2, { timeout: -1 }), RangeError);
  assert.throws(() => new Barrier(2).waitSync(), { name: "InvalidStateError" });
});

Deno.test("Barrier: more threads than parties wait for the next round, as in Python", async () => {
  const b = new Barrier(2);
  let actions = 0;
  const withAction = new Barrier(3, { action: () => actions++ });
  const rounds = await Promise.all(Array.from({ length: 6 }, () => b.wait({ timeout: 5_000 })));
  assert.deepEqual(rounds.sort(), [0, 0, 0, 1, 1, 1]);
  assert.equal(b.broken, false);
  await Promise.all(Array.from({ length: 9 }, () => withAction.wait({ timeout: 5_000 })));
  assert.equal(actions, 3);
  assert.equal(withAction.nWaiting, 0);
});
