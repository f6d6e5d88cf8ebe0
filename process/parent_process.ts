/**
 * {@linkcode parentProcess}: Python's `multiprocessing.parent_process()`.
 *
 * @module
 */

import { currentIdentity, hasEnded } from "../_internal/identity.ts";

/** What {@linkcode parentProcess} tells about the process that started the calling code's. */
export interface ParentProcess {
  /** Its name: `MainProcess`, or the name of the worker that started this one. */
  readonly name: string;
  /**
   * Its `ident`, what `currentProcess().ident` answers there (Python's `pid` of the parent):
   * the process id for the main program.
   */
  readonly ident: number;
  /** The operating system's process id, shared by the main program and all its workers. */
  readonly pid: number;
  /**
   * Whether the parent is still running, as Python's `parent_process().is_alive()`: the main
   * program is, as long as its workers run; a worker parent is not once it ended (it was
   * terminated, crashed, or its pool was closed).
   *
   * @returns `true` while the parent runs.
   */
  isAlive(): boolean;
}

/**
 * The process that started the calling code's process, as Python's `parent_process()`: in a
 * `Process` or pool worker, a handle on the main program (or on the worker that started it);
 * `null` in the main program.
 *
 * @returns The parent's name, ident, the process id and `isAlive()`; `null` in the main program.
 *
 * @example
 * ```ts
 * import { parentProcess, Pool } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parentProcess(), null); // the main program has none
 * await using pool = new Pool(1);
 * const parent = await pool.apply(() => {
 *   const parent = parentProcess()!;
 *   return [parent.name, parent.ident, parent.isAlive()];
 * }, []);
 * assert.deepEqual(parent, ["MainProcess", Deno.pid, true]);
 * ```
 */
export function parentProcess(): ParentProcess | null {
  const parent = currentIdentity().parent;
  if (parent === undefined) return null;
  const { name, ident } = parent;
  return { name, ident, pid: Deno.pid, isAlive: () => !hasEnded(ident) };
}
