/**
 * The codec of `ipc/`: structured-cloneable values to bytes and back, to travel through shared
 * memory (a queue's or pipe's buffer) rather than `postMessage`.
 *
 * Plain data — numbers, strings, booleans, `null`, `undefined`, bigints, arrays, plain objects,
 * typed arrays, `ArrayBuffer`s — is written by a small tag-per-value encoder, about ten times
 * faster than `node:v8`'s serializer for small messages (which costs ~5 µs even for a number
 * here). Anything else (a `Map`, a `Date`, an `Error`, a class instance, an object met twice or
 * in a cycle, a sparse array) falls back to `node:v8`'s `serialize`, which is the structured
 * clone algorithm itself, so the result is what `postMessage` would deliver.
 *
 * @module
 */

import { deserialize, serialize } from "node:v8";
import { toShared } from "../_internal/shareable.ts";

const UNDEFINED = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const INT32 = 4;
const FLOAT64 = 5;
const STRING = 6;
const BIGINT = 7;
const ARRAY = 8;
const OBJECT = 9;
const VIEW = 10;
const BUFFER = 11;
const V8 = 12;

const views = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  DataView,
] as const;
const viewKind = new Map<unknown, number>(views.map((v, i) => [v, i]));

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Thrown inside the fast encoder when the value needs the full structured clone. */
const FALLBACK = Symbol("fallback");

/** A growable byte buffer the encoder writes into; reused between messages of a thread. */
export class ByteWriter {
  bytes: Uint8Array = new Uint8Array(256);
  view: DataView = new DataView(this.bytes.buffer);
  length = 0;

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < need) size *= 2;
    const bytes = new Uint8Array(size);
    bytes.set(this.bytes.subarray(0, this.length));
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer);
  }

  /** Starts a new message. */
  reset(): void {
    this.length = 0;
    if (this.bytes.length > 1 << 20) {
      // Do not keep a huge buffer alive after a huge message.
      this.bytes = new Uint8Array(256);
      this.view = new DataView(this.bytes.buffer);
    }
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Appends the encoding of `value` to `out`. Throws a `TypeError` naming `argument` and the
 * type when the value cannot be cloned (a function, a symbol, a `SharedArrayBuffer`…).
 */
export function encode(value: unknown, out: ByteWriter, argument: string): void {
  const start = out.length;
  try {
    write(value, out, undefined);
  } catch (error) {
    if (error !== FALLBACK) throw error;
    out.length = start;
    let bytes: Uint8Array;
    try {
      bytes = serialize(value);
    } catch (cause) {
      throw new TypeError(
        `Cannot send ${describe(value)} as "${argument}": it cannot be structured-cloned ` +
          `(${(cause as Error).message}). Send plain data: numbers, strings, arrays, objects, ` +
          `typed arrays, Map, Set, Date…`,
        { cause },
      );
    }
    out.reserve(5 + bytes.length);
    out.bytes[out.length] = V8;
    out.view.setUint32(out.length + 1, bytes.length);
    out.bytes.set(bytes, out.length + 5);
    out.length += 5 + bytes.length;
  }
}

/** Names what a value is, for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return `a function (${value.name || "anonymous"})`;
  if (typeof value !== "object") return `a ${typeof value}`;
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  return name ? `a ${name}` : "an object";
}

function write(value: unknown, out: ByteWriter, seen: Set<object> | undefined): void {
  switch (typeof value) {
    case "number":
      out.reserve(9);
      if ((value | 0) === value && !Object.is(value, -0)) {
        out.bytes[out.length] = INT32;
        out.view.setInt32(out.length + 1, value);
        out.length += 5;
      } else {
        out.bytes[out.length] = FLOAT64;
        out.view.setFloat64(out.length + 1, value);
        out.length += 9;
      }
      return;
    case "string":
      out.reserve(1);
      out.bytes[out.length++] = STRING;
      writeString(value, out);
      return;
    case "boolean":
      out.reserve(1);
      out.bytes[out.length++] = value ? TRUE : FALSE;
      return;
    case "undefined":
      out.reserve(1);
      out.bytes[out.length++] = UNDEFINED;
      return;
    case "bigint":
      out.reserve(1);
      out.bytes[out.length++] = BIGINT;
      writeString(value.toString(), out);
      return;
    case "object":
      break;
    default:
      throw FALLBACK; // functions and symbols: the full clone reports them
  }
  if (value === null) {
    out.reserve(1);
    out.bytes[out.length++] = NULL;
    return;
  }
  if (toShared in value) {
    throw new TypeError(
      `Cannot send ${describe(value)} through a queue or pipe: shared objects (locks, values, ` +
        `queues…) reach a worker as task arguments or initargs, not as messages`,
    );
  }
  seen ??= new Set();
  if (seen.has(value)) throw FALLBACK; // shared or cyclic: the clone keeps the identity
  seen.add(value);
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) throw FALLBACK;
    const n = value.length;
    out.reserve(5);
    out.bytes[out.length] = ARRAY;
    out.view.setUint32(out.length + 1, n);
    out.length += 5;
    for (let i = 0; i < n; i++) {
      if (!(i in value)) throw FALLBACK; // sparse
      write(value[i], out, seen);
    }
    return;
  }
  if (ArrayBuffer.isView(value)) {
    const kind = viewKind.get(value.constructor);
    if (kind === undefined || !(value.buffer instanceof ArrayBuffer)) throw FALLBACK;
    const n = value.byteLength;
    out.reserve(6 + n);
    out.bytes[out.length] = VIEW;
    out.bytes[out.length + 1] = kind;
    out.view.setUint32(out.length + 2, n);
    out.bytes.set(new Uint8Array(value.buffer, value.byteOffset, n), out.length + 6);
    out.length += 6 + n;
    return;
  }
  if (value instanceof ArrayBuffer) {
    if (value.resizable) throw FALLBACK;
    const n = value.byteLength;
    out.reserve(5 + n);
    out.bytes[out.length] = BUFFER;
    out.view.setUint32(out.length + 1, n);
    out.bytes.set(new Uint8Array(value), out.length + 5);
    out.length += 5 + n;
    return;
  }
  if (!isPlainObject(value)) throw FALLBACK;
  const keys = Object.keys(value);
  out.reserve(5);
  out.bytes[out.length] = OBJECT;
  out.view.setUint32(out.length + 1, keys.length);
  out.length += 5;
  for (const key of keys) {
    writeString(key, out);
    write((value as Record<string, unknown>)[key], out, seen);
  }
}

function writeString(text: string, out: ByteWriter): void {
  out.reserve(4 + text.length * 3);
  const { written } = encoder.encodeInto(text, out.bytes.subarray(out.length + 4));
  out.view.setUint32(out.length, written);
  out.length += 4 + written;
}

/** Reads back a value written by {@linkcode encode} from `bytes` (not shared memory). */
export function decode(bytes: Uint8Array): unknown {
  if (bytes[0] === INT32 && bytes.length === 5) {
    return (bytes[1]! << 24) | (bytes[2]! << 16) | (bytes[3]! << 8) | bytes[4]!;
  }
  const reader = { bytes, view: new DataView(bytes.buffer, bytes.byteOffset), at: 0 };
  return read(reader);
}

interface Reader {
  bytes: Uint8Array;
  view: DataView;
  at: number;
}

function read(r: Reader): unknown {
  const tag = r.bytes[r.at++];
  switch (tag) {
    case UNDEFINED:
      return undefined;
    case NULL:
      return null;
    case FALSE:
      return false;
    case TRUE:
      return true;
    case INT32:
      r.at += 4;
      return r.view.getInt32(r.at - 4);
    case FLOAT64:
      r.at += 8;
      return r.view.getFloat64(r.at - 8);
    case STRING:
      return readString(r);
    case BIGINT:
      return BigInt(readString(r));
    case ARRAY: {
      const n = r.view.getUint32(r.at);
      r.at += 4;
      const items = new Array(n);
      for (let i = 0; i < n; i++) items[i] = read(r);
      return items;
    }
    case OBJECT: {
      const n = r.view.getUint32(r.at);
      r.at += 4;
      const object: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const key = readString(r);
        object[key] = read(r);
      }
      return object;
    }
    case VIEW: {
      const make = views[r.bytes[r.at]!]!;
      const n = r.view.getUint32(r.at + 1);
      r.at += 5;
      const buffer = r.bytes.buffer.slice(r.bytes.byteOffset + r.at, r.bytes.byteOffset + r.at + n);
      r.at += n;
      return new (make as new (buffer: ArrayBufferLike) => ArrayBufferView)(buffer);
    }
    case BUFFER: {
      const n = r.view.getUint32(r.at);
      r.at += 4;
      const start = r.bytes.byteOffset + r.at;
      r.at += n;
      return r.bytes.buffer.slice(start, start + n);
    }
    case V8: {
      const n = r.view.getUint32(r.at);
      r.at += 4;
      const value = deserialize(r.bytes.subarray(r.at, r.at + n));
      r.at += n;
      return value;
    }
    default:
      throw new RangeError(`Corrupt message: unknown tag ${tag} at byte ${r.at - 1}`);
  }
}

function readString(r: Reader): string {
  const n = r.view.getUint32(r.at);
  r.at += 4;
  const text = decoder.decode(r.bytes.subarray(r.at, r.at + n));
  r.at += n;
  return text;
}

const scratch = new ByteWriter();

/**
 * Encodes `value` for a channel. The bytes are a view of this thread's scratch buffer, valid
 * until the next call: put them at once, or copy them (allocating a typed array costs ~0.6 µs
 * in this V8, more than the rest of a small message's trip).
 */
export function encodeMessage(value: unknown, argument: string): Uint8Array {
  scratch.reset();
  if (typeof value === "number" && (value | 0) === value && !Object.is(value, -0)) {
    // The commonest message, without the general path.
    const bytes = scratch.bytes;
    bytes[0] = INT32;
    bytes[1] = value >>> 24;
    bytes[2] = value >>> 16;
    bytes[3] = value >>> 8;
    bytes[4] = value;
    return bytes.subarray(0, 5);
  }
  encode(value, scratch, argument);
  return scratch.bytes.subarray(0, scratch.length);
}
