/**
 * `Array` (also `SharedArray`) and `RawArray`: Python's `multiprocessing.Array` and
 * `RawArray`, a fixed-length array of numbers in shared memory, seen by the main program and
 * every worker.
 *
 * @module
 */

import { fromShared, type SharedHandle, toShared } from "../_internal/shareable.ts";
import type { Lock } from "../sync/lock.ts";
import type { RLock } from "../sync/rlock.ts";
import {
  assertLock,
  checkLockOptions,
  lockFor,
  type LockOption,
  type LockState,
  lockState,
  reviveLock,
} from "./_lock_option.ts";
import {
  type AnyTypedArray,
  assertMade,
  checkElement,
  type ElementOf,
  type ElementType,
  type Kind,
  kindByCode,
  kindOf,
  type ViewOf,
} from "./_typecodes.ts";
import { describeNonNumber, describeValue } from "../_internal/checks.ts";

/** Options of {@linkcode Array}. */
export interface ArrayOptions {
  /**
   * The lock that guards the array: `true` makes a new {@linkcode RLock} (Python's default),
   * `false` gives a {@linkcode SharedTypedArray} without one, or pass a `Lock`/`RLock`.
   * @default {true}
   */
  lock?: LockOption;
}

interface ArrayState {
  code: string;
  buffer: SharedArrayBuffer;
  lock: LockState | null;
}

/** The integer a property key spells canonically (`"3"`, `"-1"`; not `"03"`, `"-0"`). */
function integerKey(key: string | symbol): number | undefined {
  if (typeof key !== "string") return undefined;
  const first = key.charCodeAt(0);
  if (!(first >= 48 && first <= 57) && first !== 45) return undefined;
  const n = Number(key);
  return Number.isInteger(n) && String(n) === key ? n : undefined;
}

/** The index a property key names, or -1; negative indices count from the end, as Python. */
function indexOf(key: string | symbol, length: number): number {
  const n = integerKey(key);
  if (n === undefined) return -1;
  const index = n < 0 ? n + length : n;
  if (index < 0 || index >= length) {
    throw new RangeError(
      `Index ${n} is out of bounds for a shared array of length ${length} ` +
        `(valid: 0 to ${length - 1}, or -${length} to -1 from the end)`,
    );
  }
  return index;
}

/**
 * Wraps a finished instance in the proxy that gives it `arr[i]`: reads and writes of indices
 * are checked (bounds, type, range) and go to the shared memory; everything else reaches the
 * instance itself (methods bound to it, once each).
 */
function indexable<A extends SharedTypedArray>(
  array: A,
  typed: AnyTypedArray<SharedArrayBuffer>,
  kind: Kind,
): A {
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(array, {
    get(target, key) {
      const index = indexOf(key, typed.length);
      if (index >= 0) return typed[index];
      const value = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      let method = bound.get(key);
      if (method === undefined) bound.set(key, method = value.bind(target));
      return method;
    },
    set(target, key, value) {
      const index = indexOf(key, typed.length);
      if (index < 0) return Reflect.set(target, key, value, target);
      checkElement(kind, value, `[${key as string}]`);
      typed[index] = value as never;
      return true;
    },
    has(target, key) {
      const n = integerKey(key);
      if (n === undefined) return Reflect.has(target, key);
      return n >= -typed.length && n < typed.length;
    },
  });
}

/**
 * A fixed-length array of numbers in shared memory (Python's `RawArray`, and the base of
 * `Array`'s result). Index it like a typed array — `a[i]`, `a[i] = x`, `a.length`,
 * `for (const x of a)`, `[...a]`, `a.slice()` — with Python's checks: an index out of bounds
 * is a `RangeError` (negative indices count from the end, as in Python), and a value of the
 * wrong type or range is refused, never silently wrapped. {@linkcode
 * SharedTypedArray.typedArray} is the unchecked, fastest view for bulk work.
 *
 * @example
 * ```ts
 * import { RawArray } from "@workers/multiprocessing/shared";
 * import assert from "node:assert/strict";
 *
 * const a = RawArray("h", [1, 2, 3]);
 * a[-1] = 30;
 * assert.deepEqual([...a], [1, 2, 30]);
 * assert.throws(() => a[3], RangeError);
 * assert.throws(() => (a[0] = 40_000), RangeError);
 * ```
 */
export class SharedTypedArray<S extends ElementType = ElementType>
  implements Iterable<ElementOf<S>> {
  /** The element at an index (negative: from the end); checked. */
  [index: number]: ElementOf<S>;
  #kind: Kind;
  #typed: AnyTypedArray<SharedArrayBuffer>;

  /**
   * @internal Use {@linkcode Array} or {@linkcode RawArray}.
   * @throws {TypeError} Called with anything but what those pass.
   */
  constructor(kind: Kind, buffer: SharedArrayBuffer) {
    assertMade(kind, buffer, `new ${new.target.name}()`, `Array("i", 10) or RawArray("i", 10)`);
    this.#kind = kind;
    this.#typed = new kind.make(buffer);
  }

  /** The number of elements. */
  get length(): number {
    return this.#typed.length;
  }

  /** The typecode (or the typed-array constructor's name) the array was made with. */
  get typecode(): string {
    return this.#kind.code;
  }

  /**
   * The live typed array over the shared memory: no checks, full speed, for bulk work
   * (`fill`, `set`, loops in hot code). Python's `get_obj()` plays this part.
   *
   * @example
   * ```ts
   * import { RawArray } from "@workers/multiprocessing/shared";
   * import assert from "node:assert/strict";
   *
   * const a = RawArray("d", 3);
   * a.typedArray.fill(0.5);
   * assert.equal(a[2], 0.5);
   * ```
   */
  get typedArray(): ViewOf<S, SharedArrayBuffer> {
    return this.#typed as ViewOf<S, SharedArrayBuffer>;
  }

  /**
   * A copy of the elements from `start` to `end` (Python's `a[start:end]`), as a typed array
   * of its own (not shared).
   *
   * @param start First index (negative: from the end).
   * @param end Index after the last (negative: from the end).
   * @returns The copy.
   *
   * @example
   * ```ts
   * import { RawArray } from "@workers/multiprocessing/shared";
   * import assert from "node:assert/strict";
   *
   * assert.deepEqual(RawArray("i", [1, 2, 3]).slice(1), Int32Array.of(2, 3));
   * ```
   */
  slice(start?: number, end?: number): ViewOf<S, ArrayBuffer> {
    return this.#typed.slice(start, end) as ViewOf<S, ArrayBuffer>;
  }

  /** The elements in order. */
  *[Symbol.iterator](): IterableIterator<ElementOf<S>> {
    const typed = this.#typed;
    for (let i = 0; i < typed.length; i++) yield typed[i] as ElementOf<S>;
  }

  /** @internal What crosses into a worker. */
  [toShared](): SharedHandle {
    const state: ArrayState = {
      code: this.#kind.code,
      buffer: this.#typed.buffer,
      lock: this instanceof SynchronizedArray ? lockState(this.getLock()) : null,
    };
    return { module: import.meta.url, export: "SharedTypedArray", state };
  }

  /** @internal Rebuilds the array in a worker. */
  static [fromShared](state: unknown): SharedTypedArray {
    const { code, buffer, lock } = state as ArrayState;
    const kind = kindByCode(code);
    return lock === null
      ? wrap(new SharedTypedArray(kind, buffer))
      : wrap(new SynchronizedArray(kind, buffer, reviveLock(lock)));
  }

  /** Shown by `console.log`: `Array("i", [0, -1, -2])`. */
  [Symbol.for("Deno.customInspect")](): string {
    const items = [...this].map((x) => typeof x === "bigint" ? `${x}n` : String(x));
    const name = this instanceof SynchronizedArray ? "Array" : "RawArray";
    return `${name}("${this.#kind.code}", [${items.join(", ")}])`;
  }
}

/**
 * A {@linkcode SharedTypedArray} with the lock that guards it (Python's `SynchronizedArray`,
 * what `Array()` returns).
 *
 * @example
 * ```ts
 * import { SharedArray } from "@workers/multiprocessing/shared";
 * import assert from "node:assert/strict";
 *
 * const a = SharedArray("i", 3);
 * {
 *   using _held = await a.getLock().hold();
 *   a[0] = a[0]! + 1;
 * }
 * assert.deepEqual([...a], [1, 0, 0]);
 * ```
 */
export class SynchronizedArray<S extends ElementType = ElementType> extends SharedTypedArray<S> {
  #lock: Lock | RLock;

  /**
   * @internal Use {@linkcode Array}.
   * @throws {TypeError} Called with anything but what it passes.
   */
  constructor(kind: Kind, buffer: SharedArrayBuffer, lock: Lock | RLock) {
    super(kind, buffer);
    assertLock(lock, "new SynchronizedArray()", `Array("i", 10, { lock })`);
    this.#lock = lock;
  }

  /**
   * The lock that guards the array (Python's `get_lock()`).
   *
   * @returns The `Lock` or `RLock`.
   *
   * @example
   * ```ts
   * import { Lock, SharedArray } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const lock = new Lock();
   * assert.equal(SharedArray("d", 2, { lock }).getLock(), lock);
   * ```
   */
  getLock(): Lock | RLock {
    return this.#lock;
  }
}

function wrap<A extends SharedTypedArray>(array: A): A {
  return indexable(
    array,
    array.typedArray as AnyTypedArray<SharedArrayBuffer>,
    kindByCode(array.typecode),
  );
}

function make(type: unknown, sizeOrValues: unknown, where: string): [Kind, SharedArrayBuffer] {
  const kind = kindOf(type, where);
  let values: unknown[] | undefined;
  let length: number;
  if (typeof sizeOrValues === "number") {
    if (!Number.isSafeInteger(sizeOrValues) || sizeOrValues < 0) {
      throw new RangeError(
        `${where}: "sizeOrValues" as a size must be an integer ≥ 0, got ${
          describeValue(sizeOrValues)
        }`,
      );
    }
    length = sizeOrValues;
  } else if (
    typeof sizeOrValues === "object" && sizeOrValues !== null && Symbol.iterator in sizeOrValues
  ) {
    values = [...sizeOrValues as Iterable<unknown>];
    length = values.length;
  } else {
    throw new TypeError(
      `${where}: "sizeOrValues" must be a length or an iterable of initial values, got ` +
        `${describeNonNumber(sizeOrValues)}: e.g. Array("i", 10) or Array("i", [1, 2, 3])`,
    );
  }
  const buffer = new SharedArrayBuffer(length * kind.make.BYTES_PER_ELEMENT);
  if (values !== undefined) {
    const typed = new kind.make(buffer);
    for (let i = 0; i < values.length; i++) {
      checkElement(kind, values[i], `${where}: "sizeOrValues"[${i}]`);
      typed[i] = values[i] as never;
    }
  }
  return [kind, buffer];
}

/**
 * A fixed-length array of numbers in shared memory with a lock (Python's
 * `multiprocessing.Array`). Pass it to workers as an argument: it arrives as the same array.
 * Exported under two names: `Array`, as in Python, and `SharedArray`, since importing `Array`
 * shadows the global `Array` in your module.
 *
 * @param typecode Python's `array` typecode (`"i"`, `"d"`… see {@linkcode Typecode}) or a
 * typed-array constructor.
 * @param sizeOrValues A length (zero-filled) or the initial values.
 * @param options `lock`: `true` (a new `RLock`, the default), a `Lock`/`RLock` to use, or
 * `false` for a raw array without a lock.
 * @returns The shared array.
 * @throws {TypeError} An unknown typecode, a value of the wrong type, or `options` not an
 *   object, with a key other than `lock`, or a `lock` of the wrong type.
 * @throws {RangeError} A negative size, or a value out of the typecode's range.
 *
 * @example
 * ```ts
 * import { Pool, SharedArray } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const squares = SharedArray("d", 4);
 * await using pool = new Pool(2);
 * await pool.starmap((i: number, a: typeof squares) => {
 *   a[i] = i * i;
 * }, [0, 1, 2, 3].map((i) => [i, squares]));
 * assert.deepEqual([...squares], [0, 1, 4, 9]);
 * ```
 */
export function SharedArray<S extends ElementType>(
  typecode: S,
  sizeOrValues: number | Iterable<ElementOf<S>>,
  options?: ArrayOptions & { lock?: true | Lock | RLock },
): SynchronizedArray<S>;
/** With `{ lock: false }`: a array without a lock (a {@linkcode SharedTypedArray}). */
export function SharedArray<S extends ElementType>(
  typecode: S,
  sizeOrValues: number | Iterable<ElementOf<S>>,
  options: ArrayOptions & { lock: false },
): SharedTypedArray<S>;
/** With a `lock` option known only at run time. */
export function SharedArray<S extends ElementType>(
  typecode: S,
  sizeOrValues: number | Iterable<ElementOf<S>>,
  options?: ArrayOptions,
): SharedTypedArray<S>;
export function SharedArray<S extends ElementType>(
  typecode: S,
  sizeOrValues: number | Iterable<ElementOf<S>>,
  options: ArrayOptions = {},
): SharedTypedArray<S> {
  checkLockOptions(options, "Array()");
  const [kind, buffer] = make(typecode, sizeOrValues, "Array()");
  const lock = lockFor(options.lock, "Array()");
  const array = lock === undefined
    ? new SharedTypedArray<S>(kind, buffer)
    : new SynchronizedArray<S>(kind, buffer, lock);
  return indexable(array, array.typedArray, kind);
}

/**
 * A fixed-length array of numbers in shared memory without a lock (Python's
 * `multiprocessing.RawArray`).
 *
 * @param typecode Python's `array` typecode or a typed-array constructor.
 * @param sizeOrValues A length (zero-filled) or the initial values.
 * @returns The shared array.
 * @throws {TypeError} An unknown typecode, or a value of the wrong type.
 * @throws {RangeError} A negative size, or a value out of the typecode's range.
 *
 * @example
 * ```ts
 * import { RawArray } from "@workers/multiprocessing/shared";
 * import assert from "node:assert/strict";
 *
 * const a = RawArray(Float32Array, [0.5, 1.5]);
 * assert.equal(a.length, 2);
 * assert.throws(() => RawArray("x" as "d", 1), TypeError);
 * ```
 */
export function RawArray<S extends ElementType>(
  typecode: S,
  sizeOrValues: number | Iterable<ElementOf<S>>,
): SharedTypedArray<S> {
  const [kind, buffer] = make(typecode, sizeOrValues, "RawArray()");
  const array = new SharedTypedArray<S>(kind, buffer);
  return indexable(array, array.typedArray, kind);
}
