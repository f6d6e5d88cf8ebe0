import assert from "node:assert/strict";
import { ClosedError, EmptyError, FullError } from "../errors.ts";
import { JoinableQueue } from "./joinable_queue.ts";
import { Queue } from "./queue.ts";
import { SimpleQueue } from "./simple_queue.ts";

Deno.test("Queue is first in, first out, for values of every kind", async () => {
  const q = new Queue();
  const values = [1, "two", { three: [3] }, new Map([[4, 4]]), null, undefined, 5n, -0];
  for (const v of values) await q.put(v);
  assert.equal(q.qsize(), values.length);
  for (const v of values) assert.deepEqual(await q.get(), v);
  assert.equal(q.empty(), true);
});

Deno.test("Queue.get() waits for a put; times out with EmptyError; aborts", async () => {
  const q = new Queue<number>();
  setTimeout(() => q.putNowait(1), 5);
  assert.equal(await q.get({ timeout: 5_000 }), 1);
  await assert.rejects(q.get({ timeout: 10 }), EmptyError);
  await assert.rejects(q.get({ block: false }), EmptyError);
  assert.throws(() => q.getNowait(), EmptyError);
  assert.throws(() => q.getSync({ timeout: 0 }), EmptyError);
  assert.throws(() => q.getSync(), { name: "InvalidStateError" });
  const controller = new AbortController();
  const waiting = q.get({ signal: controller.signal });
  controller.abort(new Error("stop"));
  await assert.rejects(waiting, { message: "stop" });
});

Deno.test("Queue(maxsize): put waits for room in the main program too", async () => {
  const q = new Queue<number>(1);
  await q.put(1);
  assert.equal(q.full(), true);
  const putting = q.put(2);
  setTimeout(() => q.getNowait(), 5);
  await putting;
  assert.equal(q.getNowait(), 2);
  await q.put(3);
  await assert.rejects(q.put(4, { timeout: 5 }), FullError);
  assert.throws(() => q.putSync(4, { block: false }), FullError);
});

Deno.test("Queue: two waiting puts of the main program keep their own values", async () => {
  const q = new Queue<string>(1);
  await q.put("a");
  const b = q.put("b");
  const c = q.put("c");
  assert.equal(await q.get(), "a");
  assert.equal(await q.get(), "b");
  await b;
  assert.equal(await q.get(), "c");
  await c;
});

Deno.test("Queue: a closed handle refuses, carrying the value; others go on", async () => {
  const q = new Queue<number>();
  q.putNowait(1);
  q.close();
  assert.equal(q.closed, true);
  assert.throws(() => q.putNowait(2), (e) => e instanceof ClosedError && e.value === 2);
  await assert.rejects(q.put(3), (e) => e instanceof ClosedError && e.value === 3);
  assert.throws(() => q.getNowait(), ClosedError);
});

Deno.test("Queue refuses a bad maxsize and uncloneable values", () => {
  assert.throws(() => new Queue(-1), { name: "RangeError", message: /maxsize/ });
  assert.throws(() => new Queue(1.5), RangeError);
  assert.throws(() => new Queue().putNowait(() => 1), { name: "TypeError", message: /function/ });
});

Deno.test("SimpleQueue puts, gets and closes", async () => {
  const q = new SimpleQueue<number>();
  q.put(1);
  q.put(2);
  assert.equal(await q.get(), 1);
  assert.equal(q.getSync(), 2);
  assert.equal(q.empty(), true);
  await assert.rejects(q.get({ timeout: 5 }), EmptyError);
  assert.throws(() => q.getSync({ timeout: 0 }), EmptyError);
  await assert.rejects(q.get({ signal: AbortSignal.abort(new Error("no")) }), { message: "no" });
  q.close();
  assert.throws(() => q.put(3), ClosedError);
});

Deno.test("JoinableQueue.join() waits for taskDone() of every put", async () => {
  const q = new JoinableQueue<string>();
  await q.put("a");
  await q.put("b");
  assert.equal(await q.join({ timeout: 5 }), false);
  const joined = q.join();
  await q.get();
  q.taskDone();
  await q.get();
  setTimeout(() => q.taskDone(), 5);
  assert.equal(await joined, true);
  assert.throws(() => q.taskDone(), { name: "InvalidStateError" });
  assert.equal(q.joinSync({ timeout: 0 }), true);
});
