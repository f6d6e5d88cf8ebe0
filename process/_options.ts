/**
 * Checking the options of `Process` and of its `join()`, eagerly, before any worker starts.
 * Each error names the option, the value and the fix.
 *
 * @module
 */

import { callerModule } from "../_internal/caller_module.ts";
import { describeFunction } from "../_internal/describe_function.ts";
import { encodeContext } from "../_internal/encode_context.ts";
import type { ConsoleMode, EncodedContext, FunctionDescriptor } from "../_internal/protocol.ts";
import { checkCloneable, checkConsoleMode, resolveImports } from "../_internal/task_inputs.ts";
import { assertNumber, describeValue } from "../_internal/checks.ts";
import { checkOptionKeys } from "../_internal/option_keys.ts";
import { WAIT_KEYS } from "../_internal/futex.ts";

const optionNames = ["target", "args", "name", "daemon", "imports", "context", "console"];

/** A process's options, checked and ready to send. */
export interface CheckedOptions {
  /** `null`: no target (a subclass's `run()`, or nothing to run). */
  target: FunctionDescriptor | null;
  targetFn: ((...args: never[]) => unknown) | null;
  args: unknown[];
  name: string | undefined;
  daemon: boolean;
  imports: string[];
  context: EncodedContext;
  console: ConsoleMode;
}

/** Checks the options of `new Process(options)`. */
export function checkProcessOptions(options: unknown): CheckedOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(
      `"options" must be an object with a "target", e.g. new Process({ target: f, args: ` +
        `["bob"] }), got ${options === null ? "null" : typeof options}`,
    );
  }
  checkOptionKeys(options, optionNames, "new Process()");
  const given = options as Record<string, unknown>;
  const target = given.target === undefined ? null : describeFunction(given.target, "target");
  const targetFn = target === null ? null : given.target as (...args: never[]) => unknown;
  const args = given.args ?? [];
  if (!Array.isArray(args)) {
    throw new TypeError(
      `"args" must be an array of the target's arguments, got ${typeof args}: pass e.g. ` +
        `{ args: ["bob"] } to call target("bob")`,
    );
  }
  const { name } = given;
  if (name !== undefined && (typeof name !== "string" || name === "")) {
    throw new TypeError(`"name" must be a non-empty string, e.g. { name: "Test" }`);
  }
  const daemon = checkDaemon(given.daemon ?? false);
  const imports = resolveImports(given.imports, callerModule());
  const context = encodeContext(given.context as Record<string, unknown> | undefined, []);
  checkCloneable(context.values, "context");
  const console = checkConsoleMode(given.console);
  return { target, targetFn, args, name, daemon, imports, context, console };
}

/** Checks a value for `daemon`. */
export function checkDaemon(value: unknown): boolean {
  if (typeof value !== "boolean") {
    throw new TypeError(`"daemon" must be true or false, got ${typeof value}`);
  }
  return value;
}

/**
 * Checks the options of `join()`; returns the timeout in milliseconds. A negative timeout counts
 * as `0` (only look), as CPython's `join(-1)`.
 */
export function checkJoin(options: unknown): number {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`join: "options" must be an object such as { timeout: 1000 }`);
  }
  checkOptionKeys(options, WAIT_KEYS, "Process.join()");
  const { timeout = Infinity, signal } = options as { timeout?: unknown; signal?: unknown };
  const expected = "a number of milliseconds (Infinity: as long as it takes)";
  assertNumber(timeout, `join: "timeout"`, expected);
  if (Number.isNaN(timeout)) {
    throw new RangeError(`join: "timeout" must be ${expected}, got ${describeValue(timeout)}`);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`join: "signal" must be an AbortSignal`);
  }
  return Math.max(timeout, 0);
}
