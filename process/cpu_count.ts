/**
 * {@linkcode cpuCount}: Python's `multiprocessing.cpu_count()`.
 *
 * @module
 */

import { processorCount } from "../_internal/identity.ts";

/**
 * The number of logical processors, the default size of a `Pool`.
 *
 * @returns At least 1.
 *
 * @example
 * ```ts
 * import { cpuCount } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * assert.ok(cpuCount() >= 1);
 * ```
 */
export function cpuCount(): number {
  return processorCount();
}
