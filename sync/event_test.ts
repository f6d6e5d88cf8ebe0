import assert from "node:assert/strict";
import { Event } from "./event.ts";

Deno.test("Event.wait() resolves once set, false on timeout", async () => {
  const e = new Event();
  assert.equal(await e.wait({ timeout: 10 }), false);
  const waiters = [e.wait(), e.wait({ timeout: 5_000 })];
  setTimeout(() => e.set(), 5);
  assert.deepEqual(await Promise.all(waiters), [true, true]);
  assert.equal(e.waitSync(), true); // set: returns at once, even on the main program
  e.clear();
  assert.equal(e.isSet(), false);
  assert.throws(() => e.waitSync(), { name: "InvalidStateError" });
});

Deno.test("Event.wait() rejects when aborted", async () => {
  const e = new Event();
  const controller = new AbortController();
  const waiting = e.wait({ signal: controller.signal });
  controller.abort(new Error("no more"));
  await assert.rejects(waiting, { message: "no more" });
});

Deno.test("Event: set() then clear() at once still wakes a waiter, as in Python", async () => {
  const e = new Event();
  const waiting = e.wait({ timeout: 5_000 });
  setTimeout(() => {
    e.set();
    e.clear();
  }, 5);
  assert.equal(await waiting, true);
  assert.equal(e.isSet(), false);
});
