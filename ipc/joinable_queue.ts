/**
 * `JoinableQueue`: Python's `multiprocessing.JoinableQueue`, a `Queue` whose producers can
 * wait until every message put has been processed.
 *
 * @module
 */

import { type SharedHandle, toShared } from "../_internal/shareable.ts";
import type { WaitOptions } from "../_internal/wait_options.ts";
import {
  assertMayBlock,
  checkWait,
  DONE,
  retry,
  runAsync,
  runSync,
  SYNC_WAIT_KEYS,
} from "../_internal/futex.ts";
import { UNFINISHED } from "../_internal/channel_header.ts";
import { Queue } from "./queue.ts";

/**
 * A {@linkcode Queue} that counts unfinished tasks (Python's `multiprocessing.JoinableQueue`):
 * each `put` adds one, each `taskDone()` — called by a consumer when it has processed a
 * message it got — removes one, and `join()` waits until none is left.
 *
 * @typeParam T The type of the messages.
 *
 * @example A worker processes everything the main program put
 * ```ts
 * import { JoinableQueue, Pool } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const tasks = new JoinableQueue<number>();
 * for (const n of [1, 2, 3]) await tasks.put(n);
 * await using pool = new Pool(1);
 * const sum = pool.apply((q: JoinableQueue<number>) => {
 *   let total = 0;
 *   for (let i = 0; i < 3; i++) {
 *     total += q.getSync();
 *     q.taskDone();
 *   }
 *   return total;
 * }, [tasks]);
 * assert.equal(await tasks.join({ timeout: 10_000 }), true);
 * assert.equal(await sum, 6);
 * ```
 */
export class JoinableQueue<T = unknown> extends Queue<T> {
  /**
   * Marks one message got from the queue as processed (Python's `task_done()`).
   *
   * @throws {DOMException} `InvalidStateError` when called more often than messages were put.
   *
   * @example
   * ```ts
   * import { JoinableQueue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const q = new JoinableQueue();
   * assert.throws(() => q.taskDone(), { name: "InvalidStateError" });
   * ```
   */
  taskDone(): void {
    const cells = this.channel.cells;
    for (;;) {
      const left = Atomics.load(cells, UNFINISHED);
      if (left === 0) {
        throw new DOMException(
          "JoinableQueue.taskDone() was called more often than messages were put",
          "InvalidStateError",
        );
      }
      if (Atomics.compareExchange(cells, UNFINISHED, left, left - 1) === left) {
        if (left === 1) Atomics.notify(cells, UNFINISHED);
        return;
      }
    }
  }

  /**
   * Waits, without blocking the thread, until every message put has been marked done.
   *
   * @param options `timeout` in ms and `signal`.
   * @returns `true` when none is left, `false` if the timeout passed first.
   *
   * @example
   * ```ts
   * import { JoinableQueue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const q = new JoinableQueue();
   * assert.equal(await q.join(), true); // nothing put: nothing to wait for
   * q.putNowait("job");
   * assert.equal(await q.join({ timeout: 5 }), false);
   * ```
   */
  async join(options?: WaitOptions): Promise<boolean> {
    const timeout = checkWait(options, "JoinableQueue.join");
    return await runAsync(this.channel.cells, UNFINISHED, this.#joining(timeout), options?.signal);
  }

  /**
   * {@linkcode JoinableQueue.join} for worker code: blocks while it waits.
   *
   * @param options `timeout` in ms.
   * @returns `true` when none is left, `false` if the timeout passed first.
   * @throws {DOMException} `InvalidStateError` when it would block the main program's thread.
   *
   * @example
   * ```ts
   * import { JoinableQueue } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new JoinableQueue().joinSync({ timeout: 0 }), true);
   * ```
   */
  joinSync(options?: Omit<WaitOptions, "signal">): boolean {
    const timeout = checkWait(options, "JoinableQueue.joinSync", SYNC_WAIT_KEYS);
    if (Atomics.load(this.channel.cells, UNFINISHED) === 0) return true;
    assertMayBlock("JoinableQueue.joinSync", "queue.join", timeout);
    return runSync(this.channel.cells, UNFINISHED, this.#joining(timeout));
  }

  #joining(timeout: number) {
    const cells = this.channel.cells;
    return retry(cells, () => {
      const left = Atomics.load(cells, UNFINISHED);
      return left === 0 ? DONE : left;
    }, timeout);
  }

  /** @internal Puts count as unfinished tasks. */
  protected override get unfinished(): boolean {
    return true;
  }

  /** @internal What crosses into a worker. */
  override [toShared](): SharedHandle {
    return { module: import.meta.url, export: "JoinableQueue", state: this.channel.buffer };
  }
}
