/**
 * Values that cross into a worker: shared objects revived as the same class, and
 * `ArrayBuffer`s marked for transfer.
 *
 * A shared object (a `Lock`, a `Value`, a `Queue`…) is a thin wrapper over
 * `SharedArrayBuffer`s. Structured cloning would drop its class and private fields, so before a
 * value is posted it is walked (through arrays, plain objects, `Map`s and `Set`s) and every
 * object that implements {@linkcode toShared} is replaced by a tagged handle: the URL of the
 * module that defines its class, the export name, and its state (the buffers). The receiving
 * side walks the value again, imports that module (once, cached) and calls the class's static
 * {@linkcode fromShared} with the state. No central list of classes is needed, and a worker can
 * pass the object on to the workers it starts in turn.
 *
 * A *reference* (a manager's proxy) is a shareable whose handle is plain data: it also
 * implements {@linkcode toReference}, so it travels through queues, pipes and a manager's own
 * containers too, encoded by `codec.ts`. Decoding is synchronous (a `getSync` cannot await an
 * import), so {@linkcode reviveReference} rebuilds it at once when its class is loaded in this
 * thread (registered with {@linkcode registerReference}); otherwise it gives a stand-in whose
 * async methods import the class's module on the first call and then forward to the real
 * object, so a thread that never imported the class's module still uses it as itself.
 *
 * @module
 */

import { describeValue } from "./checks.ts";

/** The method a shareable instance implements to describe itself. */
export const toShared: unique symbol = Symbol.for("@workers/multiprocessing/toShared");
/** The static method a shareable class implements to rebuild an instance from its state. */
export const fromShared: unique symbol = Symbol.for("@workers/multiprocessing/fromShared");

/**
 * The method a reference (a shareable whose handle's state is plain data, no
 * `SharedArrayBuffer`) implements so that it can also travel as bytes through a queue or pipe.
 */
export const toReference: unique symbol = Symbol.for("@workers/multiprocessing/toReference");

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

/**
 * The one way a shareable class rebuilds an instance from its state. Its module keeps one
 * `Revival`; `[fromShared](state)` calls `revival.revive(state, () => new Class(…))`, and the
 * constructor's first step is `revival.take()`: the state while reviving (the constructor
 * then adopts it, allocating nothing), `undefined` when a user constructs (it makes new shared
 * memory). The state is taken once, so an instance the constructor makes in turn is not
 * handed the same state. (Classes users never construct — `SharedValue`, `SharedTypedArray`, the
 * manager's proxies, made by `Value()`, `Array()` and the manager — take their state as
 * constructor arguments instead.)
 *
 * @typeParam S The state the class's `[toShared]` sends.
 */
export class Revival<S> {
  #state: S | undefined;
  #pending = false;

  /** Runs `make` (which calls the constructor) with `state` ready for the constructor. */
  revive<T>(state: S, make: () => T): T {
    this.#state = state;
    this.#pending = true;
    try {
      return make();
    } finally {
      this.#state = undefined;
      this.#pending = false;
    }
  }

  /** In the constructor: the state being revived, or `undefined` when constructed anew. */
  take(): S | undefined {
    if (!this.#pending) return undefined;
    const state = this.#state;
    this.#state = undefined;
    this.#pending = false;
    return state;
  }
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
 * @throws {TypeError} `value` is not an object, or `transferables` is not an array of
 *   `ArrayBuffer`s and `MessagePort`s (a typed array in it says to pass its `buffer`).
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
  transferables.forEach((item: unknown, i) => {
    if (item instanceof ArrayBuffer || item instanceof MessagePort) return;
    const fix = ArrayBuffer.isView(item)
      ? `a typed array or DataView: pass its buffer (transfer(data, [data.buffer]))`
      : item instanceof SharedArrayBuffer
      ? `a SharedArrayBuffer, which is shared, never moved: send it as an argument as it is`
      : `${describeValue(item)}: only ArrayBuffers and MessagePorts can be moved`;
    throw new TypeError(`Cannot mark for transfer: "transferables"[${i}] is ${fix}`);
  });
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
 * into `transferList`. Returns the input itself when it holds no shared object (the common
 * case, and cheap: one scan, numbers and strings not walked into); otherwise a copy of the
 * arrays and plain objects around them, cycles kept.
 */
export function encodeValue<T>(value: T, transferList: Transferable[]): Encoded<T> {
  if (!scan(value, transferList, undefined)) return { value, shared: false };
  return { value: copyEncoded(value, new Map()) as T, shared: true };
}

function isShareable(value: object): value is Shareable {
  return toShared in value && typeof (value as Shareable)[toShared] === "function";
}

/** Collects transfer marks; tells whether a shared object is inside. */
function scan(
  value: unknown,
  transferList: Transferable[],
  seen: Set<object> | undefined,
): boolean {
  if (typeof value !== "object" || value === null) return false;
  const marked = transfers.get(value);
  if (marked !== undefined) {
    transferList.push(...marked);
    transfers.delete(value);
  }
  if (isShareable(value)) return true;
  const isArray = Array.isArray(value);
  const isCollection = !isArray && (value instanceof Map || value instanceof Set);
  if (!isArray && !isCollection && !isPlainObject(value)) return false;
  seen ??= new Set();
  if (seen.has(value)) return false;
  seen.add(value);
  let found = false;
  const visit = (item: unknown) => {
    if (typeof item === "object" && item !== null && scan(item, transferList, seen)) found = true;
  };
  if (value instanceof Map) {
    for (const [key, item] of value) {
      visit(key);
      visit(item);
    }
  } else if (value instanceof Set) {
    for (const item of value) visit(item);
  } else {
    const items = isArray ? value as unknown[] : Object.values(value);
    for (let i = 0; i < items.length; i++) visit(items[i]);
  }
  return found;
}

/**
 * Copies arrays, plain objects, `Map`s and `Set`s, replacing shared objects by handles; cycles
 * kept.
 */
function copyEncoded(value: unknown, memo: Map<object, unknown>): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (isShareable(value)) return { [TAG]: value[toShared]() };
  const isArray = Array.isArray(value);
  if (!isArray && !isPlainObject(value) && !(value instanceof Map || value instanceof Set)) {
    return value;
  }
  if (memo.has(value)) return memo.get(value);
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    memo.set(value, copy);
    for (const [key, item] of value) copy.set(copyEncoded(key, memo), copyEncoded(item, memo));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set<unknown>();
    memo.set(value, copy);
    for (const item of value) copy.add(copyEncoded(item, memo));
    return copy;
  }
  if (isArray) {
    const copy: unknown[] = new Array(value.length);
    memo.set(value, copy);
    for (let i = 0; i < value.length; i++) copy[i] = copyEncoded(value[i], memo);
    return copy;
  }
  const copy: Record<string, unknown> = {};
  memo.set(value, copy);
  for (const [key, item] of Object.entries(value)) copy[key] = copyEncoded(item, memo);
  return copy;
}

const classCache = new Map<string, Promise<ShareableClass>>();
/** The classes of references this thread can revive at once (their modules are loaded). */
const referenceClasses = new Map<string, ShareableClass>();

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
 * Lets this thread revive references of `cls` synchronously: called once by the module that
 * defines it, with that module's `import.meta.url` and the export name its handles carry.
 */
export function registerReference(module: string, name: string, cls: ShareableClass): void {
  referenceClasses.set(`${module}#${name}`, cls);
}

/** Whether `value` is a reference: it travels through queues and pipes as itself. */
export function isReference(value: object): value is { [toReference](): SharedHandle } {
  return toReference in value &&
    typeof (value as Record<symbol, unknown>)[toReference] === "function";
}

/**
 * The object a reference's handle stands for, rebuilt synchronously: an instance of its class
 * when this thread has the class ({@linkcode registerReference}), else a stand-in that imports
 * it on the first method call. Never throws: a reference that no longer leads anywhere (its
 * manager shut down) fails when it is used, not when a message holding it is received.
 */
export function reviveReference(handle: SharedHandle): unknown {
  const cls = referenceClasses.get(`${handle.module}#${handle.export}`);
  if (cls !== undefined) return cls[fromShared](handle.state);
  return standIn(handle);
}

/** What a stand-in shows before its class is loaded (`console.log`, `instanceof`). */
class UnloadedReference {}

/**
 * A stand-in for a reference whose class this thread has not loaded: every property is an
 * async method that loads the class (a dynamic import, once per thread), revives the real
 * object, and calls the real method on it; `for await` iterates the real object. Once loaded,
 * the stand-in forwards everything to the real object, whose prototype it then reports, so
 * `instanceof` holds as well. It travels on as the same handle. (The real object's methods
 * are all async — a reference's are remote calls — so a caller cannot tell the difference.)
 */
function standIn(handle: SharedHandle): object {
  let real: Record<PropertyKey, unknown> | undefined;
  let loading: Promise<Record<PropertyKey, unknown>> | undefined;
  const load = () =>
    loading ??= loadClass(handle).then((cls) => {
      real = cls[fromShared](handle.state) as Record<PropertyKey, unknown>;
      registerReference(handle.module, handle.export, cls);
      return real;
    });
  const own = (name: PropertyKey) => name === toReference || name === toShared;
  return new Proxy(new UnloadedReference(), {
    get(_target, name) {
      if (real !== undefined) {
        const value = Reflect.get(real, name, real);
        return typeof value === "function" ? value.bind(real) : value;
      }
      if (own(name)) return () => handle;
      if (name === Symbol.asyncIterator) {
        return async function* () {
          yield* (await load()) as unknown as AsyncIterable<unknown>;
        };
      }
      if (name === Symbol.for("Deno.customInspect")) {
        return () => `${handle.export} (a reference, not loaded in this thread yet)`;
      }
      // Not a thenable (`await standIn` gives the stand-in), and no other symbols.
      if (typeof name === "symbol" || name === "then" || name === "constructor") return undefined;
      return async (...args: unknown[]) => {
        const target = await load();
        const method = target[name];
        if (typeof method !== "function") {
          throw new TypeError(`${handle.export} has no method "${name}"`);
        }
        return await method.apply(target, args);
      };
    },
    has(_target, name) {
      return real !== undefined ? name in real : own(name);
    },
    getPrototypeOf() {
      return real !== undefined ? Object.getPrototypeOf(real) : UnloadedReference.prototype;
    },
  });
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
  } else if (value instanceof Map) {
    const entries = [...value];
    value.clear();
    for (const [key, item] of entries) {
      value.set(await reviveValue(key, seen), await reviveValue(item, seen));
    }
  } else if (value instanceof Set) {
    const items = [...value];
    value.clear();
    for (const item of items) value.add(await reviveValue(item, seen));
  } else if (isPlainObject(value)) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = await reviveValue(record[key], seen);
  }
  return value;
}
