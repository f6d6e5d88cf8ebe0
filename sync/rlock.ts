/**
 * `RLock`: Python's `multiprocessing.RLock`, a re-entrant lock shared by the main program and
 * every worker.
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
  DEPTH,
  locking,
  type MutexAccess,
  mutexOf,
  newMutex,
  OWNER,
  ownerOf,
  self,
  tryLock,
  unlock,
} from "../_internal/mutex.ts";

/** The state of the instance being revived in this thread (see `[fromShared]`). */
const revival = new Revival<SharedArrayBuffer>();

/**
 * A re-entrant lock over shared memory (Python's `multiprocessing.RLock`): the thread that
 * holds it may acquire it again, and must release it as many times. Its owner is a thread —
 * the main program, or one worker — as in Python; only the owner may release it. Note that the
 * main program is one thread: two `async` functions of it both own an `RLock` it holds, so to
 * keep them apart use a {@linkcode Lock}.
 *
 * This is the lock `Value` and `Array` make by default.
 *
 * @example Acquire twice, release twice
 * ```ts
 * import { RLock } from "@workers/multiprocessing/sync";
 * import assert from "node:assert/strict";
 *
 * const lock = new RLock();
 * assert.equal(await lock.acquire(), true);
 * assert.equal(await lock.acquire(), true);
 * lock.release();
 * assert.equal(lock.locked(), true);
 * lock.release();
 * assert.equal(lock.locked(), false);
 * ```
 *
 * @example Workers re-enter, each in turn
 * ```ts
 * import { Pool, RLock } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const lock = new RLock();
 * await using pool = new Pool(2);
 * const depths = await pool.map((l: RLock) => {
 *   using _outer = l.holdSync();
 *   using _inner = l.holdSync(); // the owner may take it again
 *   return 2;
 * }, [lock, lock, lock]);
 * assert.deepEqual(depths, [2, 2, 2]);
 * assert.equal(lock.locked(), false);
 * ```
 */
export class RLock {
  #cell: Int32Array;

  /** A new, unlocked re-entrant lock. */
  constructor() {
    const revived = revival.take();
    this.#cell = revived === undefined ? newMutex() : new Int32Array(revived);
  }

  /**
   * Acquires the lock (again, if this thread holds it), waiting without blocking the thread.
   *
   * @param options `timeout` in ms (`0` only tries; default: wait as long as it takes) and
   * `signal` to give up.
   * @returns `true` once acquired, `false` if the timeout passed first.
   * @throws {RangeError} A negative or `NaN` timeout.
   *
   * @example
   * ```ts
   * import { RLock } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const lock = new RLock();
   * assert.equal(await lock.acquire({ timeout: 0 }), true);
   * lock.release();
   * ```
   */
  async acquire(options?: WaitOptions): Promise<boolean> {
    const timeout = checkWait(options, "RLock.acquire");
    const me = self();
    if (this.#enter(me)) return true;
    if (!await runAsync(this.#cell, 0, locking(this.#cell, me, timeout), options?.signal)) {
      return false;
    }
    this.#cell[DEPTH] = 1;
    return true;
  }

  /**
   * Acquires the lock (again, if this thread holds it), blocking the thread while it waits:
   * for worker code. In the main program only `{ timeout: 0 }` is allowed.
   *
   * @param options `timeout` in ms (`0` only tries; default: wait as long as it takes).
   * @returns `true` once acquired, `false` if the timeout passed first.
   * @throws {DOMException} `InvalidStateError` when it would block the main program's thread.
   *
   * @example
   * ```ts
   * import { RLock } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const lock = new RLock();
   * assert.equal(lock.acquireSync({ timeout: 0 }), true);
   * assert.equal(lock.acquireSync({ timeout: 0 }), true);
   * lock.release();
   * lock.release();
   * ```
   */
  acquireSync(options?: Omit<WaitOptions, "signal">): boolean {
    const me = selfIdent;
    const cell = this.#cell;
    // The fast path only without options: given ones are checked even when the lock is free.
    if (options === undefined) {
      if (Atomics.compareExchange(cell, 0, 0, me) === 0) {
        cell[DEPTH] = 1;
        return true;
      }
      if (this.#enter(me)) return true;
    }
    const timeout = checkWait(options, "RLock.acquireSync", SYNC_WAIT_KEYS);
    if (Atomics.compareExchange(cell, 0, 0, me) === 0) {
      cell[DEPTH] = 1;
      return true;
    }
    if (this.#enter(me)) return true;
    assertMayBlock("RLock.acquireSync", "rlock.acquire", timeout);
    if (!runSync(this.#cell, 0, locking(this.#cell, me, timeout))) return false;
    this.#cell[DEPTH] = 1;
    return true;
  }

  /** Takes the lock at once if this thread holds it or nobody does. */
  #enter(me: number): boolean {
    const cell = this.#cell;
    if (ownerOf(cell) === me) {
      cell[DEPTH]!++;
      return true;
    }
    if (!tryLock(cell, me)) return false;
    cell[DEPTH] = 1;
    return true;
  }

  /**
   * Releases one level; the lock is free when every acquire has been matched.
   *
   * @throws {DOMException} `InvalidStateError` when this thread does not hold the lock.
   *
   * @example Only the owner may release
   * ```ts
   * import { RLock } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * assert.throws(() => new RLock().release(), { name: "InvalidStateError" });
   * ```
   */
  release(): void {
    const cell = this.#cell;
    const me = selfIdent;
    // A plain read is enough: only this thread ever writes its own ident there, and it sees
    // its own last write.
    if ((cell[0]! & OWNER) !== me) {
      throw new DOMException(
        "Cannot release the RLock as this thread does not hold it (only its owner may release " +
          "it, as many times as it acquired it)",
        "InvalidStateError",
      );
    }
    // The depth is written before the lock is given up: after, it is the next owner's.
    const depth = cell[DEPTH]! - 1;
    cell[DEPTH] = depth;
    if (depth > 0) return;
    if (Atomics.compareExchange(cell, 0, me, 0) !== me) unlock(cell);
  }

  /**
   * Acquires the lock and returns a handle that releases one level, for `using`.
   *
   * @param options `timeout` in ms and `signal`, as for {@linkcode RLock.acquire}.
   * @returns A `Disposable` whose disposal releases once.
   * @throws {DOMException} `TimeoutError` if the timeout passed first.
   *
   * @example
   * ```ts
   * import { RLock } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const lock = new RLock();
   * {
   *   using _a = await lock.hold();
   *   using _b = await lock.hold();
   * }
   * assert.equal(lock.locked(), false);
   * ```
   */
  hold(options?: WaitOptions): Promise<Disposable> {
    return hold(this, "the RLock", options);
  }

  /**
   * {@linkcode RLock.hold} for worker code: blocks while it waits.
   *
   * @param options `timeout` in ms, as for {@linkcode RLock.acquireSync}.
   * @returns A `Disposable` whose disposal releases once.
   * @throws {DOMException} `TimeoutError` if the timeout passed first; `InvalidStateError`
   * when it would block the main program's thread.
   *
   * @example
   * ```ts
   * import { RLock } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const lock = new RLock();
   * {
   *   using _held = lock.holdSync({ timeout: 0 });
   *   assert.equal(lock.locked(), true);
   * }
   * assert.equal(lock.locked(), false);
   * ```
   */
  holdSync(options?: Omit<WaitOptions, "signal">): Disposable {
    return holdSync(this, "the RLock", options);
  }

  /**
   * Whether some thread holds the lock right now.
   *
   * @returns `true` when held.
   *
   * @example
   * ```ts
   * import { RLock } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new RLock().locked(), false);
   * ```
   */
  locked(): boolean {
    return ownerOf(this.#cell) !== 0;
  }

  /** @internal For `Condition` and the shared values. */
  get [mutexOf](): MutexAccess {
    return { cell: this.#cell, recursive: true };
  }

  /** @internal What crosses into a worker. */
  [toShared](): SharedHandle {
    return { module: import.meta.url, export: "RLock", state: this.#cell.buffer };
  }

  /** @internal Rebuilds the lock in a worker. */
  static [fromShared](state: unknown): RLock {
    return revival.revive(state as SharedArrayBuffer, () => new RLock());
  }
}
