/**
 * Processes, as Python's `multiprocessing`: {@linkcode Process} runs a function in a worker of
 * its own; {@linkcode currentProcess} tells the calling code which process it runs in,
 * {@linkcode activeChildren} lists the processes it started, {@linkcode cpuCount} how many
 * processors there are. A process's `console` output is printed by the program that started
 * it (see {@linkcode ConsoleMode}).
 *
 * @example Python's tutorial: `Process(target=f, args=('bob',))`
 * ```ts
 * import { cpuCount, currentProcess, Process } from "@workers/multiprocessing/process";
 * import assert from "node:assert/strict";
 *
 * assert.equal(currentProcess().name, "MainProcess");
 * assert.ok(cpuCount() >= 1);
 * const p = new Process({ target: (name: string) => console.log("hello", name), args: ["bob"] });
 * p.start();
 * await p.join();
 * assert.equal(p.exitCode, 0);
 * ```
 *
 * @module
 */

export * from "./process.ts";
export * from "./process_options.ts";
export * from "./active_children.ts";
export * from "./current_process.ts";
export * from "./parent_process.ts";
export * from "./cpu_count.ts";
export type { ConsoleMode } from "../_internal/protocol.ts";
export type { WaitOptions } from "../_internal/wait_options.ts";
