/**
 * `Semaphore` and `BoundedSemaphore`: Python's `multiprocessing.Semaphore` and
 * `BoundedSemaphore`, counters shared by the main program and every worker.
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
import { hold, holdSync } from "./_holding.ts";
import { assertNumber, describeValue } from "../_internal/checks.ts";

/** The state of the instance being revived in this thread (see `[fromShared]`). */
const revival = new Revival<SharedArrayBuffer>();

const VALUE = 0;
const WAITERS = 1;
const BOUND = 2;
const UNBOUNDED = 0x7fff_ffff;

function checkValue(value: unknown, what: string): number {
  const expected = `an integer from 0 to ${UNBOUNDED}`;
  assertNumber(value, `${what}: "value"`, expected);
  if (!Number.isInteger(value) || value < 0 || value > UNBOUNDED) {
    throw new RangeError(`${what}: "value" must be ${expected}, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * A counting semaphore over shared memory (Python's `multiprocessing.Semaphore`):
 * `acquire` takes one unit, waiting while there is none; `release` gives one back and wakes a
 * waiter. Works across the main program and all workers; pass it to workers as an argument.
 *
 * @example At most two workers at a time
 * ```ts
 * import { Pool, Semaphore } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const slots = new Semaphore(2);
 * await using pool = new Pool(2);
 * const left = await pool.map((s: Semaphore) => {
 *   using _slot = s.holdSync();
 *   return s.getValue(); // 0 or 1 while this worker holds a unit
 * }, [slots, slots, slots, slots]);
 * assert.ok(left.every((n) => n <= 1));
 * assert.equal(slots.getValue(), 2);
 * ```
 */
export class Semaphore {
  #cell: Int32Array;
  #take: Attempt = () => {
    const cell = this.#cell;
    for (;;) {
      const value = Atomics.load(cell, VALUE);
      if (value === 0) return 0;
      if (Atomics.compareExchange(cell, VALUE, value, value - 1) === value) return DONE;
    }
  };

  /**
   * A semaphore holding `value` units.
   *
   * @param value The initial count.
   * @default {1}
   * @throws {RangeError} `value` is not an integer from 0 to 2³¹ − 1.
   */
  constructor(value = 1) {
    const revived = revival.take();
    if (revived !== undefined) {
      this.#cell = new Int32Array(revived);
      return;
    }
    checkValue(value, `new ${new.target.name}()`);
    this.#cell = new Int32Array(new SharedArrayBuffer(12));
    this.#cell[VALUE] = value;
    this.#cell[BOUND] = this instanceof BoundedSemaphore ? value : UNBOUNDED;
  }

  /**
   * Takes one unit, waiting without blocking the thread while there is none.
   *
   * @param options `timeout` in ms (`0` only tries) and `signal` to give up.
   * @returns `true` once taken, `false` if the timeout passed first.
   *
   * @example
   * ```ts
   * import { Semaphore } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const s = new Semaphore(1);
   * assert.equal(await s.acquire(), true);
   * assert.equal(await s.acquire({ timeout: 5 }), false);
   * ```
   */
  async acquire(options?: WaitOptions): Promise<boolean> {
    // Options are checked first, so a bad one is refused even when a unit is free (as
    // Lock.acquire does; the Sync twins keep their fast path for a call without options).
    const timeout = checkWait(options, `${this.constructor.name}.acquire`);
    if (this.#take() === DONE) return true;
    return await runAsync(
      this.#cell,
      VALUE,
      retry(this.#cell, this.#take, timeout, WAITERS),
      options?.signal,
    );
  }

  /**
   * Takes one unit, blocking the thread while there is none: for worker code. In the main
   * program only `{ timeout: 0 }` is allowed.
   *
   * @param options `timeout` in ms (`0` only tries).
   * @returns `true` once taken, `false` if the timeout passed first.
   * @throws {DOMException} `InvalidStateError` when it would block the main program's thread.
   *
   * @example
   * ```ts
   * import { Semaphore } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const s = new Semaphore(0);
   * assert.equal(s.acquireSync({ timeout: 0 }), false);
   * ```
   */
  acquireSync(options?: Omit<WaitOptions, "signal">): boolean {
    if (options === undefined && this.#take() === DONE) return true;
    const name = this.constructor.name;
    const timeout = checkWait(options, `${name}.acquireSync`, SYNC_WAIT_KEYS);
    assertMayBlock(`${name}.acquireSync`, "semaphore.acquire", timeout);
    return runSync(this.#cell, VALUE, retry(this.#cell, this.#take, timeout, WAITERS));
  }

  /**
   * Gives back `n` units and wakes as many waiters.
   *
   * @param n How many units.
   * @default {1}
   * @throws {DOMException} `InvalidStateError` when a `BoundedSemaphore` would rise above its
   * initial value.
   *
   * @example
   * ```ts
   * import { Semaphore } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const s = new Semaphore(0);
   * s.release(2);
   * assert.equal(s.getValue(), 2);
   * ```
   */
  release(n = 1): void {
    assertNumber(n, `${this.constructor.name}.release: "n"`, "an integer ≥ 1");
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(
        `${this.constructor.name}.release: "n" must be an integer ≥ 1, got ${describeValue(n)}`,
      );
    }
    const cell = this.#cell;
    const bound = cell[BOUND]!;
    for (;;) {
      const value = Atomics.load(cell, VALUE);
      if (value + n > bound) {
        throw new DOMException(
          bound === UNBOUNDED
            ? `Cannot release the Semaphore: its value would pass ${UNBOUNDED}`
            : `Cannot release the BoundedSemaphore: it was released more often than acquired ` +
              `(its value may not rise above ${bound})`,
          "InvalidStateError",
        );
      }
      if (Atomics.compareExchange(cell, VALUE, value, value + n) === value) break;
    }
    if (Atomics.load(cell, WAITERS) > 0) Atomics.notify(cell, VALUE, n);
  }

  /**
   * The units left (Python's `get_value()`).
   *
   * @returns The current count.
   *
   * @example
   * ```ts
   * import { Semaphore } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new Semaphore(3).getValue(), 3);
   * ```
   */
  getValue(): number {
    return Atomics.load(this.#cell, VALUE);
  }

  /**
   * Takes a unit and returns a handle that gives it back, for `using`.
   *
   * @param options `timeout` in ms and `signal`.
   * @returns A `Disposable` whose disposal releases one unit (once).
   * @throws {DOMException} `TimeoutError` if the timeout passed first.
   *
   * @example
   * ```ts
   * import { Semaphore } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const s = new Semaphore(1);
   * {
   *   using _unit = await s.hold();
   *   assert.equal(s.getValue(), 0);
   * }
   * assert.equal(s.getValue(), 1);
   * ```
   */
  hold(options?: WaitOptions): Promise<Disposable> {
    return hold(this, `the ${this.constructor.name}`, options);
  }

  /**
   * {@linkcode Semaphore.hold} for worker code: blocks while it waits.
   *
   * @param options `timeout` in ms.
   * @returns A `Disposable` whose disposal releases one unit (once).
   * @throws {DOMException} `TimeoutError` if the timeout passed first; `InvalidStateError`
   * when it would block the main program's thread.
   *
   * @example
   * ```ts
   * import { Semaphore } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const s = new Semaphore(1);
   * {
   *   using _unit = s.holdSync({ timeout: 0 });
   *   assert.equal(s.getValue(), 0);
   * }
   * ```
   */
  holdSync(options?: Omit<WaitOptions, "signal">): Disposable {
    return holdSync(this, `the ${this.constructor.name}`, options);
  }

  /** @internal What crosses into a worker. */
  [toShared](): SharedHandle {
    return {
      module: import.meta.url,
      export: this instanceof BoundedSemaphore ? "BoundedSemaphore" : "Semaphore",
      state: this.#cell.buffer,
    };
  }

  /** @internal Rebuilds the semaphore in a worker. */
  static [fromShared](state: unknown): Semaphore {
    return revival.revive(state as SharedArrayBuffer, () => new this(0));
  }
}

/**
 * A semaphore that may not be released above its initial value (Python's
 * `multiprocessing.BoundedSemaphore`): releasing more often than acquiring is an error rather
 * than a silent extra unit.
 *
 * @example
 * ```ts
 * import { BoundedSemaphore } from "@workers/multiprocessing/sync";
 * import assert from "node:assert/strict";
 *
 * const s = new BoundedSemaphore(1);
 * await s.acquire();
 * s.release();
 * assert.throws(() => s.release(), { name: "InvalidStateError" });
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  /**
   * A semaphore holding `value` units, and never more.
   *
   * @param value The initial count, which is also the bound.
   * @default {1}
   * @throws {RangeError} `value` is not an integer from 0 to 2³¹ − 1.
   */
  constructor(value = 1) {
    super(value);
  }
}
