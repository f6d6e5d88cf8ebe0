/**
 * The codec of `ipc/`: structured-cloneable values to bytes and back, to travel through shared
 * memory (a queue's or pipe's buffer) rather than `postMessage`.
 *
 * One tag per value: numbers, strings, booleans, `null`, `undefined`, bigints, arrays (sparse
 * too), plain objects, typed arrays, `ArrayBuffer`s, `Map`, `Set`, `Date`, `RegExp`, errors and
 * boxed primitives, with an object met twice (or in a cycle) written once and referred to
 * after, so the result is what the structured clone (`postMessage`) delivers; a reference (a
 * manager's proxy, see `shareable.ts`) is written as its plain handle and revived on reading.
 * It is about ten times faster than `node:v8`'s serializer for small messages (which costs
 * ~5 µs even for a number here), and not loading `node:v8` saves ~12 ms at every worker
 * start. Any other object
 * (a class instance, say) is first put through `structuredClone`, which turns it into plain data
 * or refuses it, as `postMessage` would.
 *
 * @module
 */

import {
  isReference,
  reviveReference,
  type SharedHandle,
  toReference,
  toShared,
} from "./shareable.ts";

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
const REF = 12;
const MAP = 13;
const SET = 14;
const DATE = 15;
const REGEXP = 16;
const ERROR = 17;
const SPARSE = 18;
const BOXED = 19;
const REFERENCE = 20;

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
  // Float16Array, where the platform has it (a kind number the same in every thread).
  ...("Float16Array" in globalThis
    ? [(globalThis as unknown as { Float16Array: Float32ArrayConstructor }).Float16Array]
    : []),
] as const;
const viewKind = new Map<unknown, number>(views.map((v, i) => [v, i]));

/** The error classes the structured clone keeps; any other error arrives as an `Error`. */
const errorClasses: Record<string, ErrorConstructor> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};

const encoder = new TextEncoder();
/** Strings up to this length are tried as ASCII by hand. */
const SHORT = 32;
const decoder = new TextDecoder();

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

  byte(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value;
  }

  u32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, value);
    this.length += 4;
  }

  f64(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value);
    this.length += 8;
  }

  string(text: string): void {
    const n = text.length;
    if (n <= SHORT) {
      // Short ASCII strings (keys, names) by hand: TextEncoder costs ~200 ns a call here.
      this.reserve(4 + n);
      const bytes = this.bytes;
      const at = this.length + 4;
      let i = 0;
      for (; i < n; i++) {
        const code = text.charCodeAt(i);
        if (code > 0x7f) break;
        bytes[at + i] = code;
      }
      if (i === n) {
        this.view.setUint32(this.length, n);
        this.length = at + n;
        return;
      }
    }
    this.reserve(4 + n * 3);
    const { written } = encoder.encodeInto(text, this.bytes.subarray(this.length + 4));
    this.view.setUint32(this.length, written);
    this.length += 4 + written;
  }

  raw(bytes: Uint8Array): void {
    this.reserve(4 + bytes.length);
    this.view.setUint32(this.length, bytes.length);
    this.bytes.set(bytes, this.length + 4);
    this.length += 4 + bytes.length;
  }
}

/** Encoding state of one message: the objects written so far, for references. */
class Writer {
  out: ByteWriter;
  objects: Map<object, number> | undefined;
  count = 0;
  argument: string;

  constructor(out: ByteWriter, argument: string) {
    this.out = out;
    this.argument = argument;
  }

  /** Writes a reference if `value` was written before; else numbers it. */
  seen(value: object): boolean {
    this.objects ??= new Map();
    const index = this.objects.get(value);
    if (index !== undefined) {
      this.out.byte(REF);
      this.out.u32(index);
      return true;
    }
    this.objects.set(value, this.count++);
    return false;
  }

  refuse(value: unknown, why: string): never {
    throw new TypeError(
      `Cannot send ${describe(value)} as "${this.argument}": ${why}. Send plain data: ` +
        `numbers, strings, arrays, objects, typed arrays, Map, Set, Date…`,
    );
  }
}

/**
 * Appends the encoding of `value` to `out`. Throws a `TypeError` naming `argument` and the
 * type when the value cannot be cloned (a function, a symbol, a `SharedArrayBuffer`…).
 */
export function encode(value: unknown, out: ByteWriter, argument: string): void {
  write(value, new Writer(out, argument));
}

/** Names what a value is, for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return `a function (${value.name || "anonymous"})`;
  if (typeof value !== "object") return `a ${typeof value}`;
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  return name ? `a ${name}` : "an object";
}

function write(value: unknown, w: Writer): void {
  const out = w.out;
  switch (typeof value) {
    case "number":
      if ((value | 0) === value && !Object.is(value, -0)) {
        out.byte(INT32);
        out.reserve(4);
        out.view.setInt32(out.length, value);
        out.length += 4;
      } else {
        out.byte(FLOAT64);
        out.f64(value);
      }
      return;
    case "string":
      out.byte(STRING);
      out.string(value);
      return;
    case "boolean":
      out.byte(value ? TRUE : FALSE);
      return;
    case "undefined":
      out.byte(UNDEFINED);
      return;
    case "bigint":
      out.byte(BIGINT);
      out.string(value.toString());
      return;
    case "object":
      break;
    default:
      w.refuse(value, `a ${typeof value} cannot be cloned`);
  }
  if (value === null) return out.byte(NULL);
  writeObject(value, w);
}

function writeObject(value: object, w: Writer): void {
  const out = w.out;
  if (toShared in value) {
    if (isReference(value)) {
      out.byte(REFERENCE);
      write(value[toReference](), w);
      return;
    }
    w.refuse(
      value,
      "shared objects (locks, values, queues…) reach a worker as task arguments or initargs, " +
        "not as messages",
    );
  }
  if (w.seen(value)) return;
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const keys = Object.keys(value);
    out.byte(OBJECT);
    out.u32(keys.length);
    for (const key of keys) {
      out.string(key);
      write((value as Record<string, unknown>)[key], w);
    }
    return;
  }
  if (Array.isArray(value)) {
    const n = value.length;
    let dense = true;
    for (let i = 0; i < n && dense; i++) dense = i in value;
    if (dense) {
      out.byte(ARRAY);
      out.u32(n);
      for (let i = 0; i < n; i++) write(value[i], w);
    } else {
      const indices = Object.keys(value).filter((k) => String(Number(k) >>> 0) === k);
      out.byte(SPARSE);
      out.u32(n);
      out.u32(indices.length);
      for (const k of indices) {
        out.u32(Number(k));
        write(value[Number(k)], w);
      }
    }
    return;
  }
  if (ArrayBuffer.isView(value)) {
    const kind = viewKind.get(value.constructor);
    if (!(value.buffer instanceof ArrayBuffer)) {
      w.refuse(value, "a view of a SharedArrayBuffer is shared by passing it as a task argument");
    }
    if (kind === undefined) {
      w.refuse(value, "this kind of view cannot travel through a queue or pipe");
    }
    out.byte(VIEW);
    out.byte(kind);
    out.raw(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    return;
  }
  if (value instanceof ArrayBuffer) {
    out.byte(BUFFER);
    out.raw(new Uint8Array(value));
    return;
  }
  if (value instanceof Map) {
    out.byte(MAP);
    out.u32(value.size);
    for (const [k, v] of value) {
      write(k, w);
      write(v, w);
    }
    return;
  }
  if (value instanceof Set) {
    out.byte(SET);
    out.u32(value.size);
    for (const v of value) write(v, w);
    return;
  }
  if (value instanceof Date) {
    out.byte(DATE);
    out.f64(value.getTime());
    return;
  }
  if (value instanceof RegExp) {
    out.byte(REGEXP);
    out.string(value.source);
    out.string(value.flags);
    return;
  }
  if (value instanceof Error) {
    out.byte(ERROR);
    out.string(value.name in errorClasses ? value.name : "Error");
    out.string(String(value.message));
    write(typeof value.stack === "string" ? value.stack : undefined, w);
    write("cause" in value ? [value.cause] : [], w);
    return;
  }
  if (
    value instanceof Number || value instanceof String || value instanceof Boolean ||
    value instanceof BigInt
  ) {
    out.byte(BOXED);
    write(value.valueOf(), w);
    return;
  }
  if (value instanceof SharedArrayBuffer) {
    w.refuse(value, "a SharedArrayBuffer is shared by passing it as a task argument");
  }
  // Anything else goes through the structured clone itself: a class instance becomes a plain
  // object of its own fields; what postMessage would refuse is refused.
  let copy: unknown;
  try {
    copy = structuredClone(value);
  } catch (cause) {
    w.refuse(value, `it cannot be structured-cloned (${(cause as Error).message})`);
  }
  if (copy === null || typeof copy !== "object" || Object.getPrototypeOf(copy) === proto) {
    w.refuse(value, "this kind of object cannot travel through a queue or pipe");
  }
  w.objects!.delete(value);
  w.count--;
  writeObject(copy as object, w);
}

/**
 * Reads back a value written by {@linkcode encode} from `bytes`, which may be a view of shared
 * memory that no thread writes meanwhile: nothing decoded is a view of them (typed arrays and
 * buffers are copied out), so nothing needs copying first (allocating even a small buffer
 * costs ~0.6 µs here).
 */
export function decode(bytes: Uint8Array): unknown {
  if (bytes[0] === INT32 && bytes.length === 5) {
    return (bytes[1]! << 24) | (bytes[2]! << 16) | (bytes[3]! << 8) | bytes[4]!;
  }
  const reader: Reader = {
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset),
    at: 0,
    objects: [],
  };
  return read(reader);
}

interface Reader {
  bytes: Uint8Array;
  view: DataView;
  at: number;
  objects: unknown[];
}

function u32(r: Reader): number {
  r.at += 4;
  return r.view.getUint32(r.at - 4);
}

function f64(r: Reader): number {
  r.at += 8;
  return r.view.getFloat64(r.at - 8);
}

function readString(r: Reader): string {
  const n = u32(r);
  if (n <= SHORT) {
    const bytes = r.bytes;
    let text = "";
    let i = 0;
    for (; i < n; i++) {
      const code = bytes[r.at + i]!;
      if (code > 0x7f) break;
      text += String.fromCharCode(code);
    }
    if (i === n) {
      r.at += n;
      return text;
    }
  }
  const text = decoder.decode(r.bytes.subarray(r.at, r.at + n));
  r.at += n;
  return text;
}

/**
 * The keys read so far (short ASCII ones), by a hash of their bytes: the same few keys come
 * in every message, and a key already known is found without building a new string (which
 * V8 must then look up in its table of property names at each store).
 */
const keys = new Map<number, string>();
/** Keys kept at most (a program that sends ever new keys makes no cache grow past this). */
const MAX_KEYS = 4096;

/** An object's key: as {@linkcode readString}, known ones from {@linkcode keys}. */
function readKey(r: Reader): string {
  const n = r.view.getUint32(r.at);
  if (n > SHORT) return readString(r);
  const bytes = r.bytes;
  const at = r.at + 4;
  let hash = n;
  for (let i = 0; i < n; i++) {
    const code = bytes[at + i]!;
    if (code > 0x7f) return readString(r);
    hash = (Math.imul(hash, 31) + code) | 0;
  }
  const known = keys.get(hash);
  if (known !== undefined && known.length === n) {
    let same = true;
    for (let i = 0; i < n; i++) {
      if (known.charCodeAt(i) !== bytes[at + i]) {
        same = false;
        break;
      }
    }
    if (same) {
      r.at = at + n;
      return known;
    }
  }
  const key = readString(r);
  if (known === undefined && keys.size < MAX_KEYS) keys.set(hash, key);
  return key;
}

function readBytes(r: Reader): ArrayBuffer {
  const n = u32(r);
  const start = r.at;
  r.at += n;
  // A buffer of its own, never shared memory (`slice` of a shared buffer would share).
  const copy = new Uint8Array(n);
  copy.set(r.bytes.subarray(start, start + n));
  return copy.buffer;
}

/** Numbers an object as written, before its contents (they may refer back to it). */
function keep<T>(r: Reader, value: T): T {
  r.objects.push(value);
  return value;
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
      return f64(r);
    case STRING:
      return readString(r);
    case BIGINT:
      return BigInt(readString(r));
    case REF:
      return r.objects[u32(r)];
    case OBJECT: {
      const object = keep(r, {} as Record<string, unknown>);
      const n = u32(r);
      for (let i = 0; i < n; i++) {
        const key = readKey(r);
        object[key] = read(r);
      }
      return object;
    }
    case ARRAY: {
      const n = u32(r);
      const items = keep(r, new Array(n));
      for (let i = 0; i < n; i++) items[i] = read(r);
      return items;
    }
    case SPARSE: {
      const items = keep(r, new Array(u32(r)));
      const n = u32(r);
      for (let i = 0; i < n; i++) {
        const index = u32(r);
        items[index] = read(r);
      }
      return items;
    }
    case VIEW: {
      const make = views[r.bytes[r.at++]!]!;
      return keep(r, new (make as new (buffer: ArrayBufferLike) => ArrayBufferView)(readBytes(r)));
    }
    case BUFFER:
      return keep(r, readBytes(r));
    case MAP: {
      const map = keep(r, new Map());
      const n = u32(r);
      for (let i = 0; i < n; i++) {
        const key = read(r);
        map.set(key, read(r));
      }
      return map;
    }
    case SET: {
      const set = keep(r, new Set());
      const n = u32(r);
      for (let i = 0; i < n; i++) set.add(read(r));
      return set;
    }
    case DATE:
      return keep(r, new Date(f64(r)));
    case REGEXP: {
      const source = readString(r);
      return keep(r, new RegExp(source, readString(r)));
    }
    case ERROR: {
      const slot = r.objects.length;
      r.objects.push(undefined);
      const name = readString(r);
      const error = new (errorClasses[name] ?? Error)(readString(r));
      r.objects[slot] = error;
      const stack = read(r);
      if (typeof stack === "string") {
        Object.defineProperty(error, "stack", { value: stack, configurable: true, writable: true });
      }
      const cause = read(r) as unknown[];
      if (cause.length > 0) {
        Object.defineProperty(error, "cause", {
          value: cause[0],
          configurable: true,
          writable: true,
        });
      }
      return error;
    }
    case BOXED: {
      const slot = r.objects.length;
      r.objects.push(undefined);
      const boxed = Object(read(r));
      r.objects[slot] = boxed;
      return boxed;
    }
    case REFERENCE:
      return reviveReference(read(r) as SharedHandle);
    default:
      throw new RangeError(`Corrupt message: unknown tag ${tag} at byte ${r.at - 1}`);
  }
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
