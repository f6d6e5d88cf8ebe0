/**
 * `Lock`: Python's `multiprocessing.Lock`, a mutex shared by the main program and every worker.
 *
 * @module
 */

import { fromShared, Revival, type SharedHandle, toShared } from "../_internal/shareable.ts";
import {
  assertMayBlock,
  checkWait,
  runAsync,
  runSync,
  SYNC_WAIT_KEYS,
  type WaitOptions,
} from "../_internal/futex.ts";
import { selfIdent } from "../_internal/identity.ts";
import { hold, holdSync } from "./_holding.ts";
import {
  locking,
  type MutexAccess,
  mutexOf,
  newMutex,
  ownerOf,
  self,
  tryLock,
  unlock,
} from "../_internal/mutex.ts";

/** The state of the instance being revived in this thread (see `[fromShared]`). */
const revival = new Revival<SharedArrayBuffer>();

/**
 * A lock over shared memory (Python's `multiprocessing.Lock`): at most one holder at a time,
 * across the main program and all workers. Pass it to workers as an argument (or inside
 * arrays, plain objects, `initargs`): it arrives as the same lock.
 *
 * The main program waits with `await lock.acquire()`, never blocking its thread; worker code
 * may also block in Python's style with `lock.acquireSync()`. A waiter spins a few
 * microseconds before it sleeps, so a quick hand-off costs microseconds, and one that has
 * waited long is handed the lock directly, so no waiter starves. As in Python, a `Lock` is not
 * re-entrant (use {@linkcode RLock}), and any thread may release it.
 *
 * An uncontended `acquireSync()` + `release()` is two compare-and-swaps (≈ 28 ns). As in
 * Python, a lock its holder never releases stays held: hold it with `using` (or release it in
 * `finally`), and give waits a `timeout`.
 *
 * @example Serialise printing, as the tutorial does
 * ```ts
 * import { Lock, Pool } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const lock = new Lock();
 * await using pool = new Pool(2);
 * const said = await pool.starmap((l: Lock, i: number) => {
 *   using _held = l.holdSync(); // one worker at a time in here
 *   return `hello world ${i}`;
 * }, [0, 1, 2].map((i) => [lock, i]));
 * assert.deepEqual(said, ["hello world 0", "hello world 1", "hello world 2"]);
 * ```
 *
 * @example Hold it with `using`
 * ```ts
 * import { Lock } from "@workers/multiprocessing/sync";
 * import assert from "node:assert/strict";
 *
 * const lock = new Lock();
 * {
 *   using _held = await lock.hold();
 *   assert.equal(lock.locked(), true);
 *   assert.equal(await lock.acquire({ timeout: 10 }), false); // not re-entrant
 * }
 * assert.equal(lock.locked(), false);
 * ```
 */
export class Lock {
  #cell: Int32Array;

  /** A new, unlocked lock. */
  constructor() {
    const revived = revival.take();
    this.#cell = revived === undefined ? newMutex() : new Int32Array(revived);
  }

  /**
   * Acquires the lock, waiting without blocking the thread.
   *
   * @param options `timeout` in ms (`0` only tries; default: wait as long as it takes) and
   * `signal` to give up.
   * @returns `true` once acquired, `false` if the timeout passed first.
   * @throws {RangeError} A negative or `NaN` timeout.
   *
   * @example Try with a timeout
   * ```ts
   * import { Lock } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const lock = new Lock();
   * assert.equal(await lock.acquire(), true);
   * assert.equal(await lock.acquire({ timeout: 5 }), false);
   * lock.release();
   * ```
   */
  async acquire(options?: WaitOptions): Promise<boolean> {
    if (options === undefined && tryLock(this.#cell, self())) return true;
    const timeout = checkWait(options, "Lock.acquire");
    return await runAsync(this.#cell, 0, locking(this.#cell, self(), timeout), options?.signal);
  }

  /**
   * Acquires the lock, blocking the thread while it waits: for worker code written in
   * Python's style. In the main program only `{ timeout: 0 }` (try without waiting) is
   * allowed; use {@linkcode Lock.acquire} there.
   *
   * @param options `timeout` in ms (`0` only tries; default: wait as long as it takes).
   * @returns `true` once acquired, `false` if the timeout passed first.
   * @throws {DOMException} `InvalidStateError` when it would block the main program's thread.
   *
   * @example Try without waiting
   * ```ts
   * import { Lock } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const lock = new Lock();
   * assert.equal(lock.acquireSync({ timeout: 0 }), true);
   * assert.equal(lock.acquireSync({ timeout: 0 }), false);
   * lock.release();
   * ```
   */
  acquireSync(options?: Omit<WaitOptions, "signal">): boolean {
    const me = selfIdent;
    // Uncontended and without options: nothing to check (options are checked even then).
    if (options === undefined && Atomics.compareExchange(this.#cell, 0, 0, me) === 0) return true;
    const timeout = checkWait(options, "Lock.acquireSync", SYNC_WAIT_KEYS);
    assertMayBlock("Lock.acquireSync", "lock.acquire", timeout);
    return runSync(this.#cell, 0, locking(this.#cell, me, timeout));
  }

  /**
   * Releases the lock (from any thread, as Python allows).
   *
   * @throws {DOMException} `InvalidStateError` when the lock is not held.
   *
   * @example Releasing an unheld lock is an error
   * ```ts
   * import { Lock } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * assert.throws(() => new Lock().release(), { name: "InvalidStateError" });
   * ```
   */
  release(): void {
    const me = selfIdent;
    if (Atomics.compareExchange(this.#cell, 0, me, 0) !== me) unlock(this.#cell);
  }

  /**
   * Acquires the lock and returns a handle that releases it, for `using`.
   *
   * @param options `timeout` in ms and `signal`, as for {@linkcode Lock.acquire}.
   * @returns A `Disposable` whose disposal releases the lock (once).
   * @throws {DOMException} `TimeoutError` if the timeout passed first.
   *
   * @example
   * ```ts
   * import { Lock } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const lock = new Lock();
   * {
   *   using _held = await lock.hold({ timeout: 1_000 });
   *   assert.equal(lock.locked(), true);
   * }
   * assert.equal(lock.locked(), false);
   * ```
   */
  hold(options?: WaitOptions): Promise<Disposable> {
    return hold(this, "the lock", options);
  }

  /**
   * {@linkcode Lock.hold} for worker code: blocks while it waits.
   *
   * @param options `timeout` in ms, as for {@linkcode Lock.acquireSync}.
   * @returns A `Disposable` whose disposal releases the lock (once).
   * @throws {DOMException} `TimeoutError` if the timeout passed first; `InvalidStateError`
   * when it would block the main program's thread.
   *
   * @example
   * ```ts
   * import { Lock } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const lock = new Lock();
   * {
   *   using _held = lock.holdSync({ timeout: 0 });
   *   assert.equal(lock.locked(), true);
   * }
   * assert.equal(lock.locked(), false);
   * ```
   */
  holdSync(options?: Omit<WaitOptions, "signal">): Disposable {
    return holdSync(this, "the lock", options);
  }

  /**
   * Whether some thread holds the lock right now.
   *
   * @returns `true` when held.
   *
   * @example
   * ```ts
   * import { Lock } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new Lock().locked(), false);
   * ```
   */
  locked(): boolean {
    return ownerOf(this.#cell) !== 0;
  }

  /** @internal For `Condition` and the shared values. */
  get [mutexOf](): MutexAccess {
    return { cell: this.#cell, recursive: false };
  }

  /** @internal What crosses into a worker. */
  [toShared](): SharedHandle {
    return { module: import.meta.url, export: "Lock", state: this.#cell.buffer };
  }

  /** @internal Rebuilds the lock in a worker. */
  static [fromShared](state: unknown): Lock {
    return revival.revive(state as SharedArrayBuffer, () => new Lock());
  }
}
