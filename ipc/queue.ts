/**
 * `Queue`: Python's `multiprocessing.Queue`, a first-in first-out queue of messages shared by
 * the main program and every worker.
 *
 * @module
 */

import { ClosedError, EmptyError, FullError, ShutDownError } from "../errors.ts";
import { fromShared, Revival, type SharedHandle, toShared } from "../_internal/shareable.ts";
import type { WaitOptions } from "../_internal/wait_options.ts";
import { checkWait, SYNC_WAIT_KEYS, WAIT_KEYS } from "../_internal/futex.ts";
import { checkOptionKeys } from "../_internal/option_keys.ts";
import { Channel } from "../_internal/channel.ts";
import { EMPTY, END, READER_CLOSED, type Refused, SHUTDOWN } from "../_internal/channel_header.ts";
import { assertBoolean, assertNumber, describeValue } from "../_internal/checks.ts";
import { readerChannel } from "./_reader.ts";

/** Options of {@linkcode Queue.put} and {@linkcode Queue.get}. */
export interface QueueWaitOptions extends WaitOptions {
  /**
   * `false` does not wait at all (Python's `block=False`): a full queue's `put` throws
   * `FullError`, an empty queue's `get` throws `EmptyError` at once.
   * @default {true}
   */
  block?: boolean;
}

/** Options of {@linkcode Queue.shutdown}. */
export interface QueueShutdownOptions {
  /**
   * `true` also drops every message still queued (each counting as done for
   * `JoinableQueue.join`), so that `get` throws `ShutDownError` at once; `false` lets consumers
   * take what is queued first.
   * @default {false}
   */
  immediate?: boolean;
}

/** The buffer of the queue being revived in this thread (see `[fromShared]`). */
const revival = new Revival<SharedArrayBuffer>();

/** The keys of {@linkcode QueueWaitOptions}; a `…Sync` method takes no `signal`. */
const QUEUE_KEYS: readonly string[] = [...WAIT_KEYS, "block"];
const QUEUE_SYNC_KEYS: readonly string[] = [...SYNC_WAIT_KEYS, "block"];

function timeoutOf(options: QueueWaitOptions | undefined, method: string, sync = false): number {
  const timeout = checkWait(options, method, sync ? QUEUE_SYNC_KEYS : QUEUE_KEYS);
  const block = options?.block;
  if (block !== undefined && typeof block !== "boolean") {
    assertBoolean(
      block,
      `${method}(): "block"`,
      "pass { block: false } not to wait, or { timeout: ms } to wait at most that long",
    );
  }
  return block === false ? 0 : timeout;
}

/**
 * A queue of messages over shared memory (Python's `multiprocessing.Queue`): any number of
 * producers and consumers, in the main program and in workers, each message delivered exactly
 * once and in order per producer, with no message passing through the main program. Values are
 * structured-cloned (numbers, strings, arrays, plain objects, typed arrays, `Map`, `Date`…) and
 * may be of any size: the queue's buffer grows as needed, so a `put` on an unbounded queue
 * never waits, as in Python.
 *
 * The main program uses the promise methods (`await q.get()`); worker code may also block in
 * Python's style (`q.getSync()`). Pass the queue to workers as an argument: it arrives as the
 * same queue.
 *
 * @typeParam T The type of the messages.
 *
 * @example Workers produce, the main program consumes
 * ```ts
 * import { Pool, Queue } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const q = new Queue<[number, string]>();
 * await using pool = new Pool(2);
 * await pool.starmap((i: number, queue: Queue<[number, string]>) => {
 *   queue.putSync([i, "done"]);
 * }, [0, 1, 2].map((i) => [i, q]));
 * const got = [await q.get(), await q.get(), await q.get()];
 * assert.deepEqual(got.map(([i]) => i).sort(), [0, 1, 2]);
 * ```
 */
export class Queue<T = unknown> {
  #channel: Channel;
  #closed = false;

  /**
   * A new, empty queue.
   *
   * @param maxsize The most messages it holds before `put` waits; `0` for no limit.
   * @default {0}
   * @throws {RangeError} `maxsize` is not an integer ≥ 0.
   */
  constructor(maxsize = 0) {
    const revived = revival.take();
    const expected = "an integer ≥ 0 (0: no limit)";
    assertNumber(maxsize, `new ${new.target.name}(): "maxsize"`, expected);
    if (!Number.isInteger(maxsize) || maxsize < 0 || maxsize > 0x7fff_ffff) {
      throw new RangeError(
        `new ${new.target.name}(): "maxsize" must be ${expected}, got ${describeValue(maxsize)}`,
      );
    }
    this.#channel = new Channel(maxsize, revived);
  }

  /** @internal The channel, for subclasses. */
  protected get channel(): Channel {
    return this.#channel;
  }

  /**
   * Puts `value` at the end of the queue, waiting (without blocking the thread) while a
   * bounded queue is full.
   *
   * @param value The message: any structured-cloneable value.
   * @param options `block: false` or `timeout` (ms) to give up on a full queue; `signal`.
   * @throws {FullError} The queue stayed full (`block: false`, or the timeout passed).
   * @throws {ShutDownError} The queue was shut down (before or while it waited); carries the
   *   value.
   * @throws {ClosedError} This queue handle was closed; carries the value.
   * @throws {TypeError} The value cannot be cloned (names its type).
   * @throws {TypeError} An option is unknown, or `block` is not a boolean.
   *
   * @example
   * ```ts
   * import { FullError, Queue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const q = new Queue<number>(1);
   * await q.put(1);
   * await assert.rejects(q.put(2, { timeout: 5 }), FullError);
   * ```
   */
  async put(value: T, options?: QueueWaitOptions): Promise<void> {
    const timeout = timeoutOf(options, `${this.constructor.name}.put`);
    this.#assertOpen(value);
    const outcome = await this.#channel.put(value, timeout, this.unfinished, options?.signal);
    this.#check(outcome, value);
  }

  /**
   * {@linkcode Queue.put} for worker code: blocks while a bounded queue is full. In the main
   * program it may only be used where it cannot wait (an unbounded queue, or `block: false`).
   *
   * @param value The message.
   * @param options `block: false` or `timeout` (ms).
   * @throws {FullError} The queue stayed full.
   * @throws {ShutDownError} The queue was shut down.
   * @throws {ClosedError} This queue handle was closed.
   * @throws {DOMException} `InvalidStateError` when it would block the main program's thread.
   * @throws {TypeError} An option is unknown, or `block` is not a boolean.
   *
   * @example
   * ```ts
   * import { Queue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const q = new Queue<string>();
   * q.putSync("a"); // unbounded: never waits
   * assert.equal(q.getNowait(), "a");
   * ```
   */
  putSync(value: T, options?: Omit<QueueWaitOptions, "signal">): void {
    const timeout = timeoutOf(options, `${this.constructor.name}.putSync`, true);
    this.#assertOpen(value);
    const method = `${this.constructor.name}.putSync`;
    const outcome = this.#channel.putSync(value, timeout, this.unfinished, method, "queue.put");
    this.#check(outcome, value);
  }

  /**
   * Puts without waiting (Python's `put_nowait`).
   *
   * @param value The message.
   * @throws {FullError} A bounded queue is full.
   * @throws {ShutDownError} The queue was shut down.
   * @throws {ClosedError} This queue handle was closed.
   *
   * @example
   * ```ts
   * import { FullError, Queue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const q = new Queue(1);
   * q.putNowait("x");
   * assert.throws(() => q.putNowait("y"), FullError);
   * ```
   */
  putNowait(value: T): void {
    this.#assertOpen(value);
    this.#check(this.#channel.tryPut(value, this.unfinished), value);
  }

  /**
   * Takes the oldest message, waiting (without blocking the thread) while the queue is empty.
   *
   * @param options `block: false` or `timeout` (ms) to give up on an empty queue; `signal`.
   * @returns The message.
   * @throws {EmptyError} The queue stayed empty (`block: false`, or the timeout passed).
   * @throws {ShutDownError} The queue was shut down and is empty (before or while it waited).
   * @throws {ClosedError} This queue handle was closed.
   * @throws {TypeError} An option is unknown, or `block` is not a boolean.
   *
   * @example
   * ```ts
   * import { EmptyError, Queue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const q = new Queue<number>();
   * setTimeout(() => q.putNowait(7), 5);
   * assert.equal(await q.get({ timeout: 5_000 }), 7);
   * await assert.rejects(q.get({ block: false }), EmptyError);
   * ```
   */
  async get(options?: QueueWaitOptions): Promise<T> {
    this.#assertOpen(undefined);
    const timeout = timeoutOf(options, `${this.constructor.name}.get`);
    return this.#received(await this.#channel.take(timeout, options?.signal));
  }

  /**
   * {@linkcode Queue.get} for worker code: blocks while the queue is empty. In the main program
   * only `block: false` (or `timeout: 0`) is allowed.
   *
   * @param options `block: false` or `timeout` (ms).
   * @returns The message.
   * @throws {EmptyError} The queue stayed empty.
   * @throws {ShutDownError} The queue was shut down and is empty.
   * @throws {DOMException} `InvalidStateError` when it would block the main program's thread.
   * @throws {TypeError} An option is unknown, or `block` is not a boolean.
   *
   * @example
   * ```ts
   * import { Queue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const q = new Queue<number>();
   * q.putNowait(1);
   * assert.equal(q.getSync({ block: false }), 1);
   * ```
   */
  getSync(options?: Omit<QueueWaitOptions, "signal">): T {
    this.#assertOpen(undefined);
    const timeout = timeoutOf(options, `${this.constructor.name}.getSync`, true);
    const method = `${this.constructor.name}.getSync`;
    return this.#received(this.#channel.takeSync(timeout, method, "queue.get"));
  }

  /**
   * Takes without waiting (Python's `get_nowait`).
   *
   * @returns The message.
   * @throws {EmptyError} The queue is empty.
   * @throws {ShutDownError} The queue was shut down and is empty.
   *
   * @example
   * ```ts
   * import { EmptyError, Queue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * assert.throws(() => new Queue().getNowait(), EmptyError);
   * ```
   */
  getNowait(): T {
    this.#assertOpen(undefined);
    return this.#received(this.#channel.tryTake());
  }

  /**
   * The number of messages in the queue (approximate while others put and get).
   *
   * @returns The count.
   *
   * @example
   * ```ts
   * import { Queue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const q = new Queue();
   * q.putNowait(1);
   * assert.equal(q.qsize(), 1);
   * ```
   */
  qsize(): number {
    return this.#channel.count;
  }

  /**
   * Whether the queue is empty (approximate while others put and get).
   *
   * @returns `true` when empty.
   *
   * @example
   * ```ts
   * import { Queue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new Queue().empty(), true);
   * ```
   */
  empty(): boolean {
    return this.#channel.count === 0;
  }

  /**
   * Whether a bounded queue is full (approximate while others put and get).
   *
   * @returns `true` when full; always `false` for an unbounded queue.
   *
   * @example
   * ```ts
   * import { Queue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const q = new Queue(1);
   * q.putNowait(1);
   * assert.equal(q.full(), true);
   * ```
   */
  full(): boolean {
    const maxsize = this.#channel.maxsize;
    return maxsize > 0 && this.#channel.count >= maxsize;
  }

  /**
   * Closes this handle: it may no longer put or get (Python's `close()`, which tells that this
   * process will put no more). Other handles of the queue, in this thread or others, go on.
   *
   * @example
   * ```ts
   * import { ClosedError, Queue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const q = new Queue();
   * q.close();
   * assert.throws(() => q.putNowait("late"), (e) => e instanceof ClosedError && e.value === "late");
   * ```
   */
  close(): void {
    this.#closed = true;
  }

  /** Whether this handle was closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Shuts the queue down for every thread and every handle, as Python 3.13's
   * `Queue.shutdown(immediate)`: from now on `put` throws {@linkcode ShutDownError}, and `get`
   * throws it once the queue is empty; producers and consumers waiting in any thread wake and
   * throw it. `immediate: true` also drops what is queued, so `get` throws at once, and the
   * dropped messages count as done, which releases `JoinableQueue.join()` once the messages
   * already taken are marked done. Shutting down twice does nothing more (but an `immediate`
   * second call still drops what is left).
   *
   * @param options `immediate`.
   * @throws {TypeError} `immediate` is not a boolean.
   *
   * @example Consumers take what was queued, then stop
   * ```ts
   * import { Pool, Queue, ShutDownError } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const q = new Queue<number>();
   * await using pool = new Pool(1);
   * const consumer = pool.apply((queue: Queue<number>) => {
   *   let sum = 0;
   *   try {
   *     for (;;) sum += queue.getSync();
   *   } catch (error) {
   *     if (!(error instanceof ShutDownError)) throw error;
   *   }
   *   return sum;
   * }, [q]);
   * for (const n of [1, 2, 3]) q.putNowait(n);
   * q.shutdown();
   * assert.throws(() => q.putNowait(4), ShutDownError);
   * assert.equal(await consumer, 6);
   * ```
   *
   * @example `immediate`: drop what is queued
   * ```ts
   * import { Queue, ShutDownError } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const q = new Queue<string>();
   * q.putNowait("never taken");
   * q.shutdown({ immediate: true });
   * assert.equal(q.qsize(), 0);
   * await assert.rejects(q.get(), ShutDownError);
   * ```
   */
  shutdown(options: QueueShutdownOptions = {}): void {
    const method = `${this.constructor.name}.shutdown`;
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`${method}: "options" must be an object such as { immediate: true }`);
    }
    checkOptionKeys(options, ["immediate"], `${method}()`);
    const { immediate = false } = options;
    assertBoolean(immediate, `${method}(): "immediate"`);
    this.#channel.shutdown(immediate);
  }

  /**
   * Whether the queue was shut down, by any handle in any thread (Python's `is_shutdown`).
   *
   * @example
   * ```ts
   * import { Queue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const q = new Queue();
   * assert.equal(q.isShutdown, false);
   * q.shutdown();
   * assert.equal(q.isShutdown, true);
   * ```
   */
  get isShutdown(): boolean {
    return this.#channel.isShutDown;
  }

  /** @internal Whether puts count as unfinished tasks (`JoinableQueue`). */
  protected get unfinished(): boolean {
    return false;
  }

  #assertOpen(value: unknown): void {
    if (!this.#closed) return;
    throw new ClosedError(
      `Cannot use the ${this.constructor.name} as this handle of it was closed`,
      { value },
    );
  }

  #check(outcome: boolean | Refused, value: T): void {
    if (outcome === true) return;
    if (outcome === SHUTDOWN) {
      throw new ShutDownError(`Cannot put into the ${this.constructor.name}: it was shut down`, {
        value,
      });
    }
    if (outcome === READER_CLOSED) {
      throw new ClosedError(`Cannot put into the ${this.constructor.name}: it is closed`, {
        value,
      });
    }
    throw new FullError(`The ${this.constructor.name} is full (maxsize ${this.#channel.maxsize})`);
  }

  #received(got: unknown): T {
    if (got === SHUTDOWN) {
      throw new ShutDownError(`The ${this.constructor.name} was shut down and is empty`);
    }
    if (got === EMPTY || got === END) {
      throw new EmptyError(`The ${this.constructor.name} is empty`);
    }
    return got as T;
  }

  /** @internal The channel, for `wait()`. */
  [readerChannel](): Channel {
    this.#assertOpen(undefined);
    return this.#channel;
  }

  /** @internal What crosses into a worker. */
  [toShared](): SharedHandle {
    return { module: import.meta.url, export: "Queue", state: this.#channel.buffer };
  }

  /** @internal Rebuilds the queue in a worker. */
  static [fromShared](state: unknown): Queue {
    return revival.revive(state as SharedArrayBuffer, () => new this());
  }
}
