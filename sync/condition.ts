/**
 * `Condition`: Python's `multiprocessing.Condition`, a condition variable shared by the main
 * program and every worker.
 *
 * @module
 */

import { selfIdent } from "../_internal/identity.ts";
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
  type Waiting,
  type WaitOptions,
} from "../_internal/futex.ts";
import { DEPTH, locking, type MutexAccess, mutexOf, ownerOf, unlock } from "../_internal/mutex.ts";
import { Lock } from "./lock.ts";
import { RLock } from "./rlock.ts";
import { assertNumber, describeValue } from "../_internal/checks.ts";

/** The state of the instance being revived in this thread (see `[fromShared]`). */
const revival = new Revival<SharedArrayBuffer>();

/** Waiters not yet notified. */
const WAITING = 0;
/** Notifications not yet taken by a waiter. */
const TOKENS = 1;
/**
 * How many notifications were made. A waiter may take a token only if one was made since it
 * began to wait, so a thread that waits again at once cannot take the token meant for an
 * earlier waiter (a stolen wake-up).
 */
const EPOCH = 2; // also the cell waiters sleep on

interface ConditionState {
  cell: SharedArrayBuffer;
  lock: SharedArrayBuffer;
  recursive: boolean;
}

/**
 * A condition variable over shared memory (Python's `multiprocessing.Condition`): threads
 * holding its lock `wait()` until another `notify()`s them. Built on a `Lock` or `RLock`
 * (a new `RLock` by default, as in Python); `wait` releases it while waiting and takes it
 * back before returning, also on timeout. Use {@linkcode Condition.waitFor} with a predicate
 * rather than a bare `wait` in a loop.
 *
 * @example A worker waits until the main program has produced
 * ```ts
 * import { Condition, Pool, RawValue } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const ready = new Condition();
 * const stock = RawValue("i", 0);
 * await using pool = new Pool(1);
 * const got = pool.apply((c: Condition, s: typeof stock) => {
 *   using _held = c.holdSync();
 *   c.waitForSync(() => s.value > 0, { timeout: 10_000 });
 *   return s.value;
 * }, [ready, stock]);
 * {
 *   using _held = await ready.hold();
 *   stock.value = 5;
 *   ready.notifyAll();
 * }
 * assert.equal(await got, 5);
 * ```
 */
export class Condition {
  #lock: Lock | RLock;
  #mutex: MutexAccess;
  #cell: Int32Array = new Int32Array(revival.take() ?? new SharedArrayBuffer(12));

  /**
   * A condition over `lock`.
   *
   * @param lock The lock to use; a new {@linkcode RLock} when omitted, as in Python.
   * @throws {TypeError} `lock` is not a `Lock` or `RLock`.
   */
  constructor(lock?: Lock | RLock) {
    if (lock !== undefined && !(lock instanceof Lock) && !(lock instanceof RLock)) {
      throw new TypeError(`new Condition(): "lock" must be a Lock or an RLock (or omitted)`);
    }
    this.#lock = lock ?? new RLock();
    this.#mutex = this.#lock[mutexOf];
  }

  /**
   * The underlying lock's `acquire`.
   *
   * @param options `timeout` in ms and `signal`.
   * @returns `true` once acquired, `false` on timeout.
   *
   * @example
   * ```ts
   * import { Condition } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const c = new Condition();
   * assert.equal(await c.acquire(), true);
   * c.release();
   * ```
   */
  acquire(options?: WaitOptions): Promise<boolean> {
    return this.#lock.acquire(options);
  }

  /**
   * The underlying lock's `acquireSync`, for worker code.
   *
   * @param options `timeout` in ms.
   * @returns `true` once acquired, `false` on timeout.
   *
   * @example
   * ```ts
   * import { Condition } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const c = new Condition();
   * assert.equal(c.acquireSync({ timeout: 0 }), true);
   * c.release();
   * ```
   */
  acquireSync(options?: Omit<WaitOptions, "signal">): boolean {
    return this.#lock.acquireSync(options);
  }

  /**
   * The underlying lock's `release`.
   *
   * @throws {DOMException} `InvalidStateError` when the lock is not held.
   *
   * @example
   * ```ts
   * import { Condition } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * assert.throws(() => new Condition().release(), { name: "InvalidStateError" });
   * ```
   */
  release(): void {
    this.#lock.release();
  }

  /**
   * The underlying lock's `hold`, for `using`.
   *
   * @param options `timeout` in ms and `signal`.
   * @returns A `Disposable` whose disposal releases the lock.
   * @throws {DOMException} `TimeoutError` if the timeout passed first.
   *
   * @example
   * ```ts
   * import { Condition } from "@workers/multiprocessing/sync";
   *
   * const c = new Condition();
   * using _held = await c.hold();
   * c.notify();
   * ```
   */
  hold(options?: WaitOptions): Promise<Disposable> {
    return this.#lock.hold(options);
  }

  /**
   * The underlying lock's `holdSync`, for `using` in worker code.
   *
   * @param options `timeout` in ms.
   * @returns A `Disposable` whose disposal releases the lock.
   * @throws {DOMException} `TimeoutError` if the timeout passed first.
   *
   * @example
   * ```ts
   * import { Condition } from "@workers/multiprocessing/sync";
   *
   * const c = new Condition();
   * using _held = c.holdSync({ timeout: 0 });
   * c.notifyAll();
   * ```
   */
  holdSync(options?: Omit<WaitOptions, "signal">): Disposable {
    return this.#lock.holdSync(options);
  }

  /**
   * Releases the lock, waits (without blocking the thread) until notified, and takes the lock
   * back before returning, also after a timeout. The caller must hold the lock.
   *
   * @param options `timeout` in ms and `signal` (the lock is taken back before the promise
   * rejects).
   * @returns `true` when notified, `false` if the timeout passed first.
   * @throws {DOMException} `InvalidStateError` when this thread does not hold the lock.
   *
   * @example
   * ```ts
   * import { Condition } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const c = new Condition();
   * using _held = await c.hold();
   * assert.equal(await c.wait({ timeout: 5 }), false);
   * ```
   */
  async wait(options?: WaitOptions): Promise<boolean> {
    const timeout = checkWait(options, "Condition.wait");
    const [depth, joined] = this.#leave("wait");
    const { cell } = this.#mutex;
    try {
      return await runAsync(this.#cell, EPOCH, this.#waiting(joined, timeout), options?.signal);
    } finally {
      await runAsync(cell, 0, locking(cell, selfIdent, Infinity), undefined);
      this.#return(depth);
    }
  }

  /**
   * {@linkcode Condition.wait} for worker code: blocks the thread while it waits.
   *
   * @param options `timeout` in ms.
   * @returns `true` when notified, `false` if the timeout passed first.
   * @throws {DOMException} `InvalidStateError` when this thread does not hold the lock, or
   * when it would block the main program's thread.
   *
   * @example
   * ```ts
   * import { Condition } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const c = new Condition();
   * using _held = c.holdSync({ timeout: 0 });
   * assert.equal(c.waitSync({ timeout: 0 }), false);
   * ```
   */
  waitSync(options?: Omit<WaitOptions, "signal">): boolean {
    const timeout = checkWait(options, "Condition.waitSync", SYNC_WAIT_KEYS);
    assertMayBlock("Condition.waitSync", "condition.wait", timeout);
    const [depth, joined] = this.#leave("wait");
    const { cell } = this.#mutex;
    try {
      return runSync(this.#cell, EPOCH, this.#waiting(joined, timeout));
    } finally {
      runSync(cell, 0, locking(cell, selfIdent, Infinity));
      this.#return(depth);
    }
  }

  /**
   * Waits until `predicate()` is truthy (Python's `wait_for`): checks it first, then after
   * each notification, holding the lock each time. The caller must hold the lock.
   *
   * @param predicate What to wait for; may return a promise.
   * @param options `timeout` in ms for the whole wait, and `signal`.
   * @returns The predicate's last result (falsy if the timeout passed first).
   * @throws {DOMException} `InvalidStateError` when this thread does not hold the lock.
   * @throws {TypeError} `predicate` is not a function, or an option is unknown.
   *
   * @example
   * ```ts
   * import { Condition } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const c = new Condition();
   * let items = 0;
   * setTimeout(async () => {
   *   using _held = await c.hold();
   *   items = 3;
   *   c.notifyAll();
   * }, 5);
   * using _held = await c.hold();
   * assert.equal(await c.waitFor(() => items > 0), true);
   * ```
   */
  async waitFor<T>(
    predicate: () => T | PromiseLike<T>,
    options?: WaitOptions,
  ): Promise<T> {
    checkPredicate(predicate, "Condition.waitFor");
    const timeout = checkWait(options, "Condition.waitFor");
    const deadline = performance.now() + timeout;
    let result = await predicate();
    while (!result) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      const waitOptions: WaitOptions = { timeout: left };
      if (options?.signal !== undefined) waitOptions.signal = options.signal;
      await this.wait(waitOptions);
      result = await predicate();
    }
    return result;
  }

  /**
   * {@linkcode Condition.waitFor} for worker code: blocks the thread while it waits.
   *
   * @param predicate What to wait for.
   * @param options `timeout` in ms for the whole wait.
   * @returns The predicate's last result (falsy if the timeout passed first).
   * @throws {DOMException} `InvalidStateError` when this thread does not hold the lock, or
   * when it would block the main program's thread.
   * @throws {TypeError} `predicate` is not a function, or an option is unknown.
   *
   * @example
   * ```ts
   * import { Condition } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const c = new Condition();
   * using _held = c.holdSync({ timeout: 0 });
   * assert.equal(c.waitForSync(() => 42, { timeout: 0 }), 42);
   * ```
   */
  waitForSync<T>(predicate: () => T, options?: Omit<WaitOptions, "signal">): T {
    checkPredicate(predicate, "Condition.waitForSync");
    const timeout = checkWait(options, "Condition.waitForSync", SYNC_WAIT_KEYS);
    const deadline = performance.now() + timeout;
    let result = predicate();
    while (!result) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      this.waitSync({ timeout: left });
      result = predicate();
    }
    return result;
  }

  /**
   * Wakes up to `n` waiting threads. The caller must hold the lock; the woken threads return
   * from `wait` once they get it back.
   *
   * @param n How many waiters to wake.
   * @default {1}
   * @throws {DOMException} `InvalidStateError` when this thread does not hold the lock.
   *
   * @example
   * ```ts
   * import { Condition } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const c = new Condition();
   * assert.throws(() => c.notify(), { name: "InvalidStateError" });
   * ```
   */
  notify(n = 1): void {
    assertNumber(n, `Condition.notify: "n"`, "an integer ≥ 0");
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`Condition.notify: "n" must be an integer ≥ 0, got ${describeValue(n)}`);
    }
    this.#assertOwned("notify");
    const cell = this.#cell;
    let woken: number;
    for (;;) {
      const waiting = Atomics.load(cell, WAITING);
      woken = Math.min(n, waiting);
      if (woken === 0) return;
      if (Atomics.compareExchange(cell, WAITING, waiting, waiting - woken) === waiting) break;
    }
    this.#wake(woken);
  }

  /**
   * Wakes every waiting thread (Python's `notify_all`). The caller must hold the lock.
   *
   * @throws {DOMException} `InvalidStateError` when this thread does not hold the lock.
   *
   * @example
   * ```ts
   * import { Condition } from "@workers/multiprocessing/sync";
   *
   * const c = new Condition();
   * using _held = await c.hold();
   * c.notifyAll(); // nobody waits: nothing happens
   * ```
   */
  notifyAll(): void {
    this.#assertOwned("notify");
    const cell = this.#cell;
    const woken = Atomics.exchange(cell, WAITING, 0);
    if (woken > 0) this.#wake(woken);
  }

  #assertOwned(what: string): void {
    if (ownerOf(this.#mutex.cell) === selfIdent) return;
    throw new DOMException(
      `Cannot ${what} on a Condition whose lock this thread does not hold: acquire it first ` +
        `(using _held = await condition.hold())`,
      "InvalidStateError",
    );
  }

  /** Issues `woken` tokens. Every sleeper wakes: only those waiting since before may take one. */
  #wake(woken: number): void {
    const cell = this.#cell;
    // Tokens first, then the epoch waiters sleep on: it only grows, so no wake-up is missed.
    Atomics.add(cell, TOKENS, woken);
    Atomics.add(cell, EPOCH, 1);
    Atomics.notify(cell, EPOCH);
  }

  /**
   * Joins the waiters and releases the lock fully; returns the RLock depth to restore and the
   * epoch joined at.
   */
  #leave(what: string): [number, number] {
    this.#assertOwned(what);
    const joined = Atomics.load(this.#cell, EPOCH);
    Atomics.add(this.#cell, WAITING, 1);
    const { cell, recursive } = this.#mutex;
    const depth = recursive ? cell[DEPTH]! : 0;
    if (recursive) cell[DEPTH] = 0;
    unlock(cell);
    return [depth, joined];
  }

  #return(depth: number): void {
    if (this.#mutex.recursive) this.#mutex.cell[DEPTH] = depth;
  }

  /**
   * Waits for a notification made after `joined`. A waiter that gives up takes a token if one
   * is there for it, else withdraws from `WAITING`; if a notification had counted it already,
   * its token is instants away, and it takes it: it was notified after all.
   */
  *#waiting(joined: number, timeout: number): Waiting<boolean> {
    const cell = this.#cell;
    const take: Attempt = () => {
      for (;;) {
        // The epoch is read first: a notification after it changes the epoch slept on.
        const epoch = Atomics.load(cell, EPOCH);
        const tokens = Atomics.load(cell, TOKENS);
        if (epoch === joined || tokens === 0) return epoch;
        if (Atomics.compareExchange(cell, TOKENS, tokens, tokens - 1) === tokens) return DONE;
      }
    };
    let notified: boolean;
    try {
      notified = yield* retry(cell, take, timeout);
    } catch (abort) {
      if (take() !== DONE && this.#withdraw()) throw abort;
      return true; // the notification came first; it is not lost
    }
    if (notified || take() === DONE) return true;
    return !this.#withdraw();
  }

  /**
   * Leaves `WAITING`. Returns `false` when a notification had counted this waiter already:
   * then it takes the token the notifier is about to add.
   */
  #withdraw(): boolean {
    const cell = this.#cell;
    for (;;) {
      const waiting = Atomics.load(cell, WAITING);
      if (waiting === 0) break;
      if (Atomics.compareExchange(cell, WAITING, waiting, waiting - 1) === waiting) return true;
    }
    for (;;) {
      const tokens = Atomics.load(cell, TOKENS);
      if (tokens > 0 && Atomics.compareExchange(cell, TOKENS, tokens, tokens - 1) === tokens) {
        return false;
      }
    }
  }

  /** @internal What crosses into a worker. */
  [toShared](): SharedHandle {
    const state: ConditionState = {
      cell: this.#cell.buffer as SharedArrayBuffer,
      lock: this.#mutex.cell.buffer as SharedArrayBuffer,
      recursive: this.#mutex.recursive,
    };
    return { module: import.meta.url, export: "Condition", state };
  }

  /** @internal Rebuilds the condition in a worker. */
  static [fromShared](state: unknown): Condition {
    const { cell, lock, recursive } = state as ConditionState;
    const revivedLock = recursive ? RLock[fromShared](lock) : Lock[fromShared](lock);
    return revival.revive(cell, () => new Condition(revivedLock));
  }
}

/** Refuses a `predicate` that is not a function, before any wait. */
function checkPredicate(predicate: unknown, method: string): void {
  if (typeof predicate === "function") return;
  throw new TypeError(
    `${method}(): "predicate" must be a function returning what to wait for, got ${
      describeValue(predicate)
    }: pass e.g. c.waitFor(() => items.length > 0)`,
  );
}
