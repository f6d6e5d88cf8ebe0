/**
 * `Manager`: Python's `multiprocessing.Manager`, a server worker that holds dicts, lists,
 * namespaces and values for every thread, reached through proxies.
 *
 * @module
 */

import { detachWorkers } from "../_internal/detach.ts";
import { checkOptionKeys } from "../_internal/option_keys.ts";
import { ClosedError } from "../errors.ts";
import { toShared } from "../_internal/shareable.ts";
import { Pool } from "../pool/pool.ts";
import { Barrier, type BarrierOptions } from "../sync/barrier.ts";
import { Condition } from "../sync/condition.ts";
import { Event } from "../sync/event.ts";
import { Lock } from "../sync/lock.ts";
import { RLock } from "../sync/rlock.ts";
import { BoundedSemaphore, Semaphore } from "../sync/semaphore.ts";
import { JoinableQueue } from "../ipc/joinable_queue.ts";
import { Queue } from "../ipc/queue.ts";
import { SimpleQueue } from "../ipc/simple_queue.ts";
import { registerBlock, unregisterBlock } from "../_internal/named_blocks.ts";
import { clientOf, dropClient, type ManagerLine, requestsBlock } from "./_client.ts";
import { type Kind, MANAGER, type Request, serve, serverIdent } from "./_server.ts";
import {
  type BaseProxy,
  type DictProxy,
  type ListProxy,
  makeProxy,
  type NamespaceProxy,
  type ValueProxy,
} from "./proxies.ts";

const serverModule = new URL("./_server.ts", import.meta.url).href;

/** Python's `Manager()` arguments, which have no counterpart here. */
const MANAGER_HINTS: Readonly<Record<string, string>> = {
  address: "the manager is a worker of this program, reached by its proxies, not an address",
  authkey: "the manager is a worker of this program: no other process can reach it",
  serializer: "values cross as structured clones",
  ctx: "there is one way to start a worker",
  shutdown_timeout: "shutdown() waits for the server worker to stop",
};

/**
 * A manager (Python's `multiprocessing.Manager()`): a worker that holds one copy of each dict,
 * list, namespace and value it makes, which the main program and every worker reach through
 * proxies with async methods. Pass proxies to workers as arguments; every change any thread
 * makes is seen by all.
 *
 * Locks, events, semaphores, conditions, barriers and queues need no server here: the manager
 * gives the library's own shared-memory objects, which every thread uses directly.
 *
 * Start it with `await Manager.start()` and end it with `await using` (or `shutdown()`); proxy
 * calls after that reject with `ClosedError`.
 *
 * @example The tutorial's manager
 * ```ts
 * import { type DictProxy, type ListProxy, Manager, Pool } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * await using manager = await Manager.start();
 * const d = manager.dict<number | string, unknown>();
 * const l = manager.list([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 * await using pool = new Pool(1);
 * await pool.apply(async (d: DictProxy<number | string, unknown>, l: ListProxy<number>) => {
 *   await d.set(1, "1");
 *   await d.set("2", 2);
 *   await d.set(0.25, null);
 *   await l.reverse();
 * }, [d, l]);
 * assert.deepEqual(await d.copy(), new Map<number | string, unknown>([[1, "1"], ["2", 2], [0.25, null]]));
 * assert.deepEqual(await l.copy(), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
 * ```
 */
export class Manager implements AsyncDisposable {
  #line: Required<ManagerLine>;
  #pool: Pool;
  #serving: Promise<number>;
  /** The registry token of the request queue's named block. */
  #block: string;
  /** The last object id handed out. */
  #objects = 0;
  #down = false;

  private constructor(
    line: Required<ManagerLine>,
    pool: Pool,
    serving: Promise<number>,
    block: string,
  ) {
    this.#line = line;
    this.#pool = pool;
    this.#serving = serving;
    this.#block = block;
  }

  /**
   * Starts a manager: its server worker, ready to serve.
   *
   * @param options None yet: the manager is a worker of this program, so Python's `address`,
   *   `authkey`, `serializer` and `ctx` have no counterpart; any key is refused, so that such
   *   an option is not ignored without a word.
   * @returns The running manager.
   * @throws {TypeError} `options` is not an object, or has a key.
   *
   * @example
   * ```ts
   * import { Manager } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const manager = await Manager.start();
   * const ns = manager.Namespace();
   * await ns.set("x", 1);
   * assert.equal(await ns.get("x"), 1);
   * await manager.shutdown();
   * ```
   */
  static async start(options: Record<string, never> = {}): Promise<Manager> {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`Manager.start() takes no options: call Manager.start()`);
    }
    checkOptionKeys(options, [], "Manager.start()", MANAGER_HINTS);
    const pool = new Pool(1, { imports: [serverModule], name: "SyncManager" });
    try {
      const server = await pool.apply(serverIdent);
      const requests = new SimpleQueue<Request>();
      const line: Required<ManagerLine> = {
        token: crypto.randomUUID(),
        requests: requests[toShared]().state as SharedArrayBuffer,
        server,
      };
      // Found by name wherever a proxy arrives as plain data (through a queue, a pipe, or one
      // of the manager's own containers), until shutdown() unregisters it.
      const block = crypto.randomUUID();
      registerBlock(requestsBlock(line.token), { buffer: line.requests, token: block });
      const serving = pool.apply(serve, [requests]);
      serving.catch(() => {}); // reported by shutdown()
      // The server's one task never ends: let the program end while it serves, as Python's
      // manager process does; a proxy call keeps the program running while it waits.
      pool[detachWorkers](true);
      return new Manager(line, pool, serving, block);
    } catch (error) {
      pool.terminate();
      throw error;
    }
  }

  #make(kind: Kind, initial: unknown): BaseProxy {
    if (this.#down) throw new ClosedError("Cannot make a proxy: the manager has shut down");
    const object = ++this.#objects;
    clientOf(this.#line).post(MANAGER, "create", [kind, initial, object]);
    return makeProxy(this.#line, object, kind);
  }

  /**
   * A dict held by the manager (Python's `manager.dict()`).
   *
   * @param entries Initial entries: a `Map`, pairs, or a plain object.
   * @returns Its proxy.
   * @throws {TypeError} An entry cannot be cloned.
   *
   * @example
   * ```ts
   * import { Manager } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * await using manager = await Manager.start();
   * const d = manager.dict({ a: 1 });
   * assert.equal(await d.get("a"), 1);
   * ```
   */
  dict<K = unknown, V = unknown>(
    entries: Map<K, V> | Iterable<[K, V]> | Record<string, V> = [],
  ): DictProxy<K, V> {
    const pairs = Symbol.iterator in entries
      ? [...entries as Iterable<[K, V]>]
      : Object.entries(entries);
    return this.#make("dict", pairs) as DictProxy<K, V>;
  }

  /**
   * A list held by the manager (Python's `manager.list()`).
   *
   * @param items Initial items.
   * @returns Its proxy.
   *
   * @example
   * ```ts
   * import { Manager } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * await using manager = await Manager.start();
   * const l = manager.list<number>();
   * await l.extend([1, 2]);
   * assert.equal(await l.len(), 2);
   * ```
   */
  list<T = unknown>(items: Iterable<T> = []): ListProxy<T> {
    return this.#make("list", [...items]) as ListProxy<T>;
  }

  /**
   * A namespace held by the manager (Python's `manager.Namespace()`).
   *
   * @param attributes Initial attributes.
   * @returns Its proxy.
   *
   * @example
   * ```ts
   * import { Manager } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * await using manager = await Manager.start();
   * assert.equal(await manager.Namespace({ x: 1 }).get("x"), 1);
   * ```
   */
  Namespace(attributes: Record<string, unknown> = {}): NamespaceProxy {
    return this.#make("namespace", attributes) as NamespaceProxy;
  }

  /**
   * A single value held by the manager (Python's `manager.Value(typecode, value)`; the
   * typecode is kept only for Python's signature: any cloneable value may be stored).
   *
   * @param _typecode Python's typecode, e.g. `"i"` or `"d"` (not enforced).
   * @param value The initial value.
   * @returns Its proxy.
   *
   * @example
   * ```ts
   * import { Manager } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * await using manager = await Manager.start();
   * assert.equal(await manager.Value("i", 7).get(), 7);
   * ```
   */
  Value<T>(_typecode: string, value: T): ValueProxy<T> {
    return this.#make("value", value) as ValueProxy<T>;
  }

  /**
   * A lock for every thread (Python's `manager.Lock()`): the library's shared-memory
   * {@linkcode Lock}, which needs no server.
   *
   * @returns A new lock.
   *
   * @example
   * ```ts
   * import { Lock, Manager } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * await using manager = await Manager.start();
   * assert.ok(manager.Lock() instanceof Lock);
   * ```
   */
  Lock(): Lock {
    return new Lock();
  }

  /**
   * A re-entrant lock (Python's `manager.RLock()`): a shared-memory {@linkcode RLock}.
   *
   * @returns A new re-entrant lock.
   */
  RLock(): RLock {
    return new RLock();
  }

  /**
   * A semaphore (Python's `manager.Semaphore()`): a shared-memory {@linkcode Semaphore}.
   *
   * @param value The initial count.
   * @returns A new semaphore.
   */
  Semaphore(value = 1): Semaphore {
    return new Semaphore(value);
  }

  /**
   * A bounded semaphore (Python's `manager.BoundedSemaphore()`).
   *
   * @param value The initial count and bound.
   * @returns A new bounded semaphore.
   */
  BoundedSemaphore(value = 1): BoundedSemaphore {
    return new BoundedSemaphore(value);
  }

  /**
   * An event (Python's `manager.Event()`): a shared-memory {@linkcode Event}.
   *
   * @returns A new event.
   */
  Event(): Event {
    return new Event();
  }

  /**
   * A condition (Python's `manager.Condition()`): a shared-memory {@linkcode Condition}.
   *
   * @param lock Its lock; a new `RLock` when omitted.
   * @returns A new condition.
   */
  Condition(lock?: Lock | RLock): Condition {
    return new Condition(lock);
  }

  /**
   * A barrier (Python's `manager.Barrier()`): a shared-memory {@linkcode Barrier}.
   *
   * @param parties How many threads meet.
   * @param options `action` and `timeout`.
   * @returns A new barrier.
   */
  Barrier(parties: number, options?: BarrierOptions): Barrier {
    return new Barrier(parties, options);
  }

  /**
   * A queue (Python's `manager.Queue()`): a shared-memory {@linkcode Queue}.
   *
   * @param maxsize The most messages it holds; `0` for no limit.
   * @returns A new queue.
   *
   * @example
   * ```ts
   * import { Manager } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * await using manager = await Manager.start();
   * const q = manager.Queue<string>();
   * q.putNowait("x");
   * assert.equal(await q.get(), "x");
   * ```
   */
  Queue<T = unknown>(maxsize = 0): Queue<T> {
    return new Queue<T>(maxsize);
  }

  /**
   * A joinable queue (Python's `manager.JoinableQueue()`).
   *
   * @param maxsize The most messages it holds; `0` for no limit.
   * @returns A new joinable queue.
   */
  JoinableQueue<T = unknown>(maxsize = 0): JoinableQueue<T> {
    return new JoinableQueue<T>(maxsize);
  }

  /**
   * Stops the server worker; its objects are gone, and proxy calls reject with `ClosedError`.
   * Calling it again does nothing.
   *
   * @example
   * ```ts
   * import { ClosedError, Manager } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const manager = await Manager.start();
   * const l = manager.list([1]);
   * await manager.shutdown();
   * await assert.rejects(l.len(), ClosedError);
   * ```
   */
  async shutdown(): Promise<void> {
    if (this.#down) return;
    this.#down = true;
    try {
      unregisterBlock(requestsBlock(this.#line.token), this.#block);
    } catch {
      // Already gone (the registry's thread is stopping): nothing to clean up.
    }
    clientOf(this.#line).post(MANAGER, "shutdown");
    // The server's last moments keep the program running, so that this await can end.
    this.#pool[detachWorkers](false);
    try {
      await this.#serving;
    } finally {
      this.#pool.terminate();
      dropClient(this.#line.token);
    }
  }

  /** Shuts the manager down at the end of an `await using` block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }
}
