/**
 * {@linkcode delayed}: joblib's way of writing a call without making it.
 *
 * @module
 */

/**
 * A call written down and not yet made: the function and its arguments, plain data, as
 * joblib's `delayed(f)(x)` gives the tuple `(f, args, kwargs)`. {@linkcode Parallel} makes the
 * calls; the function reaches the workers as a `Pool` task does (by reference from the module
 * that created the `Parallel` or one in its `imports`, or by value with `context`).
 *
 * @typeParam R What the call returns (awaited, if the function is async).
 */
export interface Delayed<R = unknown> {
  /** The function to call. */
  readonly fn: (...args: never[]) => R | PromiseLike<R>;
  /** Its arguments (structured-cloned on their way to a worker). */
  readonly args: readonly unknown[];
}

/** The result type of a {@linkcode Delayed} call, or of a union of them. */
export type DelayedResult<D> = D extends Delayed<infer R> ? R : never;

/**
 * Writes calls of `fn` down for {@linkcode Parallel}, as joblib's `delayed`: `delayed(f)(x)`
 * is `{ fn: f, args: [x] }`, and nothing runs until a `Parallel` runs it.
 *
 * @param fn The function: exported by a module the workers import (by reference), or
 *   self-contained, with its free variables in the `Parallel`'s `context` (by value).
 * @returns A function taking `fn`'s arguments and returning the call as a {@linkcode Delayed}.
 * @throws {TypeError} `fn` is not a function.
 *
 * @example Plain data, as in joblib
 * ```ts
 * import { delayed } from "@workers/multiprocessing/parallel";
 * import assert from "node:assert/strict";
 *
 * const add = (a: number, b: number) => a + b;
 * const call = delayed(add)(1, 2);
 * assert.equal(call.fn, add);
 * assert.deepEqual(call.args, [1, 2]);
 * ```
 *
 * @example The tutorial's joblib example
 * ```ts
 * import { delayed, Parallel } from "@workers/multiprocessing/parallel";
 * import assert from "node:assert/strict";
 *
 * const f = (x: number) => x * x;
 * const range = (n: number) => [...Array(n).keys()];
 * assert.deepEqual(
 *   await Parallel({ nJobs: 2 })(range(10).map((x) => delayed(f)(x))),
 *   [0, 1, 4, 9, 16, 25, 36, 49, 64, 81],
 * );
 * ```
 */
export function delayed<A extends unknown[], R>(
  fn: (...args: A) => R,
): (...args: A) => Delayed<Awaited<R>> {
  if (typeof fn !== "function") {
    throw new TypeError(
      `delayed() needs a function, got ${fn === null ? "null" : typeof fn}: write ` +
        `delayed(f)(x) for the call f(x)`,
    );
  }
  const f = fn as unknown as Delayed<Awaited<R>>["fn"];
  return (...args: A): Delayed<Awaited<R>> => ({ fn: f, args });
}

/** Whether `value` is a {@linkcode Delayed} call (a function and an array of arguments). */
export function isDelayed(value: unknown): value is Delayed {
  return typeof value === "object" && value !== null &&
    typeof (value as Delayed).fn === "function" && Array.isArray((value as Delayed).args);
}
