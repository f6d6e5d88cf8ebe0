/**
 * How the lower-case calls turn structured values into bytes and back. Plain JSON data
 * (finite numbers other than -0, strings, booleans, `null`, arrays of them, and plain objects
 * with no `undefined` in them, no object met twice) travels as UTF-8 JSON after a zero byte:
 * Deno's `node:v8` serializer costs ~10 µs even for a tiny array, JSON a few. Anything else
 * (`Map`, `Set`, `BigInt`, typed arrays, `Date`, `undefined`, errors, shared references and
 * cycles…) goes through `node:v8`'s serializer, whose bytes always begin with `0xFF`, so the
 * first byte tells the two apart. Both give what `structuredClone` gives.
 *
 * @module
 */

import { deserialize, serialize } from "node:v8";

const JSON_MARK = 0;
const MAX_DEPTH = 64;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Whether JSON carries `value` exactly as the structured clone would. */
function plain(value: unknown, depth: number, seen: Set<object>): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object": {
      if (value === null) return true;
      if (depth > MAX_DEPTH || seen.has(value)) return false;
      seen.add(value);
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !plain(value[i], depth + 1, seen)) return false;
        }
        return Object.keys(value).length === value.length;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      for (const key in value) {
        if (!plain((value as Record<string, unknown>)[key], depth + 1, seen)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * A value's bytes.
 *
 * @param value Any structured-cloneable value.
 * @returns Its bytes, in memory outside V8's heap (a pending send keeps their address).
 */
export function encodeValue(value: unknown): Uint8Array {
  if (plain(value, 0, new Set())) {
    const text = JSON.stringify(value);
    const bytes = new Uint8Array(new ArrayBuffer(1 + text.length * 3));
    bytes[0] = JSON_MARK;
    const { written } = encoder.encodeInto(text, bytes.subarray(1));
    return bytes.subarray(0, 1 + written);
  }
  const bytes = serialize(value);
  void bytes.buffer;
  return bytes;
}

/**
 * The value back from its bytes (a fresh copy, but typed arrays in it may be views of
 * `bytes`: never reuse `bytes` after).
 *
 * @param bytes What {@linkcode encodeValue} gave.
 * @returns The value.
 * @throws {Error} When `bytes` are neither (e.g. a typed array's message).
 */
export function decodeValue(bytes: Uint8Array): unknown {
  if (bytes[0] === JSON_MARK) return JSON.parse(decoder.decode(bytes.subarray(1)));
  return deserialize(bytes);
}
