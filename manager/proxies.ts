/**
 * The proxies a {@linkcode Manager} hands out: Python's `DictProxy`, `ListProxy`,
 * `NamespaceProxy` and `ValueProxy`, with async methods.
 *
 * @module
 */

import {
  fromShared,
  registerReference,
  type SharedHandle,
  toReference,
  toShared,
} from "../_internal/shareable.ts";
import { clientOf, type ManagerLine } from "./_client.ts";
import type { Kind } from "./_server.ts";

interface ProxyState {
  line: ManagerLine;
  object: number;
  kind: Kind;
}

/**
 * What every proxy is: a reference to one object held by a manager's server. Pass a proxy to
 * workers (as an argument, nested, in `initargs`), return it from a task, put it in a
 * `Queue`, send it over a `Pipe`, or store it in another proxy's list or dict (as Python
 * nests proxies): wherever it arrives, it is a proxy of the same object, so changes made
 * through either are seen by both. A thread that never imported this module gets it too (the
 * module is imported on the first call). Every method is async: it sends a request to the
 * server and resolves with the answer.
 *
 * Once the manager has shut down, every call rejects with `ClosedError`, saying to keep the
 * manager running until the work that uses its proxies is done.
 *
 * @example A list stored in a dict, read back as a proxy of the same list
 * ```ts
 * import { type ListProxy, Manager } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * await using manager = await Manager.start();
 * const inner = manager.list([1]);
 * const outer = manager.dict<string, ListProxy<number>>();
 * await outer.set("inner", inner);
 * const back = (await outer.get("inner"))!;
 * await back.append(2);
 * assert.deepEqual(await inner.copy(), [1, 2]);
 * ```
 */
export class BaseProxy {
  #line: ManagerLine;
  #object: number;
  #kind: Kind;

  /** @internal Proxies are made by a `Manager`. */
  constructor(line: ManagerLine, object: number, kind: Kind) {
    this.#line = line;
    this.#object = object;
    this.#kind = kind;
  }

  /** @internal Calls a method of the managed object. */
  protected call(method: string, args: unknown[] = []): Promise<unknown> {
    let client;
    try {
      client = clientOf(this.#line);
    } catch (error) {
      return Promise.reject(error);
    }
    return client.call(this.#object, method, args);
  }

  /** Shown by `console.log`: `DictProxy(3)`, the class and the managed object's id. */
  [Symbol.for("Deno.customInspect")](): string {
    return `${this.constructor.name}(${this.#object})`;
  }

  /** @internal What crosses into a worker as a task argument or result. */
  [toShared](): SharedHandle {
    const state: ProxyState = { line: this.#line, object: this.#object, kind: this.#kind };
    return { module: import.meta.url, export: "BaseProxy", state };
  }

  /** @internal What travels through a queue or pipe: plain data, without the buffer. */
  [toReference](): SharedHandle {
    const { token, server } = this.#line;
    const state: ProxyState = { line: { token, server }, object: this.#object, kind: this.#kind };
    return { module: import.meta.url, export: "BaseProxy", state };
  }

  /** @internal Rebuilds the proxy in a worker. */
  static [fromShared](state: unknown): BaseProxy {
    const { line, object, kind } = state as ProxyState;
    return makeProxy(line, object, kind);
  }
}

// Proxies arriving through queues and pipes are rebuilt at once in threads that loaded this.
registerReference(import.meta.url, "BaseProxy", BaseProxy);

/** A proxy of the right class for `kind`. */
export function makeProxy(line: ManagerLine, object: number, kind: Kind): BaseProxy {
  switch (kind) {
    case "dict":
      return new DictProxy(line, object, kind);
    case "list":
      return new ListProxy(line, object, kind);
    case "namespace":
      return new NamespaceProxy(line, object, kind);
    case "value":
      return new ValueProxy(line, object, kind);
  }
}

/**
 * A dict held by the manager (Python's `DictProxy`), keyed like a `Map`: keys `1`, `"2"` and
 * `0.25` stay distinct, as in Python. Use primitive keys (numbers, strings, bigints,
 * booleans): an object key is compared by identity in the server, where a copy never matches.
 *
 * @typeParam K The keys.
 * @typeParam V The values.
 *
 * @example
 * ```ts
 * import { Manager } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * await using manager = await Manager.start();
 * const d = manager.dict<number | string, unknown>();
 * await d.set(1, "1");
 * await d.set("2", 2);
 * assert.deepEqual(await d.copy(), new Map<number | string, unknown>([[1, "1"], ["2", 2]]));
 * ```
 */
export class DictProxy<K = unknown, V = unknown> extends BaseProxy {
  /**
   * The value of `key`, or `fallback` when missing (Python's `d.get(key, default)`).
   *
   * @param key The key.
   * @param fallback What a missing key gives.
   * @returns The value.
   */
  async get(key: K, fallback?: V): Promise<V | undefined> {
    return await this.call("get", [key, fallback]) as V | undefined;
  }

  /**
   * Sets `key` to `value` (Python's `d[key] = value`).
   *
   * @param key The key.
   * @param value The value: any structured-cloneable value.
   */
  async set(key: K, value: V): Promise<void> {
    await this.call("set", [key, value]);
  }

  /**
   * Removes `key` (Python's `del d[key]`).
   *
   * @param key The key.
   * @returns Whether it was there.
   */
  async delete(key: K): Promise<boolean> {
    return await this.call("delete", [key]) as boolean;
  }

  /**
   * Whether `key` is there (Python's `key in d`).
   *
   * @param key The key.
   * @returns `true` when present.
   */
  async has(key: K): Promise<boolean> {
    return await this.call("has", [key]) as boolean;
  }

  /**
   * The keys, in insertion order.
   *
   * @returns An array of the keys.
   */
  async keys(): Promise<K[]> {
    return await this.call("keys") as K[];
  }

  /**
   * The values, in insertion order.
   *
   * @returns An array of the values.
   */
  async values(): Promise<V[]> {
    return await this.call("values") as V[];
  }

  /**
   * The entries, in insertion order (Python's `items()`).
   *
   * @returns An array of `[key, value]` pairs.
   */
  async entries(): Promise<[K, V][]> {
    return await this.call("entries") as [K, V][];
  }

  /**
   * The number of entries (Python's `len(d)`).
   *
   * @returns The count.
   */
  async len(): Promise<number> {
    return await this.call("len") as number;
  }

  /**
   * A copy of the whole dict, as a `Map` (what Python prints for `print(d)`).
   *
   * @returns The copy.
   */
  async copy(): Promise<Map<K, V>> {
    return await this.call("copy") as Map<K, V>;
  }

  /**
   * Iterates over the keys, as Python's `for k in d:` does: `for await (const k of dict)`. The
   * keys are those of one copy taken when the iteration starts; for pairs, iterate
   * `await d.entries()`.
   *
   * @returns An async iterator of the keys.
   *
   * @example
   * ```ts
   * import { Manager } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * await using manager = await Manager.start();
   * const d = manager.dict<string, number>();
   * await d.update({ a: 1, b: 2 });
   * const keys: string[] = [];
   * for await (const k of d) keys.push(k);
   * assert.deepEqual(keys, ["a", "b"]);
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<K, void, undefined> {
    yield* await this.keys();
  }

  /**
   * Adds or replaces several entries (Python's `update()`).
   *
   * @param entries A `Map`, an iterable of pairs, or a plain object.
   */
  async update(entries: Map<K, V> | Iterable<[K, V]> | Record<string, V>): Promise<void> {
    const pairs = Symbol.iterator in entries
      ? [...entries as Iterable<[K, V]>]
      : Object.entries(entries);
    await this.call("update", [pairs]);
  }

  /**
   * Removes `key` and returns its value (Python's `pop()`).
   *
   * @param key The key.
   * @param fallback What a missing key gives; without it a missing key is a `RangeError`
   * (Python's `KeyError`).
   * @returns The value.
   */
  async pop(key: K, ...fallback: [V?]): Promise<V> {
    return await this.call("pop", [key, ...fallback]) as V;
  }

  /**
   * The value of `key`, set to `fallback` first when missing (Python's `setdefault()`).
   *
   * @param key The key.
   * @param fallback The value to set when missing.
   * @returns The value.
   */
  async setdefault(key: K, fallback: V): Promise<V> {
    return await this.call("setdefault", [key, fallback]) as V;
  }

  /** Removes every entry. */
  async clear(): Promise<void> {
    await this.call("clear");
  }
}

/**
 * A list held by the manager (Python's `ListProxy`). Indices may be negative, counting from
 * the end; one out of range is a `RangeError` (Python's `IndexError`).
 *
 * @typeParam T The items.
 *
 * @example
 * ```ts
 * import { Manager } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * await using manager = await Manager.start();
 * const l = manager.list([1, 2, 3]);
 * await l.append(4);
 * await l.reverse();
 * assert.deepEqual(await l.copy(), [4, 3, 2, 1]);
 * assert.equal(await l.pop(), 1);
 * ```
 */
export class ListProxy<T = unknown> extends BaseProxy {
  /**
   * The item at `index` (Python's `l[index]`).
   *
   * @param index The position; negative counts from the end.
   * @returns The item.
   */
  async get(index: number): Promise<T> {
    return await this.call("get", [index]) as T;
  }

  /**
   * Replaces the item at `index` (Python's `l[index] = value`).
   *
   * @param index The position; negative counts from the end.
   * @param value The new item.
   */
  async set(index: number, value: T): Promise<void> {
    await this.call("set", [index, value]);
  }

  /**
   * Adds `value` at the end.
   *
   * @param value The item.
   */
  async append(value: T): Promise<void> {
    await this.call("append", [value]);
  }

  /**
   * Adds every item of `values` at the end.
   *
   * @param values The items.
   */
  async extend(values: Iterable<T>): Promise<void> {
    await this.call("extend", [[...values]]);
  }

  /**
   * Inserts `value` before `index`.
   *
   * @param index The position; negative counts from the end.
   * @param value The item.
   */
  async insert(index: number, value: T): Promise<void> {
    await this.call("insert", [index, value]);
  }

  /**
   * Removes and returns the item at `index` (the last by default).
   *
   * @param index The position; negative counts from the end.
   * @returns The item.
   */
  async pop(index = -1): Promise<T> {
    return await this.call("pop", [index]) as T;
  }

  /**
   * Removes the first item equal to `value` (compared by value, as Python's `==`).
   *
   * @param value The item to remove.
   */
  async remove(value: T): Promise<void> {
    await this.call("remove", [value]);
  }

  /**
   * The position of the first item equal to `value`.
   *
   * @param value The item.
   * @returns Its index.
   */
  async index(value: T): Promise<number> {
    return await this.call("index", [value]) as number;
  }

  /**
   * How many items equal `value`.
   *
   * @param value The item.
   * @returns The count.
   */
  async count(value: T): Promise<number> {
    return await this.call("count", [value]) as number;
  }

  /** Reverses the list in place. */
  async reverse(): Promise<void> {
    await this.call("reverse");
  }

  /**
   * Sorts the list in place: numbers by value, strings by code unit, as Python orders them.
   *
   * @param options `reverse` for descending order.
   */
  async sort(options: { reverse?: boolean } = {}): Promise<void> {
    await this.call("sort", [options.reverse ?? false]);
  }

  /**
   * The number of items (Python's `len(l)`).
   *
   * @returns The count.
   */
  async len(): Promise<number> {
    return await this.call("len") as number;
  }

  /**
   * A copy of the whole list, as an array (what Python prints for `print(l)`).
   *
   * @returns The copy.
   */
  async copy(): Promise<T[]> {
    return await this.call("copy") as T[];
  }

  /**
   * Iterates over the items (Python's `for x in l:`): `for await (const x of list)`. The items
   * are those of one copy taken when the iteration starts, so changes made meanwhile by other
   * threads do not disturb it.
   *
   * @returns An async iterator of the items.
   *
   * @example
   * ```ts
   * import { Manager } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * await using manager = await Manager.start();
   * const l = manager.list([1, 2, 3]);
   * const seen: number[] = [];
   * for await (const x of l) seen.push(x);
   * assert.deepEqual(seen, [1, 2, 3]);
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    yield* await this.copy();
  }

  /** Removes every item. */
  async clear(): Promise<void> {
    await this.call("clear");
  }
}

/**
 * A namespace held by the manager (Python's `Namespace`): named attributes, read and written
 * with `get` and `set`.
 *
 * @example
 * ```ts
 * import { Manager } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * await using manager = await Manager.start();
 * const ns = manager.Namespace({ x: 1 });
 * await ns.set("y", "two");
 * assert.deepEqual(await ns.copy(), { x: 1, y: "two" });
 * ```
 */
export class NamespaceProxy extends BaseProxy {
  /**
   * The attribute `name` (Python's `ns.name`).
   *
   * @param name The attribute.
   * @returns Its value; a missing one is a `RangeError` (Python's `AttributeError`).
   */
  async get<T = unknown>(name: string): Promise<T> {
    return await this.call("get", [name]) as T;
  }

  /**
   * Sets the attribute `name` (Python's `ns.name = value`).
   *
   * @param name The attribute.
   * @param value Its value.
   */
  async set(name: string, value: unknown): Promise<void> {
    await this.call("set", [name, value]);
  }

  /**
   * Removes the attribute `name` (Python's `del ns.name`).
   *
   * @param name The attribute.
   * @returns Whether it was there.
   */
  async delete(name: string): Promise<boolean> {
    return await this.call("delete", [name]) as boolean;
  }

  /**
   * Whether the attribute `name` is set.
   *
   * @param name The attribute.
   * @returns `true` when set.
   */
  async has(name: string): Promise<boolean> {
    return await this.call("has", [name]) as boolean;
  }

  /**
   * Every attribute, as a plain object.
   *
   * @returns The copy.
   */
  async copy(): Promise<Record<string, unknown>> {
    return await this.call("copy") as Record<string, unknown>;
  }
}

/**
 * A single value held by the manager (Python's `ValueProxy`, what `manager.Value()` gives):
 * any structured-cloneable value, read with `get` and written with `set`.
 *
 * @typeParam T The value.
 *
 * @example
 * ```ts
 * import { Manager } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * await using manager = await Manager.start();
 * const v = manager.Value("d", 0.5);
 * await v.set(1.5);
 * assert.equal(await v.get(), 1.5);
 * ```
 */
export class ValueProxy<T = unknown> extends BaseProxy {
  /**
   * The value (Python's `v.value`).
   *
   * @returns The value.
   */
  async get(): Promise<T> {
    return await this.call("get") as T;
  }

  /**
   * Replaces the value (Python's `v.value = x`).
   *
   * @param value The new value.
   */
  async set(value: T): Promise<void> {
    await this.call("set", [value]);
  }
}
