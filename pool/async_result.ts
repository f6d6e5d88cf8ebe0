/**
 * {@linkcode AsyncResult}: Python's `AsyncResult`, also awaitable.
 *
 * @module
 */

import type { WaitOptions } from "../_internal/wait_options.ts";
import { assertNumber, describeValue } from "../_internal/checks.ts";
import { WAIT_KEYS } from "../_internal/futex.ts";
import { checkOptionKeys } from "../_internal/option_keys.ts";

export type { WaitOptions };

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Validates a `timeout` option: a number of milliseconds, at least 0. */
function checkTimeout(timeout: unknown, argument = "timeout"): number | undefined {
  if (timeout === undefined) return undefined;
  assertNumber(timeout, `"${argument}"`, "a number of milliseconds, at least 0");
  if (Number.isNaN(timeout) || timeout < 0) {
    throw new RangeError(
      `"${argument}" must be a number of milliseconds, at least 0, got ${describeValue(timeout)}`,
    );
  }
  return timeout;
}

/**
 * The result of `applyAsync`, `mapAsync` or `starmapAsync`, as in Python: poll it with
 * {@linkcode AsyncResult.ready}, wait with {@linkcode AsyncResult.wait}, take the value with
 * {@linkcode AsyncResult.get} (which rejects with the task's error), or simply `await` it. A
 * failed result that nobody asks for stays silent, as in Python.
 *
 * @typeParam T The value.
 *
 * @example
 * ```ts
 * import { Pool } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool(2);
 * const result = pool.applyAsync((a: number, b: number) => a + b, [2, 3]);
 * assert.equal(await result.get({ timeout: 10_000 }), 5);
 * assert.equal(result.ready(), true);
 * assert.equal(result.successful(), true);
 * assert.equal(await result, 5);
 * ```
 */
export class AsyncResult<T> implements PromiseLike<T> {
  readonly #promise: Promise<T>;
  #settled: Settled<T> | undefined;

  /**
   * Wraps a promise. The library makes these; you rarely need to.
   *
   * @param promise The value to come.
   * @throws {TypeError} `promise` is not a promise.
   */
  constructor(promise: Promise<T>) {
    if (!(promise instanceof Promise)) {
      throw new TypeError(
        `new AsyncResult(): "promise" must be a Promise, got ${describeValue(promise)}: pass ` +
          `e.g. new AsyncResult(Promise.resolve(1)) (the pool's applyAsync() makes these)`,
      );
    }
    this.#promise = promise;
    promise.then(
      (value) => this.#settled = { ok: true, value },
      (error: unknown) => this.#settled = { ok: false, error },
    );
  }

  /** Whether the call has finished, successfully or not. */
  ready(): boolean {
    return this.#settled !== undefined;
  }

  /**
   * Whether the call finished without an error.
   *
   * @throws {DOMException} `InvalidStateError` when it has not finished (Python's `ValueError`).
   */
  successful(): boolean {
    if (this.#settled === undefined) {
      throw new DOMException(
        "Cannot tell whether the result is successful: it is not ready (await wait() first)",
        "InvalidStateError",
      );
    }
    return this.#settled.ok;
  }

  /**
   * The value, once it comes.
   *
   * @param options `timeout` in ms (rejects with a `TimeoutError` `DOMException`, the result
   *   itself carrying on), `signal`.
   * @returns The value; rejects with the task's error (a `RemoteError`…).
   * @throws {TypeError} An option is unknown or of the wrong type (rejects).
   * @throws {RangeError} `timeout` is negative or `NaN` (rejects).
   */
  get(options: WaitOptions = {}): Promise<T> {
    try {
      return this.#race(options, "AsyncResult.get").then(() => this.#promise);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Waits until the result is ready, or the timeout passes.
   *
   * @param options `timeout` in ms, `signal`.
   * @returns `true` if ready, `false` if the timeout passed first; never rejects for the
   *   task's error.
   * @throws {TypeError} An option is unknown or of the wrong type (rejects).
   * @throws {RangeError} `timeout` is negative or `NaN` (rejects).
   */
  async wait(options: WaitOptions = {}): Promise<boolean> {
    try {
      await this.#race(options, "AsyncResult.wait");
      return true;
    } catch (error) {
      if (error instanceof DOMException && error.name === "TimeoutError") return false;
      throw error;
    }
  }

  /** Awaits the value, as a promise does. */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#promise.then(onFulfilled, onRejected);
  }

  /** Resolves when the result is ready; rejects when the signal or the timeout comes first. */
  #race(options: WaitOptions, method: string): Promise<void> {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(
        `${method}: "options" must be an object such as { timeout: 1000 }, got ${
          describeValue(options)
        }`,
      );
    }
    checkOptionKeys(options, WAIT_KEYS, `${method}()`);
    const timeout = checkTimeout(options.timeout);
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
      throw new TypeError(`${method}: "signal" must be an AbortSignal`);
    }
    if (this.#settled !== undefined) return Promise.resolve();
    const settledOnly = this.#promise.then(() => {}, () => {});
    const signals: AbortSignal[] = options.signal === undefined ? [] : [options.signal];
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (timeout !== undefined) {
      const clock = new AbortController();
      timer = setTimeout(() => {
        clock.abort(
          new DOMException(`The result was not ready within ${timeout} ms`, "TimeoutError"),
        );
      }, timeout);
      signals.push(clock.signal);
    }
    if (signals.length === 0) return settledOnly;
    const signal = signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
    if (signal.aborted) {
      clearTimeout(timer);
      return Promise.reject(signal.reason);
    }
    const onAbort = { handleEvent: (): void => {} };
    return new Promise<void>((resolve, reject) => {
      onAbort.handleEvent = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      settledOnly.then(resolve);
    }).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    });
  }
}
