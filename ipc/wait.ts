/**
 * {@linkcode wait}: Python's `multiprocessing.connection.wait`, over pipe ends and queues.
 *
 * @module
 */

import type { WaitOptions } from "../_internal/wait_options.ts";
import { checkWait } from "../_internal/futex.ts";
import type { Channel } from "../_internal/channel.ts";
import { waitAny } from "../_internal/wait_any.ts";
import { isReadable, readerChannel } from "./_reader.ts";
import type { Connection } from "./connection.ts";
import type { Queue } from "./queue.ts";
import type { SimpleQueue } from "./simple_queue.ts";

/**
 * What {@linkcode wait} waits on: the receiving end of a pipe, or a queue (a `JoinableQueue`
 * too).
 */
export type Waitable = Connection<unknown> | Queue<unknown> | SimpleQueue<unknown>;

/**
 * Waits until at least one of `objects` is ready, as Python's
 * `multiprocessing.connection.wait(object_list, timeout)`: a connection is ready when `recv`
 * would not wait (a message is there, or the other end is closed: `recv` then throws
 * `EOFError`), a queue when `get` would not wait (a message is there, or it was shut down).
 * It never blocks the thread: it sleeps on every object at once, woken by the first put or
 * close, from any thread.
 *
 * @param objects The connections and queues to watch (an array or any iterable).
 * @param options `timeout` in ms (default `Infinity`, as Python's `None`; a negative one counts
 *   as `0`, which only looks) and `signal`.
 * @returns The objects that are ready, in the order given; `[]` when the timeout passed first.
 * @throws {TypeError} An object is neither a connection nor a queue, a connection only sends,
 *   or `objects` is empty and no timeout or signal would ever end the wait.
 * @throws {ClosedError} A connection's own end, or a queue's handle, is closed.
 *
 * @example A reader that serves several pipes as their messages come
 * ```ts
 * import { type Connection, Pipe, Pool, wait } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const pipes = [Pipe<string>(false), Pipe<string>(false)];
 * const readers = pipes.map(([reader]) => reader);
 * await using pool = new Pool(2);
 * const writers = pool.starmap((conn: Connection<string>, i: number) => {
 *   conn.send(`hello from ${i}`);
 *   conn.close();
 * }, pipes.map(([, writer], i) => [writer, i]), 1);
 * const got: string[] = [];
 * let open = [...readers];
 * while (open.length > 0) {
 *   for (const conn of await wait(open)) {
 *     try {
 *       got.push(await conn.recv());
 *     } catch {
 *       open = open.filter((c) => c !== conn); // EOFError: this writer is done
 *     }
 *   }
 * }
 * await writers;
 * assert.deepEqual(got.sort(), ["hello from 0", "hello from 1"]);
 * ```
 *
 * @example A timeout
 * ```ts
 * import { Pipe, Queue, wait } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const [a, b] = Pipe();
 * const q = new Queue();
 * assert.deepEqual(await wait([b, q], { timeout: 10 }), []);
 * q.putNowait(1);
 * assert.deepEqual(await wait([b, q]), [q]);
 * ```
 */
export async function wait<T extends Waitable>(
  objects: Iterable<T>,
  options?: WaitOptions,
): Promise<T[]> {
  const list = checkObjects(objects);
  const timeout = waitTimeout(options);
  const channels: Channel[] = list.map((object) => object[readerChannel]());
  if (list.length === 0 && timeout === Infinity && options?.signal === undefined) {
    throw new TypeError(
      `wait(): "objects" is empty, so nothing would ever end the wait: pass the connections ` +
        `or queues to watch, or a timeout`,
    );
  }
  if (list.length === 0) {
    await sleep(timeout, options?.signal);
    return [];
  }
  const ready = await waitAny(channels, timeout, options?.signal);
  return ready.map((i) => list[i]!);
}

function checkObjects<T extends Waitable>(objects: Iterable<T>): T[] {
  if (
    typeof objects !== "object" || objects === null ||
    typeof (objects as Partial<Iterable<T>>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      `wait(): "objects" must be an array of connections and queues, e.g. wait([conn, queue])`,
    );
  }
  const list = [...objects];
  list.forEach((object, i) => {
    if (!isReadable(object)) {
      throw new TypeError(
        `wait(): "objects"[${i}] is not a Connection or a queue: wait() watches the receiving ` +
          `ends of pipes and queues (to wait for a Process, await its join())`,
      );
    }
  });
  return list;
}

/** The timeout: `Infinity` by default, `0` for a negative one (as CPython's `wait`). */
function waitTimeout(options: WaitOptions | undefined): number {
  const timeout = options?.timeout;
  return checkWait(
    typeof timeout === "number" && timeout < 0 ? { ...options, timeout: 0 } : options,
    "wait",
  );
}

/** Waits `ms` (an empty list of objects), or until `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = ms === Infinity ? undefined : setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.min(ms, 2 ** 31 - 1));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
