/**
 * `Event`: Python's `multiprocessing.Event`, a flag shared by the main program and every
 * worker, that threads can wait for.
 *
 * @module
 */

import { fromShared, Revival, type SharedHandle, toShared } from "../_internal/shareable.ts";
import {
  assertMayBlock,
  type Attempt,
  checkWait,
  DONE,
  retry,
  runAsync,
  runSync,
  SYNC_WAIT_KEYS,
  type WaitOptions,
} from "../_internal/futex.ts";

/** The state of the instance being revived in this thread (see `[fromShared]`). */
const revival = new Revival<SharedArrayBuffer>();

/**
 * One cell: the flag (bit 0) and how many times it was set (the other bits), changed together
 * atomically. A waiter returns once either shows a set(), so a `set()` at once followed by
 * `clear()` still wakes it, as in Python.
 */
const STATE = 0;
const FLAG = 1;
const ONE_SET = 2;

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
  #cell: Int32Array = new Int32Array(revival.take() ?? new SharedArrayBuffer(4));

  /** Set now, or set since the state `before` was read. */
  #setSince(before: number): Attempt {
    const cell = this.#cell;
    return () => {
      const now = Atomics.load(cell, STATE);
      return (now & FLAG) !== 0 || (now & ~FLAG) !== (before & ~FLAG) ? DONE : now;
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
    const cell = this.#cell;
    for (;;) {
      const state = Atomics.load(cell, STATE);
      if ((state & FLAG) !== 0) return; // set already: nobody waits
      if (Atomics.compareExchange(cell, STATE, state, (state + ONE_SET) | FLAG) === state) break;
    }
    Atomics.notify(cell, STATE);
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
    Atomics.and(this.#cell, STATE, ~FLAG);
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
    return (Atomics.load(this.#cell, STATE) & FLAG) !== 0;
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
    const before = Atomics.load(this.#cell, STATE);
    if ((before & FLAG) !== 0) return true;
    const timeout = checkWait(options, "Event.wait");
    const waiting = retry(this.#cell, this.#setSince(before), timeout);
    return await runAsync(this.#cell, STATE, waiting, options?.signal);
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
    const before = Atomics.load(this.#cell, STATE);
    if ((before & FLAG) !== 0) return true;
    const timeout = checkWait(options, "Event.waitSync", SYNC_WAIT_KEYS);
    assertMayBlock("Event.waitSync", "event.wait", timeout);
    return runSync(this.#cell, STATE, retry(this.#cell, this.#setSince(before), timeout));
  }

  /** @internal What crosses into a worker. */
  [toShared](): SharedHandle {
    return { module: import.meta.url, export: "Event", state: this.#cell.buffer };
  }

  /** @internal Rebuilds the event in a worker. */
  static [fromShared](state: unknown): Event {
    return revival.revive(state as SharedArrayBuffer, () => new Event());
  }
}
