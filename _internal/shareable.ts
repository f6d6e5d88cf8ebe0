/**
 * Values that cross into a worker: shared objects revived as the same class, and
 * `ArrayBuffer`s marked for transfer.
 *
 * A shared object (a `Lock`, a `Value`, a `Queue`…) is a thin wrapper over
 * `SharedArrayBuffer`s. Structured cloning would drop its class and private fields, so before a
 * value is posted it is walked (through arrays and plain objects) and every object that
 * implements {@linkcode toShared} is replaced by a tagged handle: the URL of the module that
 * defines its class, the export name, and its state (the buffers). The receiving side walks the
 * value again, imports that module (once, cached) and calls the class's static
 * {@linkcode fromShared} with the state. No central list of classes is needed, and a worker can
 * pass the object on to the workers it starts in turn.
 *
 * @module
 */

/** The method a shareable instance implements to describe itself. */
export const toShared: unique symbol = Symbol.for("@workers/multiprocessing/toShared");
/** The static method a shareable class implements to rebuild an instance from its state. */
export const fromShared: unique symbol = Symbol.for("@workers/multiprocessing/fromShared");

/** What a shared object becomes on the wire. */
export interface SharedHandle {
  /** URL of the module exporting the class (its `import.meta.url`). */
  module: string;
  /** The export name of the class in that module. */
  export: string;
  /** Structured-cloneable state, typically `SharedArrayBuffer`s and numbers. */
  state: unknown;
}

/** An object that can cross into workers as itself. */
export interface Shareable {
  [toShared](): SharedHandle;
}

/** A class whose instances can be rebuilt from a {@linkcode SharedHandle}'s state. */
export interface ShareableClass {
  [fromShared](state: unknown): unknown;
}

const TAG = "\u0000@workers/multiprocessing:shared";
const transfers = new WeakMap<object, Transferable[]>();

/**
 * Marks `value` so that `transferables` are moved to the worker (or back to the main program)
 * instead of copied, as `postMessage`'s transfer list does. After the call that sends it, the
 * sender's `ArrayBuffer`s are detached (length 0). Works for task arguments, `initargs`, and
 * values a task returns.
 *
 * @param value The argument or result to send; returned as is.
 * @param transferables The buffers (or ports) inside `value` to move.
 * @returns `value`.
 *
 * @example Move a buffer into a worker and back
 * ```ts
 * import { Pool, transfer } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool(1);
 * const data = new Float64Array(1_000).fill(1);
 * const sum = await pool.apply((a: Float64Array) => a.reduce((s, x) => s + x, 0), [
 *   transfer(data, [data.buffer]),
 * ]);
 * assert.equal(sum, 1_000);
 * assert.equal(data.length, 0); // moved, not copied
 * ```
 */
export function transfer<T>(value: T, transferables: Transferable[]): T {
  if (typeof value !== "object" || value === null) {
    throw new TypeError(
      `Cannot mark ${typeof value} for transfer: "value" must be an object (e.g. a typed array)`,
    );
  }
  if (!Array.isArray(transferables)) {
    throw new TypeError(`Cannot mark for transfer: "transferables" must be an array of buffers`);
  }
  transfers.set(value, transferables);
  return value;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The result of {@linkcode encodeValue}. */
export interface Encoded<T> {
  value: T;
  /** Whether the value holds shared handles the receiver must revive. */
  shared: boolean;
}

/**
 * Prepares a value for posting: shared objects become handles, transfer marks are collected
 * into `transferList`. Returns the input itself when nothing needed replacing (the common case,
 * and cheap: numbers and strings are not walked into).
 */
export function encodeValue<T>(value: T, transferList: Transferable[]): Encoded<T> {
  const state = { shared: false, seen: undefined as Map<object, unknown> | undefined };
  const out = encodeInner(value, transferList, state) as T;
  return { value: out, shared: state.shared };
}

function encodeInner(
  value: unknown,
  transferList: Transferable[],
  state: { shared: boolean; seen: Map<object, unknown> | undefined },
): unknown {
  if (typeof value !== "object" || value === null) return value;
  const marked = transfers.get(value);
  if (marked !== undefined) {
    transferList.push(...marked);
    transfers.delete(value);
  }
  if (toShared in value && typeof (value as Shareable)[toShared] === "function") {
    state.shared = true;
    return { [TAG]: (value as Shareable)[toShared]() };
  }
  const isArray = Array.isArray(value);
  if (!isArray && !isPlainObject(value)) return value;
  state.seen ??= new Map();
  if (state.seen.has(value)) return state.seen.get(value);
  state.seen.set(value, value);
  let copy: unknown[] | Record<string, unknown> | undefined;
  if (isArray) {
    const array = value as unknown[];
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      if (typeof item !== "object" || item === null) continue;
      const encoded = encodeInner(item, transferList, state);
      if (encoded !== item) {
        const arrayCopy = (copy ??= array.slice()) as unknown[];
        arrayCopy[i] = encoded;
      }
    }
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (typeof item !== "object" || item === null) continue;
      const encoded = encodeInner(item, transferList, state);
      if (encoded !== item) {
        copy ??= { ...record };
        (copy as Record<string, unknown>)[key] = encoded;
      }
    }
  }
  if (copy !== undefined) state.seen.set(value, copy);
  return copy ?? value;
}

const classCache = new Map<string, Promise<ShareableClass>>();

async function loadClass(handle: SharedHandle): Promise<ShareableClass> {
  const key = `${handle.module}#${handle.export}`;
  let loaded = classCache.get(key);
  if (loaded === undefined) {
    loaded = import(handle.module).then((ns: Record<string, unknown>) => {
      const cls = ns[handle.export] as Partial<ShareableClass> | undefined;
      if (typeof cls?.[fromShared] !== "function") {
        throw new TypeError(
          `Cannot revive a shared object: ${handle.module} has no shareable export "${handle.export}"`,
        );
      }
      return cls as ShareableClass;
    });
    classCache.set(key, loaded);
  }
  return await loaded;
}

/**
 * Rebuilds the shared objects in a value received with `shared: true`, in place where it can
 * (the value was freshly cloned, so nobody else holds it).
 */
export async function reviveValue(value: unknown, seen = new Set<object>()): Promise<unknown> {
  if (typeof value !== "object" || value === null || seen.has(value)) return value;
  seen.add(value);
  if (TAG in value) {
    const handle = (value as Record<string, SharedHandle>)[TAG] as SharedHandle;
    return (await loadClass(handle))[fromShared](handle.state);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = await reviveValue(value[i], seen);
  } else if (isPlainObject(value)) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = await reviveValue(record[key], seen);
  }
  return value;
}
