/**
 * {@linkcode activeChildren}: Python's `multiprocessing.active_children()`.
 *
 * @module
 */

import { liveChildren } from "../_internal/children.ts";
import type { Process } from "./process.ts";

/**
 * The processes the calling code's thread started that have not ended yet, as Python's
 * `active_children()`. A process leaves the list as soon as its end is known, so ended
 * processes are reaped as Python's call reaps them. Only `Process` objects are listed: pool
 * workers are not (in Python they are processes too).
 *
 * @returns The live children, in the order they were started.
 *
 * @example
 * ```ts
 * import { activeChildren, Process } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const p = new Process({ target: () => new Promise((r) => setTimeout(r, 10_000)) });
 * p.start();
 * assert.deepEqual(activeChildren(), [p]);
 * p.terminate();
 * assert.deepEqual(activeChildren(), []);
 * ```
 */
export function activeChildren(): Process[] {
  // Only Process objects register as children.
  return liveChildren() as unknown[] as Process[];
}
