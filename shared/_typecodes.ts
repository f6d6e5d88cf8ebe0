/**
 * Python's `array` typecodes (and typed-array constructors) for the shared values: their
 * element type, size and range, and the checks that keep a wrong value out of shared memory.
 *
 * @module
 */

import { describeValue } from "../_internal/checks.ts";

/**
 * A typecode of Python's `array` module. `l`/`L` are 4 bytes (C's `long` at its minimum, as
 * on Windows) so that their values stay `number`s; `q`/`Q` are 8 bytes and read as `bigint`.
 */
export type Typecode = "b" | "B" | "h" | "H" | "i" | "I" | "l" | "L" | "q" | "Q" | "f" | "d";

/** A typed-array constructor accepted in place of a typecode. */
export type TypedArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/** The element type: a typecode or a typed-array constructor. */
export type ElementType = Typecode | TypedArrayConstructor;

/** What an element of `T` reads as: `bigint` for the 64-bit integer types, else `number`. */
export type ElementOf<T extends ElementType> = T extends
  "q" | "Q" | BigInt64ArrayConstructor | BigUint64ArrayConstructor ? bigint : number;

/** A typed array of any element type, over a buffer of type `B`. */
export type AnyTypedArray<B extends ArrayBufferLike = ArrayBufferLike> =
  | Int8Array<B>
  | Uint8Array<B>
  | Uint8ClampedArray<B>
  | Int16Array<B>
  | Uint16Array<B>
  | Int32Array<B>
  | Uint32Array<B>
  | Float32Array<B>
  | Float64Array<B>
  | BigInt64Array<B>
  | BigUint64Array<B>;

/** The typed array of an element type `S`, over a buffer of type `B`. */
export type ViewOf<S extends ElementType, B extends ArrayBufferLike = ArrayBufferLike> = S extends
  "b" | Int8ArrayConstructor ? Int8Array<B>
  : S extends "B" | Uint8ArrayConstructor ? Uint8Array<B>
  : S extends Uint8ClampedArrayConstructor ? Uint8ClampedArray<B>
  : S extends "h" | Int16ArrayConstructor ? Int16Array<B>
  : S extends "H" | Uint16ArrayConstructor ? Uint16Array<B>
  : S extends "i" | "l" | Int32ArrayConstructor ? Int32Array<B>
  : S extends "I" | "L" | Uint32ArrayConstructor ? Uint32Array<B>
  : S extends "f" | Float32ArrayConstructor ? Float32Array<B>
  : S extends "d" | Float64ArrayConstructor ? Float64Array<B>
  : S extends "q" | BigInt64ArrayConstructor ? BigInt64Array<B>
  : S extends "Q" | BigUint64ArrayConstructor ? BigUint64Array<B>
  : AnyTypedArray<B>;

/** How the library makes a view of an element type over shared memory. */
type ViewMaker = {
  new (buffer: SharedArrayBuffer, byteOffset?: number, length?: number): AnyTypedArray<
    SharedArrayBuffer
  >;
  readonly BYTES_PER_ELEMENT: number;
};

/** Everything known about an element type. */
export interface Kind {
  /** The typecode, or the constructor's name. */
  code: string;
  make: ViewMaker;
  /** Integer range; `NaN` for floats. */
  min: number | bigint;
  max: number | bigint;
  bigint: boolean;
  float: boolean;
}

function int(code: string, make: ViewMaker, bits: number, signed: boolean): Kind {
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return { code, make, min, max, bigint: false, float: false };
}

function big(code: string, make: ViewMaker, signed: boolean): Kind {
  const min = signed ? -(2n ** 63n) : 0n;
  const max = signed ? 2n ** 63n - 1n : 2n ** 64n - 1n;
  return { code, make, min, max, bigint: true, float: false };
}

function float(code: string, make: ViewMaker): Kind {
  return { code, make, min: NaN, max: NaN, bigint: false, float: true };
}

const kinds = new Map<string, Kind>([
  ["b", int("b", Int8Array as ViewMaker, 8, true)],
  ["B", int("B", Uint8Array as ViewMaker, 8, false)],
  ["h", int("h", Int16Array as ViewMaker, 16, true)],
  ["H", int("H", Uint16Array as ViewMaker, 16, false)],
  ["i", int("i", Int32Array as ViewMaker, 32, true)],
  ["I", int("I", Uint32Array as ViewMaker, 32, false)],
  ["l", int("l", Int32Array as ViewMaker, 32, true)],
  ["L", int("L", Uint32Array as ViewMaker, 32, false)],
  ["q", big("q", BigInt64Array as ViewMaker, true)],
  ["Q", big("Q", BigUint64Array as ViewMaker, false)],
  ["f", float("f", Float32Array as ViewMaker)],
  ["d", float("d", Float64Array as ViewMaker)],
  ["Uint8ClampedArray", int("Uint8ClampedArray", Uint8ClampedArray as ViewMaker, 8, false)],
]);
const byConstructor = new Map<unknown, Kind>([
  [Int8Array, kinds.get("b")!],
  [Uint8Array, kinds.get("B")!],
  [Uint8ClampedArray, kinds.get("Uint8ClampedArray")!],
  [Int16Array, kinds.get("h")!],
  [Uint16Array, kinds.get("H")!],
  [Int32Array, kinds.get("i")!],
  [Uint32Array, kinds.get("I")!],
  [Float32Array, kinds.get("f")!],
  [Float64Array, kinds.get("d")!],
  [BigInt64Array, kinds.get("q")!],
  [BigUint64Array, kinds.get("Q")!],
]);

/** The kind of a typecode or constructor; throws a `TypeError` listing the valid ones. */
export function kindOf(type: unknown, where: string): Kind {
  const kind = typeof type === "string"
    ? (type.length === 1 ? kinds.get(type) : undefined)
    : byConstructor.get(type);
  if (kind !== undefined) return kind;
  const shown = typeof type === "function" ? type.name : JSON.stringify(type) ?? String(type);
  throw new TypeError(
    `${where}: unknown typecode ${shown}. Use one of Python's array typecodes ` +
      `b B h H i I l L q Q f d (e.g. "d" for a float, "i" for an int), or a typed-array ` +
      `constructor such as Float64Array`,
  );
}

const known = new Set<unknown>(kinds.values());

/**
 * Refuses a direct `new SharedValue(…)` / `new SharedTypedArray(…)` (and their synchronized
 * subclasses) given anything but what the library's factories pass: a kind from this file and
 * a `SharedArrayBuffer`.
 *
 * @param kind What was passed as the kind.
 * @param buffer What was passed as the buffer.
 * @param made E.g. `new SharedValue()`.
 * @param factories How to make one instead, e.g. `Value("d", 0.5) or RawValue("d", 0.5)`.
 */
export function assertMade(
  kind: unknown,
  buffer: unknown,
  made: string,
  factories: string,
): asserts kind is Kind {
  if (!known.has(kind)) {
    throw new TypeError(
      `${made}: "kind" is not an element type of the library (got ${describeValue(kind)}): ` +
        `its constructor is internal; make one with ${factories}`,
    );
  }
  if (!(buffer instanceof SharedArrayBuffer)) {
    throw new TypeError(
      `${made}: "buffer" must be a SharedArrayBuffer, got ${describeValue(buffer)}: its ` +
        `constructor is internal; make one with ${factories}`,
    );
  }
}

/** The kind of a typecode received from another thread (already checked there). */
export function kindByCode(code: string): Kind {
  return kinds.get(code)!;
}

/** Checks that `value` fits the element type; throws a `TypeError`/`RangeError` otherwise. */
export function checkElement(kind: Kind, value: unknown, where: string): void {
  if (kind.bigint) {
    if (typeof value !== "bigint") {
      throw new TypeError(
        `${where}: typecode "${kind.code}" holds bigints, got ${typeof value} ${
          String(value)
        } (write e.g. 5n or BigInt(x))`,
      );
    }
  } else if (typeof value !== "number") {
    throw new TypeError(
      `${where}: typecode "${kind.code}" holds numbers, got ${typeof value} ${String(value)}`,
    );
  } else if (kind.float) {
    return;
  } else if (!Number.isInteger(value)) {
    throw new TypeError(
      `${where}: typecode "${kind.code}" holds integers, got ${value} (use "d" for floats)`,
    );
  }
  if (value < kind.min || value > kind.max) {
    throw new RangeError(
      `${where}: ${String(value)} is out of range for typecode "${kind.code}" ` +
        `(${String(kind.min)} to ${String(kind.max)})`,
    );
  }
}
