/**
 * Checking the options of `new Pool(processes, options)`, eagerly, before any worker starts,
 * and filling in the defaults, in this one place. Each error names the option, the value and
 * the fix.
 *
 * @module
 */

import { findBackend } from "../_internal/backends.ts";
import { callerModule } from "../_internal/caller_module.ts";
import { describeFunction, encodeContext } from "../_internal/function_transport.ts";
import { processorCount } from "../_internal/identity.ts";
import { encodeValue } from "../_internal/shareable.ts";
import { checkConsoleMode } from "../_internal/task_inputs.ts";
import { checkCloneable, checkCount, resolveImports } from "./_inputs.ts";
import type { SchedulerOptions } from "./_scheduler.ts";

/** The option values `PoolOptions` documents, applied when an option is left out. */
const defaults = {
  /** One worker per CPU. */
  processes: processorCount,
  maxTasksPerChild: Infinity,
  backend: "worker",
  name: "PoolWorker",
} as const;

/**
 * Checks a pool's arguments and makes what its scheduler starts with.
 *
 * @param processes `new Pool`'s first argument.
 * @param options Its `PoolOptions` (unchecked).
 * @returns The scheduler's options: every default applied, the functions described and the
 *   initializer's arguments and context encoded.
 */
export function checkPoolOptions(processes: unknown, options: unknown): SchedulerOptions {
  const givenCount = processes === undefined ? undefined : checkCount(
    processes,
    "processes",
    "pass how many workers to start, e.g. new Pool(4), or nothing for one per CPU",
  );
  if (givenCount === Infinity) {
    throw new RangeError(`"processes" must be finite: pass e.g. new Pool(4)`);
  }
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`"options" must be an object, e.g. { maxTasksPerChild: 100 }`);
  }
  const given = options as Record<string, unknown>;
  const maxTasksPerChild = given.maxTasksPerChild === undefined
    ? defaults.maxTasksPerChild
    : checkCount(given.maxTasksPerChild, "maxTasksPerChild", "e.g. { maxTasksPerChild: 100 }");
  const backend = findBackend(given.backend ?? defaults.backend);
  const count = givenCount ?? backend.places?.() ?? defaults.processes();
  const name = given.name ?? defaults.name;
  if (typeof name !== "string" || name === "") {
    throw new TypeError(`"name" must be a non-empty string, e.g. { name: "Scatter" }`);
  }
  const consoleMode = checkConsoleMode(given.console);
  const initargs = given.initargs ?? [];
  if (!Array.isArray(initargs)) {
    throw new TypeError(`"initargs" must be an array of the initializer's arguments`);
  }
  const initializer = given.initializer === undefined
    ? null
    : describeFunction(given.initializer, "initializer");
  const imports = resolveImports(given.imports, callerModule());
  const context = encodeContext(given.context as Record<string, unknown> | undefined, []);
  checkCloneable(context.values, "context");
  const encodedArgs = encodeValue(initargs, []);
  checkCloneable(encodedArgs.value, "initargs");
  return {
    processes: count,
    backend,
    prefix: name,
    maxTasksPerChild,
    init: {
      imports,
      context,
      initializer,
      initargs: encodedArgs.value,
      initargsShared: encodedArgs.shared,
      console: consoleMode,
      role: "pool",
    },
  };
}
