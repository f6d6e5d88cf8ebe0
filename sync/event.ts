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
  #cell: Int32Array = new Int32Array(new SharedArrayBuffer(4));
  #isSet: Attempt = () => Atomics.load(this.#cell, FLAG) === 1 ? DONE : 0;

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
    Atomics.notify(this.#cell, FLAG);
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
    if (this.isSet()) return true;
    const timeout = checkWait(options, "Event.wait");
    return await runAsync(
      this.#cell,
      FLAG,
      retry(this.#cell, this.#isSet, timeout),
      options?.signal,
    );
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
    if (this.isSet()) return true;
    const timeout = checkWait(options, "Event.waitSync");
    assertMayBlock("Event.waitSync", "event.wait", timeout);
    return runSync(this.#cell, FLAG, retry(this.#cell, this.#isSet, timeout));
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
