/**
 * `Value` and `RawValue`: Python's `multiprocessing.Value` and `RawValue`, one number in
 * shared memory, seen by the main program and every worker.
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
} from "./_typecodes.ts";

/** Options of {@linkcode Value}. */
export interface ValueOptions {
  /**
   * The lock that guards the value: `true` makes a new {@linkcode RLock} (Python's default),
   * `false` gives a {@linkcode SharedValue} without one, or pass a `Lock`/`RLock` to share.
   * @default {true}
   */
  lock?: LockOption;
}

interface ValueState {
  code: string;
  buffer: SharedArrayBuffer;
  lock: LockState | null;
}

/**
 * One number in shared memory (Python's `RawValue`, and the base of `Value`'s result). Each
 * read or write of {@linkcode SharedValue.value} is a single access, so it never tears, but
 * `v.value += 1` is a read and then a write: hold a lock around it, as in Python.
 *
 * @example
 * ```ts
 * import { RawValue } from "@workers/multiprocessing/shared";
 * import assert from "node:assert/strict";
 *
 * const v = RawValue("d", 0.5);
 * v.value *= 2;
 * assert.equal(v.value, 1);
 * ```
 */
export class SharedValue<S extends ElementType = ElementType> {
  #kind: Kind;
  #cell: AnyTypedArray<SharedArrayBuffer>;

  /**
   * @internal Use {@linkcode Value} or {@linkcode RawValue}.
   * @throws {TypeError} Called with anything but what those pass.
   */
  constructor(kind: Kind, buffer: SharedArrayBuffer) {
    assertMade(kind, buffer, `new ${new.target.name}()`, `Value("d", 0.5) or RawValue("d", 0.5)`);
    this.#kind = kind;
    this.#cell = new kind.make(buffer, 0, 1);
  }

  /**
   * The number. Writing checks it against the typecode.
   *
   * @throws {TypeError} A write of the wrong type (a float to an integer typecode, a number to
   * `q`/`Q`).
   * @throws {RangeError} A write out of the typecode's range.
   */
  get value(): ElementOf<S> {
    return this.#cell[0] as ElementOf<S>;
  }

  set value(value: ElementOf<S>) {
    checkElement(this.#kind, value, "value");
    this.#cell[0] = value as never;
  }

  /**
   * The typecode (or the typed-array constructor's name) the value was made with.
   *
   * @example
   * ```ts
   * import { RawValue } from "@workers/multiprocessing/shared";
   * import assert from "node:assert/strict";
   *
   * assert.equal(RawValue("i", 1).typecode, "i");
   * ```
   */
  get typecode(): string {
    return this.#kind.code;
  }

  /** @internal What crosses into a worker. */
  [toShared](): SharedHandle {
    const state: ValueState = {
      code: this.#kind.code,
      buffer: this.#cell.buffer,
      lock: this instanceof SynchronizedValue ? lockState(this.getLock()) : null,
    };
    return { module: import.meta.url, export: "SharedValue", state };
  }

  /** @internal Rebuilds the value in a worker. */
  static [fromShared](state: unknown): SharedValue {
    const { code, buffer, lock } = state as ValueState;
    const kind = kindByCode(code);
    return lock === null
      ? new SharedValue(kind, buffer)
      : new SynchronizedValue(kind, buffer, reviveLock(lock));
  }

  /** Shown by `console.log`: `Value("d", 3.14)`. */
  [Symbol.for("Deno.customInspect")](): string {
    const shown = typeof this.value === "bigint" ? `${this.value}n` : String(this.value);
    return `${
      this instanceof SynchronizedValue ? "Value" : "RawValue"
    }("${this.#kind.code}", ${shown})`;
  }
}

/**
 * A {@linkcode SharedValue} with the lock that guards it (Python's `Synchronized`, what
 * `Value()` returns).
 *
 * @example
 * ```ts
 * import { Value } from "@workers/multiprocessing/shared";
 * import assert from "node:assert/strict";
 *
 * const v = Value("i", 1);
 * {
 *   using _held = await v.getLock().hold();
 *   v.value += 1;
 * }
 * assert.equal(v.value, 2);
 * ```
 */
export class SynchronizedValue<S extends ElementType = ElementType> extends SharedValue<S> {
  #lock: Lock | RLock;

  /**
   * @internal Use {@linkcode Value}.
   * @throws {TypeError} Called with anything but what it passes.
   */
  constructor(kind: Kind, buffer: SharedArrayBuffer, lock: Lock | RLock) {
    super(kind, buffer);
    assertLock(lock, "new SynchronizedValue()", `Value("d", 0.5, { lock })`);
    this.#lock = lock;
  }

  /**
   * The lock that guards the value (Python's `get_lock()`).
   *
   * @returns The `Lock` or `RLock`.
   *
   * @example
   * ```ts
   * import { RLock, Value } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * assert.ok(Value("d", 0).getLock() instanceof RLock);
   * ```
   */
  getLock(): Lock | RLock {
    return this.#lock;
  }
}

function make(type: unknown, initial: unknown, where: string): [Kind, SharedArrayBuffer] {
  const kind = kindOf(type, where);
  const value = initial === undefined ? (kind.bigint ? 0n : 0) : initial;
  checkElement(kind, value, `${where}: "initial"`);
  const buffer = new SharedArrayBuffer(kind.make.BYTES_PER_ELEMENT);
  new kind.make(buffer)[0] = value as never;
  return [kind, buffer];
}

/**
 * One number in shared memory with a lock (Python's `multiprocessing.Value`). Pass it to
 * workers as an argument: it arrives as the same value. Read and write `.value`; hold
 * `getLock()` around a read-modify-write such as `v.value += 1`.
 *
 * @param typecode Python's `array` typecode (`"d"`, `"i"`… see {@linkcode Typecode}) or a
 * typed-array constructor.
 * @param initial The starting value.
 * @default {0}
 * @param options `lock`: `true` (a new `RLock`, the default), a `Lock`/`RLock` to use, or
 * `false` for a raw value without a lock.
 * @returns The shared value.
 * @throws {TypeError} An unknown typecode, an initial value of the wrong type, or `options`
 *   not an object, with a key other than `lock`, or a `lock` of the wrong type.
 * @throws {RangeError} An initial value out of the typecode's range.
 *
 * @example The tutorial's shared `Value` and `Array`
 * ```ts
 * import { Pool, SharedArray, Value } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const num = Value("d", 0.0);
 * const arr = SharedArray("i", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 * await using pool = new Pool(1);
 * await pool.apply((n: typeof num, a: typeof arr) => {
 *   n.value = 3.1415927;
 *   for (let i = 0; i < a.length; i++) a[i] = -a[i]!;
 * }, [num, arr]);
 * assert.equal(num.value, 3.1415927);
 * assert.deepEqual([...arr], [0, -1, -2, -3, -4, -5, -6, -7, -8, -9]);
 * ```
 */
export function Value<S extends ElementType>(
  typecode: S,
  initial?: ElementOf<S>,
  options?: ValueOptions & { lock?: true | Lock | RLock },
): SynchronizedValue<S>;
/** With `{ lock: false }`: a value without a lock (a {@linkcode SharedValue}). */
export function Value<S extends ElementType>(
  typecode: S,
  initial: ElementOf<S> | undefined,
  options: ValueOptions & { lock: false },
): SharedValue<S>;
/** With a `lock` option known only at run time. */
export function Value<S extends ElementType>(
  typecode: S,
  initial?: ElementOf<S>,
  options?: ValueOptions,
): SharedValue<S>;
export function Value<S extends ElementType>(
  typecode: S,
  initial?: ElementOf<S>,
  options: ValueOptions = {},
): SharedValue<S> {
  checkLockOptions(options, "Value()");
  const [kind, buffer] = make(typecode, initial, "Value()");
  const lock = lockFor(options.lock, "Value()");
  return lock === undefined
    ? new SharedValue(kind, buffer)
    : new SynchronizedValue(kind, buffer, lock);
}

/**
 * One number in shared memory without a lock (Python's `multiprocessing.RawValue`).
 *
 * @param typecode Python's `array` typecode or a typed-array constructor.
 * @param initial The starting value.
 * @default {0}
 * @returns The shared value.
 * @throws {TypeError} An unknown typecode, or an initial value of the wrong type.
 * @throws {RangeError} An initial value out of the typecode's range.
 *
 * @example
 * ```ts
 * import { RawValue } from "@workers/multiprocessing/shared";
 * import assert from "node:assert/strict";
 *
 * const big = RawValue("q", 2n ** 40n);
 * assert.equal(big.value, 1099511627776n);
 * assert.throws(() => RawValue("b", 300), RangeError);
 * ```
 */
export function RawValue<S extends ElementType>(
  typecode: S,
  initial?: ElementOf<S>,
): SharedValue<S> {
  const [kind, buffer] = make(typecode, initial, "RawValue()");
  return new SharedValue(kind, buffer);
}
