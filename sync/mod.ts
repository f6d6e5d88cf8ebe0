/**
 * Synchronisation across the main program and every worker: Python's `Lock`, `RLock`,
 * `Semaphore`, `BoundedSemaphore`, `Event`, `Condition` and `Barrier`, each a thin object over
 * a `SharedArrayBuffer` and `Atomics`. Pass one to a worker (as a task argument, in `initargs`,
 * nested in arrays or plain objects) and it arrives there as the same object; workers use it
 * directly, with no message through the main program.
 *
 * Every waiting method has two forms. `acquire()`, `wait()`… return promises and never block
 * the thread: use them in the main program (a notebook too). `acquireSync()`, `waitSync()`…
 * block in Python's style: use them in worker code. Each takes `{ timeout }` in milliseconds
 * (Python returns `False` on a timeout, so they resolve `false`; `Barrier` rejects with
 * `BrokenBarrierError` as Python raises), and the promise forms take `{ signal }` too. Locks
 * and semaphores can be held with `using`: `using _held = await lock.hold()`.
 *
 * A waiter spins for a few microseconds before it sleeps, so a quick hand-off between workers
 * costs microseconds rather than the ~80 µs of a sleep and wake-up, and an idle waiter burns
 * no core.
 *
 * @example Two workers add 20,000 each under one lock
 * ```ts
 * import { Lock, Pool, Value } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const counter = Value("i", 0);
 * await using pool = new Pool(2);
 * await pool.map((v: typeof counter) => {
 *   for (let i = 0; i < 20_000; i++) {
 *     using _held = v.getLock().holdSync();
 *     v.value += 1;
 *   }
 * }, [counter, counter]);
 * assert.equal(counter.value, 40_000);
 * ```
 *
 * @module
 */

export * from "./lock.ts";
export * from "./rlock.ts";
export * from "./semaphore.ts";
export * from "./event.ts";
export * from "./condition.ts";
export * from "./barrier.ts";
export type { WaitOptions } from "../_internal/futex.ts";
