/**
 * How the lower-case calls turn structured values into bytes and back: `node:v8`'s
 * serializer, which takes what `structuredClone` takes (`Map`, `Set`, `BigInt`, typed arrays,
 * `Date`, errors, cycles…). The one place to change the codec.
 *
 * @module
 */

import { deserialize, serialize } from "node:v8";

/**
 * A value's bytes.
 *
 * @param value Any structured-cloneable value.
 * @returns Its bytes (in memory outside V8's heap, so a pending send may keep their address).
 */
export function encodeValue(value: unknown): Uint8Array {
  const bytes = serialize(value);
  void bytes.buffer;
  return bytes;
}

/**
 * The value back from its bytes (a fresh copy: `bytes` may be reused after).
 *
 * @param bytes What {@linkcode encodeValue} gave.
 * @returns The value.
 */
export function decodeValue(bytes: Uint8Array): unknown {
  return deserialize(bytes);
}
