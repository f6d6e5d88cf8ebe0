/**
 * The one waiting mechanism under every primitive of `sync/`: futex-style waits on a cell of
 * an `Int32Array` over a `SharedArrayBuffer`, spin first, then sleep.
 *
 * A primitive's waiting loop is "try; if that failed, wait until the cell changes from the
 * value seen; try again". Waking a sleeping thread costs 70–90 µs on a busy VM, while the
 * thread that holds a lock usually gives it back within microseconds, so a waiter first spins
 * (watching the cell) and only then sleeps: `Atomics.wait` in a worker (`…Sync` methods) or
 * `Atomics.waitAsync` on the main thread, which is never blocked. An idle waiter sleeps after
 * its spin and burns no core.
 *
 * A worker spins for longer than one sleep and wake-up takes (~{@linkcode SPIN_US} µs): with a
 * shorter spin, two workers playing ping-pong fall into a mode where each side's spin runs out
 * while the other is still waking up, and every trip then costs two wake-ups (~80 µs instead
 * of ~4 µs) for as long as the exchange lasts. The main thread spins only
 * {@linkcode SPIN_MAIN_US} µs: it holds up every other callback of the program meanwhile.
 *
 * Deno does not count a pending `Atomics.waitAsync` as keeping the program alive (the program
 * would end in the middle of an `await lock.acquire()`), so an asynchronous wait holds a timer
 * for as long as it sleeps. An `AbortSignal` wakes every sleeper of the cell; waking is always
 * safe, as every loop re-checks what it waits for.
 *
 * @module
 */

import { stopRequested } from "./identity.ts";
import type { WaitOptions } from "./wait_options.ts";
import { assertNumber, describeValue } from "./checks.ts";
import { refuseKey, unknownKey } from "./option_keys.ts";

export type { WaitOptions };

/** What one attempt saw: `DONE`, or the cell's value to sleep on until it changes. */
export const DONE: unique symbol = Symbol("done");

/** One try of a primitive's operation: {@linkcode DONE}, or the value seen in the cell. */
export type Attempt = () => typeof DONE | number;

/**
 * A request to wait while the cell holds `value`: by spinning a few microseconds (`spin`), or
 * by sleeping for at most `ms` milliseconds. Algorithms spin first and announce themselves as
 * sleepers only when that failed, so a quick hand-off needs no `Atomics.notify` at all.
 */
export interface Sleep {
  value: number;
  ms: number;
  spin: boolean;
}

/**
 * A waiting algorithm, written once as a generator and run by {@linkcode runSync} (blocking,
 * in a worker) or {@linkcode runAsync} (on the main program's event loop). It yields each time
 * it must wait for the cell to change and returns its result. An abort is thrown into it at
 * the `yield`, so its `finally` blocks (and `catch`, to hand on what it got) run.
 */
export type Waiting<R> = Generator<Sleep, R, void>;

/** How long a worker spins before it sleeps, in µs: longer than a sleep and wake-up. */
export const SPIN_US = 150;
/** How long the main thread spins before it sleeps, in µs. */
export const SPIN_MAIN_US = 20;
/** Longest timer the platform takes (about 24.8 days); longer sleeps are resumed. */
const MAX_TIMER = 2 ** 31 - 1;
/**
 * A blocking sleep lasts at most this long before the thread looks whether its parent asked it
 * to stop: `terminate()` alone does not end a worker blocked in `Atomics.wait` in Deno 2.9.6.
 */
const STOP_CHECK_MS = 100;

/** Whether this code runs in a worker (it may block) rather than in the main program. */
export const inWorker: boolean = typeof (globalThis as { WorkerGlobalScope?: unknown })
  .WorkerGlobalScope === "function";

/** The keys of {@linkcode WaitOptions}, as a promise method takes them. */
export const WAIT_KEYS: readonly string[] = ["timeout", "signal"];
/** The keys a blocking `…Sync` method takes: no `signal`, which nothing could fire meanwhile. */
export const SYNC_WAIT_KEYS: readonly string[] = ["timeout"];

/** Python's way not to wait, for a method that takes none of it. */
const WAIT_HINTS: Readonly<Record<string, string>> = {
  blocking: "Python's blocking=False is { timeout: 0 } here: only try, without waiting",
  block: "pass { timeout: 0 } to only try, without waiting",
};

/**
 * Checks `options` of a waiting method; returns the timeout in milliseconds.
 *
 * @param options What was passed.
 * @param method E.g. `"Lock.acquire"`, for the messages.
 * @param keys Every key the method reads (an unknown one is a `TypeError` naming it; see
 *   `option_keys.ts`); the method checks those other than `timeout` and `signal` itself.
 */
export function checkWait(
  options: WaitOptions | undefined,
  method: string,
  keys: readonly string[] = WAIT_KEYS,
): number {
  if (options === undefined) return Infinity;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${method}: "options" must be an object such as { timeout: 100 }`);
  }
  const unknown = unknownKey(options, keys);
  if (unknown !== undefined) refuseKey(unknown, keys, `${method}()`, WAIT_HINTS);
  const { timeout = Infinity, signal } = options;
  const expected = "a number of milliseconds ≥ 0 (or Infinity)";
  assertNumber(timeout, `${method}: "timeout"`, expected);
  if (Number.isNaN(timeout) || timeout < 0) {
    throw new RangeError(`${method}: "timeout" must be ${expected}, got ${describeValue(timeout)}`);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`${method}: "signal" must be an AbortSignal`);
  }
  return timeout;
}

/**
 * Refuses to block the main program's thread: a `…Sync` method there would freeze every
 * callback, including the ones that would let the wait end. Trying without waiting
 * (`timeout: 0`) is allowed everywhere.
 */
export function assertMayBlock(method: string, asyncName: string, timeout: number): void {
  if (timeout === 0 || inWorker) return;
  throw new DOMException(
    `Cannot call ${method}() in the main program: it would block the thread every callback ` +
      `runs on. Use await ${asyncName}() there (or pass { timeout: 0 } to only try); the ` +
      `blocking …Sync methods are for code running in a worker.`,
    "InvalidStateError",
  );
}

/** Spins until `cell[index]` differs from `value`, for at most `us` µs; tells whether it did. */
export function spin(cell: Int32Array, index: number, value: number, us = SPIN_US): boolean {
  const deadline = performance.now() + us / 1_000;
  for (;;) {
    // The clock is read once per 64 loads (each ~10 ns): the spin's cost is the loads.
    for (let i = 0; i < 64; i++) {
      if (Atomics.load(cell, index) !== value) return true;
    }
    if (performance.now() >= deadline) return false;
  }
}

/**
 * The common loop: runs `attempt` until it succeeds (`true`) or `timeout` ms pass (`false`).
 * Maintains the waiter count at `waiters` (when given), which the waking side reads to skip
 * `Atomics.notify` when nobody waits.
 */
export function* retry(
  cell: Int32Array,
  attempt: Attempt,
  timeout: number,
  waiters = -1,
): Waiting<boolean> {
  let seen = attempt();
  if (seen === DONE) return true;
  if (timeout === 0) return false;
  const deadline = performance.now() + timeout;
  let counted = false;
  try {
    for (;;) {
      const ms = deadline - performance.now();
      if (ms <= 0) return false;
      if (!counted) {
        yield { value: seen, ms, spin: true };
        seen = attempt();
        if (seen === DONE) return true;
        if (waiters >= 0) Atomics.add(cell, waiters, 1);
        counted = true;
        continue;
      }
      yield { value: seen, ms, spin: false };
      seen = attempt();
      if (seen === DONE) return true;
    }
  } finally {
    if (counted && waiters >= 0) Atomics.sub(cell, waiters, 1);
  }
}

/** Runs a waiting algorithm to its end, blocking the thread while it sleeps. */
export function runSync<R>(cell: Int32Array, index: number, waiting: Waiting<R>): R {
  let step = waiting.next();
  while (!step.done) {
    const { value, ms } = step.value;
    // The wait returns at once if the cell no longer holds `value` (the futex rule), so a
    // change between the attempt and the wait is never missed.
    if (step.value.spin) spin(cell, index, value);
    else if (Atomics.wait(cell, index, value, Math.min(ms, STOP_CHECK_MS)) === "timed-out") {
      if (stopRequested()) {
        step = waiting.throw(
          new DOMException("The worker is being terminated: its wait ends", "AbortError"),
        );
        continue;
      }
    }
    step = waiting.next();
  }
  return step.value;
}

/**
 * Runs a waiting algorithm on the event loop: sleeps with `Atomics.waitAsync`, never blocking
 * the thread. An abort of `signal` is thrown into the algorithm at its `yield`.
 */
export async function runAsync<R>(
  cell: Int32Array,
  index: number,
  waiting: Waiting<R>,
  signal: AbortSignal | undefined,
): Promise<R> {
  signal?.throwIfAborted();
  const us = inWorker ? SPIN_US : SPIN_MAIN_US;
  const wake = () => Atomics.notify(cell, index);
  signal?.addEventListener("abort", wake);
  try {
    let step = waiting.next();
    while (!step.done) {
      const { value, ms } = step.value;
      if (step.value.spin) spin(cell, index, value, us);
      else await sleep(cell, index, value, ms);
      if (signal?.aborted) {
        // The wake that ended this sleep may have been meant for one sleeper only (a lock
        // given back): hand it on, since this waiter is leaving.
        Atomics.notify(cell, index, 1);
        step = waiting.throw(signal.reason);
      } else {
        step = waiting.next();
      }
    }
    return step.value;
  } finally {
    signal?.removeEventListener("abort", wake);
  }
}

/** One asynchronous sleep while `cell[index]` holds `value`, for at most `ms`. */
async function sleep(cell: Int32Array, index: number, value: number, ms: number): Promise<void> {
  const wait = Atomics.waitAsync(cell, index, value, ms);
  if (!wait.async) return;
  // The timer only keeps the program alive until the wait settles (see the module doc). It
  // must outlive the wait's own timeout, whose expiry Deno does not count as pending work.
  const keepAlive = setTimeout(() => {}, MAX_TIMER);
  try {
    await wait.value;
  } finally {
    clearTimeout(keepAlive);
  }
}
