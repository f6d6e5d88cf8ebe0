/**
 * The pool: Python's `multiprocessing.Pool`, on Deno Web Workers.
 *
 * ```
 *  main program                                           workers (Web Workers)
 *  ┌──────────────────────────────────────────┐           ┌──────────────────────────────┐
 *  │ Pool.map(f, xs) / imap / apply …         │           │ worker host                  │
 *  │   │ cut into chunks (one message each;   │  run      │   resolve f once: an export  │
 *  │   │ queued applies share one)            │ ───────▶  │   of an imported module (by  │
 *  │   ▼                                      │  ≤ 2 in   │   reference) or its source   │
 *  │ Scheduler: FIFO of chunks ──▶ worker     │  flight   │   compiled (by value)        │
 *  │   slots, ≤ 2 chunks in flight each;      │           │   claim a chunk, run its     │
 *  │   idle workers take over waiting ones;   │           │   calls in order             │
 *  │   retire after maxTasksPerChild;         │ ◀───────  │   report done / failed;      │
 *  │   replace a worker that dies             │  done,    │   self.close(), Deno.exit(), │
 *  │   │                                      │  failed,  │   uncaught errors → crashed  │
 *  │   ▼                                      │  crashed, │   console.log … → console    │
 *  │ results in order / as they come          │  console  │   (before the task's answer) │
 *  │ console lines printed here, in order     │           │                              │
 *  └──────────────────────────────────────────┘           └──────────────────────────────┘
 *     backend seam: "worker" (Web Workers) | "inline" (same runner, main thread) | later "mpi"
 * ```
 *
 * Each chunk in flight sits in a claim cell of its worker (shared memory), which the worker
 * claims just before it runs it. An idle worker takes over a chunk still waiting behind a busy
 * worker's long task (the main program takes it back first); when a worker dies, the chunk it
 * claimed fails with `WorkerCrashedError` (it is never run twice), those it had not go back to
 * the front of the queue, and a fresh worker takes its place.
 *
 * Separate `apply` calls of one function queued behind each other travel up to 256 to a message
 * when there is a backlog, each settling on its own: a progress cell beside the claim cell counts
 * each call as it starts, so a worker that dies fails only the call it was running; those it
 * finished keep their results, and those it had not started go back to the queue's front.
 *
 * @example
 * ```ts
 * import { Pool } from "@workers/multiprocessing/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool(2);
 * assert.deepEqual(await pool.map((x: number) => x * x, [1, 2, 3]), [1, 4, 9]);
 * ```
 *
 * @module
 */

export * from "./pool.ts";
export * from "./async_result.ts";
export type { BackendName } from "../_internal/worker_session.ts";
export type { MapInput } from "./_inputs.ts";
export type { ConsoleMode } from "../_internal/protocol.ts";
export { transfer } from "../_internal/shareable.ts";
