/**
 * The pool: Python's `multiprocessing.Pool`, on Deno Web Workers.
 *
 * ```
 *  main program                                           workers (Web Workers)
 *  ┌──────────────────────────────────────────┐           ┌──────────────────────────────┐
 *  │ Pool.map(f, xs) / imap / apply …         │           │ worker host                  │
 *  │   │ cut into chunks (one message each)   │  run      │   resolve f once: an export  │
 *  │   ▼                                      │ ───────▶  │   of an imported module (by  │
 *  │ Scheduler: FIFO of chunks ──▶ worker     │  ≤ 2 in   │   reference) or its source   │
 *  │   slots, ≤ 2 chunks in flight each;      │  flight   │   compiled (by value)        │
 *  │   idle workers take over waiting ones;   │           │   claim a chunk, run its     │
 *  │   retire after maxTasksPerChild;         │           │   calls in order             │
 *  │   replace a worker that dies             │ ◀───────  │   report done / failed;      │
 *  │   │                                      │  done,    │   self.close(), Deno.exit(), │
 *  │   ▼                                      │  failed,  │   uncaught errors → crashed  │
 *  │ results in order / as they come          │  crashed, │   console.log … → console    │
 *  │ console lines printed here, in order     │  console  │   (before the task's answer) │
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
