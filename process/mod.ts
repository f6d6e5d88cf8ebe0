/**
 * Processes: who the calling code runs in, and how many processors there are. (`Process`
 * itself comes with the message-passing work.)
 *
 * @example
 * ```ts
 * import { cpuCount, currentProcess } from "@workers/multiprocessing/process";
 * import assert from "node:assert/strict";
 *
 * assert.equal(currentProcess().name, "MainProcess");
 * assert.ok(cpuCount() >= 1);
 * ```
 *
 * @module
 */

export * from "./current_process.ts";
export * from "./cpu_count.ts";
