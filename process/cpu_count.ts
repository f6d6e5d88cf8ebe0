/**
 * {@linkcode cpuCount}: Python's `multiprocessing.cpu_count()`.
 *
 * @module
 */

import { processorCount } from "../_internal/identity.ts";

/**
 * The number of logical processors this program may use: the default size of a `Pool`, and
 * what `nJobs: -1` counts. Like Python 3.13's `os.process_cpu_count()` (which 3.13's `Pool`
 * defaults to) and joblib's `cpu_count()`, it honours the process's CPU affinity (`taskset`,
 * an HPC scheduler's job slot) and a cgroup CPU quota (a container's `--cpus`), so that pools
 * do not oversubscribe a container or a job slot; Python's `multiprocessing.cpu_count()`
 * counts every processor of the machine instead. (It is Deno's `navigator.hardwareConcurrency`,
 * Rust's `available_parallelism()`.)
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
