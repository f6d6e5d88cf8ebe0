/**
 * {@linkcode currentProcess}: Python's `multiprocessing.current_process()`.
 *
 * @module
 */

import { currentIdentity } from "../_internal/identity.ts";

/** What {@linkcode currentProcess} tells about the code's own process. */
export interface CurrentProcess {
  /** `MainProcess` in the main program, `PoolWorker-N` in a pool worker, `Process-N`… */
  readonly name: string;
  /**
   * A positive integer, stable for the life of the worker and unique among the program's
   * workers (workers started by workers included); the process id in the main program.
   */
  readonly ident: number;
  /** The operating system's process id, shared by the main program and all its workers. */
  readonly pid: number;
  /** Whether this is a daemonic `Process` (which may not start processes of its own). */
  readonly daemon: boolean;
}

/**
 * Which process (worker) the calling code runs in, as Python's `current_process()`.
 *
 * @returns Its name, ident, the process id and whether it is daemonic.
 *
 * @example
 * ```ts
 * import { currentProcess, Pool } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * assert.equal(currentProcess().name, "MainProcess");
 * await using pool = new Pool(1);
 * const inWorker = await pool.apply(() => currentProcess().name, [], );
 * assert.match(inWorker, /^PoolWorker-\d+$/);
 * ```
 */
export function currentProcess(): CurrentProcess {
  const { name, ident, daemon = false } = currentIdentity();
  return { name, ident, pid: Deno.pid, daemon };
}
