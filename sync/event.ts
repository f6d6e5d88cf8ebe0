/**
 * `Event`: Python's `multiprocessing.Event`, a flag shared by the main program and every
 * worker, that threads can wait for.
 *
 * @module
 */

import { fromShared, type SharedHandle, toShared } from "../_internal/shareable.ts";
import {
  assertMayBlock,
  type Attempt,
  checkWait,
  DONE,
  retry,
  runAsync,
  runSync,
  type WaitOptions,
} from "./_futex.ts";

const FLAG = 0;
/**
 * How many times the flag was set: what waiters sleep on. A waiter returns once it changes,
 * so a `set()` at once followed by `clear()` still wakes it, as in Python.
 */
const SETS = 1;

/**
 * A flag over shared memory (Python's `multiprocessing.Event`): `set()` wakes every waiter,
 * `clear()` resets it, `wait()` returns once it is set. Pass it to workers as an argument.
 *
 * @example A worker waits for the main program's go
 * ```ts
 * import { Event, Pool } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const go = new Event();
 * await using pool = new Pool(1);
 * const waited = pool.apply((e: Event) => e.waitSync({ timeout: 10_000 }), [go]);
 * go.set();
 * assert.equal(await waited, true);
 * ```
 */
export class Event {
  #cell: Int32Array = new Int32Array(new SharedArrayBuffer(8));

  /** Set now, or set since `sets` was read. */
  #setSince(sets: number): Attempt {
    const cell = this.#cell;
    return () => {
      const now = Atomics.load(cell, SETS);
      return Atomics.load(cell, FLAG) === 1 || now !== sets ? DONE : now;
    };
  }

  /**
   * Sets the flag and wakes every waiter.
   *
   * @example
   * ```ts
   * import { Event } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const e = new Event();
   * e.set();
   * assert.equal(e.isSet(), true);
   * ```
   */
  set(): void {
    Atomics.store(this.#cell, FLAG, 1);
    Atomics.add(this.#cell, SETS, 1);
    Atomics.notify(this.#cell, SETS);
  }

  /**
   * Resets the flag: later waits wait again.
   *
   * @example
   * ```ts
   * import { Event } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const e = new Event();
   * e.set();
   * e.clear();
   * assert.equal(e.isSet(), false);
   * ```
   */
  clear(): void {
    Atomics.store(this.#cell, FLAG, 0);
  }

  /**
   * Whether the flag is set (Python's `is_set()`).
   *
   * @returns `true` when set.
   *
   * @example
   * ```ts
   * import { Event } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new Event().isSet(), false);
   * ```
   */
  isSet(): boolean {
    return Atomics.load(this.#cell, FLAG) === 1;
  }

  /**
   * Waits, without blocking the thread, until the flag is set.
   *
   * @param options `timeout` in ms and `signal` to give up.
   * @returns `true` when the flag is set, `false` if the timeout passed first (as Python).
   *
   * @example
   * ```ts
   * import { Event } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const e = new Event();
   * assert.equal(await e.wait({ timeout: 5 }), false);
   * setTimeout(() => e.set(), 5);
   * assert.equal(await e.wait(), true);
   * ```
   */
  async wait(options?: WaitOptions): Promise<boolean> {
    const sets = Atomics.load(this.#cell, SETS); // first: a set() after it is never missed
    if (this.isSet()) return true;
    const timeout = checkWait(options, "Event.wait");
    const waiting = retry(this.#cell, this.#setSince(sets), timeout);
    return await runAsync(this.#cell, SETS, waiting, options?.signal);
  }

  /**
   * Waits until the flag is set, blocking the thread: for worker code. In the main program
   * only `{ timeout: 0 }` is allowed.
   *
   * @param options `timeout` in ms.
   * @returns `true` when the flag is set, `false` if the timeout passed first.
   * @throws {DOMException} `InvalidStateError` when it would block the main program's thread.
   *
   * @example
   * ```ts
   * import { Event } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const e = new Event();
   * assert.equal(e.waitSync({ timeout: 0 }), false);
   * ```
   */
  waitSync(options?: Omit<WaitOptions, "signal">): boolean {
    const sets = Atomics.load(this.#cell, SETS);
    if (this.isSet()) return true;
    const timeout = checkWait(options, "Event.waitSync");
    assertMayBlock("Event.waitSync", "event.wait", timeout);
    return runSync(this.#cell, SETS, retry(this.#cell, this.#setSince(sets), timeout));
  }

  /** @internal What crosses into a worker. */
  [toShared](): SharedHandle {
    return { module: import.meta.url, export: "Event", state: this.#cell.buffer };
  }

  /** @internal Rebuilds the event in a worker. */
  static [fromShared](state: unknown): Event {
    const event = new Event();
    event.#cell = new Int32Array(state as SharedArrayBuffer);
    return event;
  }
}
