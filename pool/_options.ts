/**
 * Checking the options of `new Pool(processes, options)`, eagerly, before any worker starts,
 * and filling in the defaults, in this one place. Each error names the option, the value and
 * the fix.
 *
 * @module
 */

import { findBackend } from "../_internal/backends.ts";
import { callerModule } from "../_internal/caller_module.ts";
import { assertNumber, describeNonNumber, describeValue } from "../_internal/checks.ts";
import { describeFunction } from "../_internal/describe_function.ts";
import { encodeContext } from "../_internal/encode_context.ts";
import { processorCount } from "../_internal/identity.ts";
import { encodeValue } from "../_internal/shareable.ts";
import { checkOptionKeys } from "../_internal/option_keys.ts";
import { checkConsoleMode } from "../_internal/task_inputs.ts";
import { checkCloneable, checkCount, resolveImports } from "./_inputs.ts";
import type { SchedulerOptions } from "./_scheduler.ts";

/** The option values `PoolOptions` documents, applied when an option is left out. */
const defaults = {
  /** One worker per CPU. */
  processes: processorCount,
  maxTasksPerChild: Infinity,
  maxMemoryPerChild: Infinity,
  backend: "worker",
  name: "PoolWorker",
} as const;

/** The keys of `PoolOptions`. */
export const POOL_KEYS: readonly string[] = [
  "initializer",
  "initargs",
  "maxTasksPerChild",
  "maxMemoryPerChild",
  "imports",
  "context",
  "name",
  "backend",
  "console",
];

/** Words for keys meant elsewhere (Python's first argument, given as an option). */
const POOL_HINTS: Readonly<Record<string, string>> = {
  processes: "the number of workers is the first argument: new Pool(4, { … })",
};

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
  checkOptionKeys(options, POOL_KEYS, "new Pool()", POOL_HINTS);
  const given = options as Record<string, unknown>;
  const maxTasksPerChild = given.maxTasksPerChild === undefined
    ? defaults.maxTasksPerChild
    : checkCount(given.maxTasksPerChild, "maxTasksPerChild", "e.g. { maxTasksPerChild: 100 }");
  const maxMemoryPerChild = given.maxMemoryPerChild === undefined
    ? defaults.maxMemoryPerChild
    : checkMemorySize(given.maxMemoryPerChild, "maxMemoryPerChild");
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
    maxMemoryPerChild,
    init: {
      imports,
      context,
      initializer,
      initargs: encodedArgs.value,
      initargsShared: encodedArgs.shared,
      console: consoleMode,
      role: "pool",
      // The inline backend's tasks share this thread's heap: retiring its worker frees nothing.
      reportMemory: maxMemoryPerChild !== Infinity && backend.name !== "inline",
    },
  };
}

/** Bytes per unit of a size such as `"512MB"`: SI units are powers of 1000, IEC ones of 1024. */
const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

const SIZE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)\s*$/i;

/**
 * Checks a memory size: a whole number of bytes, at least 1 (or `Infinity`), or a string of a
 * number and a unit (`"512MB"`, `"1.5 GiB"`; see {@linkcode UNITS}), rounded to whole bytes.
 * A number in quotes without a unit is a `TypeError`, as for counts.
 */
export function checkMemorySize(value: unknown, argument: string): number {
  const forms = `a number of bytes, or a size such as "512MB" or "2GiB"`;
  const fix = `e.g. { ${argument}: 512 * 2 ** 20 } or { ${argument}: "512MiB" }`;
  if (typeof value === "string") {
    const match = SIZE.exec(value);
    if (match === null) {
      const got = describeValue(value);
      if (value.trim() !== "" && !Number.isNaN(Number(value))) {
        // A number in quotes: the wrong type, as for counts (give it a unit, or drop them).
        throw new TypeError(
          `"${argument}" must be ${forms}, got ${got} (write ${Number(value)} without quotes, ` +
            `or give a unit: "${value.trim()}B"): ${fix}`,
        );
      }
      throw new RangeError(`"${argument}" must be ${forms}, got ${got}: ${fix}`);
    }
    const unit = UNITS[match[2]!.toLowerCase()];
    if (unit === undefined) {
      throw new RangeError(
        `"${argument}" has the unknown unit ${JSON.stringify(match[2])}: use B, kB, MB, GB, TB ` +
          `(powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), ${fix}`,
      );
    }
    const bytes = Math.round(Number(match[1]) * unit);
    if (bytes < 1) {
      throw new RangeError(`"${argument}" must be at least 1 byte, got "${value}": ${fix}`);
    }
    return bytes;
  }
  assertNumber(value, `"${argument}"`, forms, fix);
  if (!(Number.isInteger(value) || value === Infinity) || value < 1) {
    throw new RangeError(
      `"${argument}" must be a whole number of bytes, at least 1, got ${
        describeNonNumber(value)
      }: ${fix}`,
    );
  }
  return value;
}
