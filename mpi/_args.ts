/**
 * Argument checks shared by the communicator's calls: whole numbers that fit MPI's `int`, and
 * typed arrays with the MPI datatype of their elements.
 *
 * @module
 */

import type { MpiSymbols } from "./_ffi.ts";

/** The typed arrays the buffer calls take, each sent as the MPI datatype of its elements. */
export type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/**
 * Checks that `value` is a whole number that fits a C `int`.
 *
 * @param name The argument's name, for the message.
 * @param value The value.
 * @returns The value.
 * @throws {RangeError} Otherwise.
 */
export function int(name: string, value: number): number {
  if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647) {
    throw new RangeError(
      `Invalid ${name}: ${String(value)}; expected a whole number (ranks run from 0 to size - 1, ` +
        "tags from 0 up)",
    );
  }
  return value;
}

const names = new Map<unknown, string>([
  [Float64Array, "ompi_mpi_double"],
  [Float32Array, "ompi_mpi_float"],
  [Int32Array, "ompi_mpi_int32_t"],
  [Uint32Array, "ompi_mpi_uint32_t"],
  [Uint8Array, "ompi_mpi_uint8_t"],
  [Uint8ClampedArray, "ompi_mpi_uint8_t"],
  [Int8Array, "ompi_mpi_int8_t"],
  [Int16Array, "ompi_mpi_int16_t"],
  [Uint16Array, "ompi_mpi_uint16_t"],
  [BigInt64Array, "ompi_mpi_int64_t"],
  [BigUint64Array, "ompi_mpi_uint64_t"],
]);
const handles = new Map<unknown, Deno.PointerValue>();

/**
 * The MPI datatype of a typed array's elements.
 *
 * @param lib The symbols.
 * @param name The argument's name, for the message.
 * @param buf The buffer.
 * @returns The datatype handle.
 * @throws {TypeError} When `buf` is not one of the {@linkcode TypedArray}s.
 * @throws {RangeError} When it holds more than 2³¹ - 1 elements.
 */
export function datatype(lib: MpiSymbols, name: string, buf: unknown): Deno.PointerValue {
  const type = handles.get((buf as object)?.constructor) ?? slowHandle(lib, name, buf);
  if ((buf as TypedArray).length > 2147483647) {
    throw new RangeError(
      `Invalid ${name}: ${(buf as TypedArray).length} elements; at most 2³¹ - 1`,
    );
  }
  return type;
}

function slowHandle(lib: MpiSymbols, name: string, buf: unknown): Deno.PointerValue {
  for (const [Class, symbol] of names) {
    if (buf instanceof (Class as typeof Uint8Array)) {
      const handle = lib[symbol as "ompi_mpi_double"];
      if (buf.constructor === Class) handles.set(Class, handle);
      return handle;
    }
  }
  throw new TypeError(
    `Invalid ${name}: ${describe(buf)}; expected a typed array (Float64Array, Int32Array, ` +
      "Uint8Array…); send other values with the lower-case calls (send, recv, bcast…)",
  );
}

const views = new WeakMap<TypedArray, Uint8Array>();

/**
 * The bytes of a typed array, as a `Uint8Array` over the same memory (made once per array):
 * what FFI's fast calls take. The memory is also moved out of V8's heap, where a small typed
 * array may start and the collector may move it, so that the address a non-blocking call
 * hands to MPI stays valid until the call completes.
 *
 * @param buf The typed array.
 * @returns Its bytes, not a copy.
 */
export function bytesOf(buf: TypedArray): Uint8Array {
  if (buf.constructor === Uint8Array) {
    void buf.buffer;
    return buf as Uint8Array;
  }
  let view = views.get(buf);
  if (view === undefined || view.byteLength !== buf.byteLength) {
    view = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    views.set(buf, view);
  }
  return view;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "an object";
  return `${typeof value} ${String(value)}`;
}
