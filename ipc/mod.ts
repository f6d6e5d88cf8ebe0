/**
 * Message passing between the main program and workers, through shared memory: Python's
 * `Pipe` (two `Connection`s), `Queue`, `SimpleQueue` and `JoinableQueue`. Each is a thin object
 * over growable `SharedArrayBuffer`s: pass it to workers (as a task argument, in `initargs`,
 * nested in arrays and plain objects) and every thread puts and takes directly, with no message
 * through the main program. Messages are structured-cloned values of any size; sending never
 * waits (unless a bounded queue is full), receiving waits with a promise in the main program
 * (`await q.get()`) or blocks in worker code (`q.getSync()`), spinning a few microseconds
 * before it sleeps, so a busy ping-pong costs microseconds.
 *
 * @example Two workers talk through a pipe
 * ```ts
 * import { type Connection, Pipe, Pool } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const [a, b] = Pipe<number>();
 * await using pool = new Pool(2);
 * const [last] = await pool.starmap((conn: Connection<number>, first: boolean) => {
 *   if (first) conn.send(0);
 *   let n = -1;
 *   for (let i = 0; i < 50; i++) {
 *     n = conn.recvSync({ timeout: 10_000 }); // a worker may block
 *     conn.send(n + 1);
 *   }
 *   return n;
 * }, [[a, true], [b, false]], 1);
 * assert.equal(last, 99); // 0 → 1 → 2 … the first worker received the odd numbers
 * ```
 *
 * @module
 */

export { Connection } from "./connection.ts";
export type {
  RecvBytesIntoOptions,
  RecvBytesOptions,
  SendBytesOptions,
} from "./connection_options.ts";
export * from "./pipe.ts";
export * from "./queue.ts";
export * from "./simple_queue.ts";
export * from "./joinable_queue.ts";
export * from "./wait.ts";
