/**
 * Numbers in shared memory, seen by the main program and every worker: Python's `Value`,
 * `Array`, `RawValue` and `RawArray`, with the typecodes of Python's `array` module
 * (`b B h H i I l L q Q f d`) or typed-array constructors. `Value` and `Array` carry a lock
 * (an `RLock` unless you pass one) for read-modify-write updates. Pass them to workers as
 * arguments, in `initargs`, or nested in arrays and plain objects: they arrive as the same
 * memory.
 *
 * `Array` is also exported as `SharedArray`, since importing `Array` shadows the global.
 * `SharedMemory` is a block of bytes any thread finds by name (Python's
 * `multiprocessing.shared_memory`).
 *
 * @example
 * ```ts
 * import { Pool, SharedArray, Value } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const total = Value("d", 0);
 * const parts = SharedArray("d", [1.5, 2.5, 3]);
 * await using pool = new Pool(2);
 * await pool.map((i: number) => i, [0]); // warm up
 * await pool.starmap((t: typeof total, p: typeof parts, i: number) => {
 *   using _held = t.getLock().holdSync();
 *   t.value += p[i]!;
 * }, [0, 1, 2].map((i) => [total, parts, i]));
 * assert.equal(total.value, 7);
 * ```
 *
 * @module
 */

export * from "./value.ts";
export * from "./array.ts";
export { SharedArray as Array } from "./array.ts";
export * from "./shared_memory.ts";
export type {
  AnyTypedArray,
  ElementOf,
  ElementType,
  Typecode,
  TypedArrayConstructor,
  ViewOf,
} from "./_typecodes.ts";
export type { LockOption } from "./_lock_option.ts";
