/**
 * `SimpleQueue`: Python's `multiprocessing.SimpleQueue`, the plainest shared queue.
 *
 * @module
 */

import { ClosedError, EmptyError } from "../errors.ts";
import { fromShared, Revival, type SharedHandle, toShared } from "../_internal/shareable.ts";
import type { WaitOptions } from "../_internal/wait_options.ts";
import { checkWait, SYNC_WAIT_KEYS } from "../_internal/futex.ts";
import { Channel } from "../_internal/channel.ts";
import { EMPTY } from "../_internal/channel_header.ts";
import { readerChannel } from "./_reader.ts";

function received<T>(got: unknown): T {
  if (got === EMPTY) throw new EmptyError("The SimpleQueue stayed empty until the timeout");
  return got as T;
}

/** The buffer of the queue being revived in this thread (see `[fromShared]`). */
const revival = new Revival<SharedArrayBuffer>();

/**
 * An unbounded queue of messages over shared memory with Python's short `SimpleQueue` API:
 * `put`, `get`, `empty`, `close`. Like {@linkcode Queue}, it serves any number of producers
 * and consumers in the main program and workers, and `put` never waits.
 *
 * @typeParam T The type of the messages.
 *
 * @example
 * ```ts
 * import { Pool, SimpleQueue } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const q = new SimpleQueue<string>();
 * await using pool = new Pool(1);
 * await pool.apply((queue: SimpleQueue<string>) => queue.put("hello from a worker"), [q]);
 * assert.equal(await q.get(), "hello from a worker");
 * ```
 */
export class SimpleQueue<T = unknown> {
  #channel: Channel = new Channel(0, revival.take());
  #closed = false;

  /**
   * Puts `value` at the end of the queue; never waits.
   *
   * @param value The message: any structured-cloneable value.
   * @throws {ClosedError} This handle was closed; carries the value.
   * @throws {TypeError} The value cannot be cloned.
   *
   * @example
   * ```ts
   * import { SimpleQueue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const q = new SimpleQueue<number>();
   * q.put(1);
   * assert.equal(q.empty(), false);
   * ```
   */
  put(value: T): void {
    this.#assertOpen(value);
    this.#channel.tryPut(value);
  }

  /**
   * Takes the oldest message, waiting without blocking the thread while the queue is empty.
   *
   * @param options `timeout` in ms (Python's `get()` has none) and `signal`.
   * @returns The message.
   * @throws {EmptyError} The timeout passed first.
   * @throws {ClosedError} This handle was closed.
   *
   * @example
   * ```ts
   * import { SimpleQueue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const q = new SimpleQueue<string>();
   * setTimeout(() => q.put("late"), 5);
   * assert.equal(await q.get(), "late");
   * ```
   */
  async get(options?: WaitOptions): Promise<T> {
    this.#assertOpen(undefined);
    const timeout = checkWait(options, "SimpleQueue.get");
    const got = await this.#channel.take(timeout, options?.signal);
    return received(got);
  }

  /**
   * {@linkcode SimpleQueue.get} for worker code: blocks while the queue is empty.
   *
   * @param options `timeout` in ms.
   * @returns The message.
   * @throws {EmptyError} The timeout passed first.
   * @throws {DOMException} `InvalidStateError` when it would block the main program's thread.
   *
   * @example
   * ```ts
   * import { SimpleQueue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const q = new SimpleQueue<number>();
   * q.put(3);
   * assert.equal(q.getSync(), 3); // a message is there: no wait, fine on the main program too
   * ```
   */
  getSync(options?: Omit<WaitOptions, "signal">): T {
    this.#assertOpen(undefined);
    const timeout = checkWait(options, "SimpleQueue.getSync", SYNC_WAIT_KEYS);
    return received(this.#channel.takeSync(timeout, "SimpleQueue.getSync", "queue.get"));
  }

  /**
   * Whether the queue is empty (approximate while others put and get).
   *
   * @returns `true` when empty.
   *
   * @example
   * ```ts
   * import { SimpleQueue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new SimpleQueue().empty(), true);
   * ```
   */
  empty(): boolean {
    return this.#channel.count === 0;
  }

  /**
   * Closes this handle: it may no longer put or get. Other handles go on.
   *
   * @example
   * ```ts
   * import { ClosedError, SimpleQueue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const q = new SimpleQueue();
   * q.close();
   * assert.throws(() => q.put(1), ClosedError);
   * ```
   */
  close(): void {
    this.#closed = true;
  }

  #assertOpen(value: unknown): void {
    if (!this.#closed) return;
    throw new ClosedError("Cannot use the SimpleQueue as this handle of it was closed", {
      value,
    });
  }

  /** @internal The channel, for `wait()`. */
  [readerChannel](): Channel {
    this.#assertOpen(undefined);
    return this.#channel;
  }

  /** @internal What crosses into a worker. */
  [toShared](): SharedHandle {
    return { module: import.meta.url, export: "SimpleQueue", state: this.#channel.buffer };
  }

  /** @internal Rebuilds the queue in a worker. */
  static [fromShared](state: unknown): SimpleQueue {
    return revival.revive(state as SharedArrayBuffer, () => new SimpleQueue());
  }
}
