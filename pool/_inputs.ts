/**
 * Validating and collecting the pool's inputs: counts, iterables, argument lists, `imports`.
 * Each error names the argument, the value and the fix.
 *
 * @module
 */

import { assertNumber, describeValue } from "../_internal/checks.ts";

export { checkCloneable, resolveImports } from "../_internal/task_inputs.ts";

/** What the map methods take: any iterable or async iterable. */
export type MapInput<T> = Iterable<T> | AsyncIterable<T>;

/** Checks a count: a whole number, at least 1 (or `Infinity`); a string is a `TypeError`. */
export function checkCount(value: unknown, argument: string, fix: string): number {
  assertNumber(value, `"${argument}"`, "a whole number, at least 1", fix);
  if (!(Number.isInteger(value) || value === Infinity) || value < 1) {
    throw new RangeError(
      `"${argument}" must be a whole number, at least 1, got ${describeValue(value)}: ${fix}`,
    );
  }
  return value;
}

export function checkInput(value: unknown, argument: string): void {
  const v = value as Partial<Iterable<unknown> & AsyncIterable<unknown>> | null | undefined;
  if (
    v === null || v === undefined ||
    (typeof v[Symbol.iterator] !== "function" && typeof v[Symbol.asyncIterator] !== "function")
  ) {
    throw new TypeError(
      `"${argument}" must be iterable (an array, a Set, a generator, an async iterable…), got ` +
        `${value === null ? "null" : typeof value}`,
    );
  }
}

/** The items of an input: arrays as they are, other iterables copied, async ones awaited. */
export function collect(input: MapInput<unknown>): unknown[] | Promise<unknown[]> {
  if (Array.isArray(input)) return input;
  if (typeof (input as Partial<Iterable<unknown>>)[Symbol.iterator] === "function") {
    return Array.from(input as Iterable<unknown>);
  }
  return Array.fromAsync(input as AsyncIterable<unknown>);
}

export function iteratorOf(input: MapInput<unknown>): Iterator<unknown> | AsyncIterator<unknown> {
  const sync = (input as Partial<Iterable<unknown>>)[Symbol.iterator];
  return typeof sync === "function"
    ? sync.call(input)
    : (input as AsyncIterable<unknown>)[Symbol.asyncIterator]();
}

export function toArgs(item: unknown, index: number): unknown[] {
  if (Array.isArray(item)) return item;
  if (item !== null && typeof item === "object" && Symbol.iterator in item) {
    return Array.from(item as Iterable<unknown>);
  }
  throw new TypeError(
    `starmap needs an iterable of argument lists, but item ${index} is ${typeof item}: pass ` +
      `e.g. [[1, 2], [3, 4]] for f(1, 2), f(3, 4)`,
  );
}
