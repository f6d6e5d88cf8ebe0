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

/**
 * The MPI datatype of a typed array's elements, and its element count.
 *
 * @param lib The symbols.
 * @param name The argument's name, for the message.
 * @param buf The buffer.
 * @returns The datatype handle.
 * @throws {TypeError} When `buf` is not one of the {@linkcode TypedArray}s.
 * @throws {RangeError} When it holds more than 2³¹ - 1 elements.
 */
export function datatype(lib: MpiSymbols, name: string, buf: unknown): Deno.PointerValue {
  const type = handleOf(lib, buf);
  if (type === undefined) {
    throw new TypeError(
      `Invalid ${name}: ${describe(buf)}; expected a typed array (Float64Array, Int32Array, ` +
        "Uint8Array…); send other values with the lower-case calls (send, recv, bcast…)",
    );
  }
  if ((buf as TypedArray).length > 2147483647) {
    throw new RangeError(
      `Invalid ${name}: ${(buf as TypedArray).length} elements; at most 2³¹ - 1`,
    );
  }
  // A small typed array may live inside V8's heap, where the collector can move it; asking for
  // its buffer moves it out, so the address MPI keeps for a non-blocking call stays valid.
  void (buf as TypedArray).buffer;
  return type;
}

function handleOf(lib: MpiSymbols, buf: unknown): Deno.PointerValue | undefined {
  if (buf instanceof Float64Array) return lib.ompi_mpi_double;
  if (buf instanceof Float32Array) return lib.ompi_mpi_float;
  if (buf instanceof Int32Array) return lib.ompi_mpi_int32_t;
  if (buf instanceof Uint32Array) return lib.ompi_mpi_uint32_t;
  if (buf instanceof Uint8Array || buf instanceof Uint8ClampedArray) return lib.ompi_mpi_uint8_t;
  if (buf instanceof Int8Array) return lib.ompi_mpi_int8_t;
  if (buf instanceof Int16Array) return lib.ompi_mpi_int16_t;
  if (buf instanceof Uint16Array) return lib.ompi_mpi_uint16_t;
  if (buf instanceof BigInt64Array) return lib.ompi_mpi_int64_t;
  if (buf instanceof BigUint64Array) return lib.ompi_mpi_uint64_t;
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "an object";
  return `${typeof value} ${String(value)}`;
}
