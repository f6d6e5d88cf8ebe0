/**
 * Checking the options of `new Pool(processes, options)`, eagerly, before any worker starts,
 * and filling in the defaults, in this one place. Each error names the option, the value and
 * the fix.
 *
 * @module
 */

import { callerModule } from "../_internal/caller_module.ts";
import { describeFunction, encodeContext } from "../_internal/function_transport.ts";
import { processorCount } from "../_internal/identity.ts";
import { inlineBackend } from "../_internal/inline_session.ts";
import { encodeValue } from "../_internal/shareable.ts";
import { workerBackend } from "../_internal/start_worker.ts";
import { checkConsoleMode } from "../_internal/task_inputs.ts";
import type { Backend } from "../_internal/worker_session.ts";
import { checkCloneable, checkCount, resolveImports } from "./_inputs.ts";
import type { SchedulerOptions } from "./_scheduler.ts";

const backends: Record<string, Backend> = { worker: workerBackend, inline: inlineBackend };

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
  const count = processes === undefined ? defaults.processes() : checkCount(
    processes,
    "processes",
    "pass how many workers to start, e.g. new Pool(4), or nothing for one per CPU",
  );
  if (count === Infinity) {
    throw new RangeError(`"processes" must be finite: pass e.g. new Pool(4)`);
  }
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`"options" must be an object, e.g. { maxTasksPerChild: 100 }`);
  }
  const given = options as Record<string, unknown>;
  const maxTasksPerChild = given.maxTasksPerChild === undefined
    ? defaults.maxTasksPerChild
    : checkCount(given.maxTasksPerChild, "maxTasksPerChild", "e.g. { maxTasksPerChild: 100 }");
  const backendName = given.backend ?? defaults.backend;
  const backend = typeof backendName === "string" && Object.hasOwn(backends, backendName)
    ? backends[backendName]!
    : undefined;
  if (backend === undefined) {
    throw new RangeError(
      `"backend" must be "worker" or "inline", got ${JSON.stringify(backendName)}`,
    );
  }
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
