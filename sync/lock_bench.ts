/**
 * `deno bench sync/lock_bench.ts`: the uncontended fast paths of `sync/` and `shared/` on the
 * main thread, each group beside a raw `Atomics` baseline timed in the same run (this VM is
 * noisy: compare within a group). An uncontended `acquireSync()` takes its fast path (one
 * compare-and-swap) and never blocks, so it is allowed on the main thread too.
 *
 * Issue 3's targets in a worker, and Python beside them, are in `deno task bench`
 * (`bench/sync.ts`).
 *
 * @module
 */

import { BoundedSemaphore, Event, Lock, RLock, Semaphore } from "./mod.ts";
import { Value } from "../shared/value.ts";

const cell = new Int32Array(new SharedArrayBuffer(20));
const lock = new Lock();
const rlock = new RLock();
const semaphore = new Semaphore(1);
const bounded = new BoundedSemaphore(1);
const event = new Event();
const counter = Value("i", 0);
const plainCounter = Value("i", 0, { lock: new Lock() });
let sink = 0;

Deno.bench({
  name: "2 × Atomics.compareExchange (baseline)",
  group: "acquire + release",
  baseline: true,
  fn() {
    Atomics.compareExchange(cell, 0, 0, 7);
    Atomics.compareExchange(cell, 0, 7, 0);
  },
});

Deno.bench({
  name: "Lock acquireSync + release",
  group: "acquire + release",
  fn() {
    lock.acquireSync();
    lock.release();
  },
});

Deno.bench({
  name: "RLock acquireSync + release",
  group: "acquire + release",
  fn() {
    rlock.acquireSync();
    rlock.release();
  },
});

Deno.bench({
  name: "RLock re-entered: 2 × acquireSync + 2 × release",
  group: "acquire + release",
  fn() {
    rlock.acquireSync();
    rlock.acquireSync();
    rlock.release();
    rlock.release();
  },
});

Deno.bench({
  name: "Lock holdSync, released by using",
  group: "acquire + release",
  fn() {
    using _held = lock.holdSync();
  },
});

Deno.bench({
  name: "Semaphore acquireSync + release",
  group: "acquire + release",
  fn() {
    semaphore.acquireSync();
    semaphore.release();
  },
});

Deno.bench({
  name: "BoundedSemaphore acquireSync + release",
  group: "acquire + release",
  fn() {
    bounded.acquireSync();
    bounded.release();
  },
});

Deno.bench({
  name: "await Lock.acquire() + release (uncontended, a resolved promise)",
  group: "acquire + release",
  async fn() {
    await lock.acquire();
    lock.release();
  },
});

Deno.bench({
  name: "Atomics.load (baseline)",
  group: "read + write",
  baseline: true,
  fn() {
    sink += Atomics.load(cell, 1);
  },
});

Deno.bench({
  name: "Event.isSet",
  group: "read + write",
  fn() {
    if (event.isSet()) sink++;
  },
});

Deno.bench({
  name: "Value get",
  group: "read + write",
  fn() {
    sink += counter.value;
  },
});

Deno.bench({
  name: "Value set",
  group: "read + write",
  fn() {
    counter.value = sink & 0xffff;
  },
});

Deno.bench({
  name: "2 × Atomics.compareExchange around a plain += 1 (baseline)",
  group: "locked increment",
  baseline: true,
  fn() {
    Atomics.compareExchange(cell, 0, 0, 7);
    cell[2] = (cell[2]! + 1) & 0xffff;
    Atomics.compareExchange(cell, 0, 7, 0);
  },
});

Deno.bench({
  name: "Value += 1 under getLock() (RLock, the default)",
  group: "locked increment",
  fn() {
    const held = counter.getLock();
    held.acquireSync();
    counter.value = (counter.value + 1) & 0xffff;
    held.release();
  },
});

Deno.bench({
  name: "Value += 1 under getLock() (Lock)",
  group: "locked increment",
  fn() {
    const held = plainCounter.getLock();
    held.acquireSync();
    plainCounter.value = (plainCounter.value + 1) & 0xffff;
    held.release();
  },
});
