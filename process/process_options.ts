/**
 * {@linkcode ProcessOptions}: what `new Process(options)` takes.
 *
 * @module
 */

import type { ConsoleMode } from "../_internal/protocol.ts";

/** Options of {@linkcode Process}. */
export interface ProcessOptions {
  /**
   * The function the process runs, once, with {@linkcode ProcessOptions.args}; what it returns
   * (awaited, if it is async) is ignored, as in Python. It reaches the worker as a pool's task
   * does: by reference when a module the worker imports exports it (by default the module that
   * creates the process, so guard that module's main code with `if (import.meta.main)`), by
   * value otherwise (self-contained, free variables in {@linkcode ProcessOptions.context}).
   * Leave it out in a subclass that overrides {@linkcode Process.run}; a plain `Process`
   * without a target runs nothing, as Python's.
   */
  target?: (...args: never[]) => unknown;
  /**
   * The target's arguments, structured-cloned; the library's shared objects (`Lock`, `Value`,
   * `SharedArray`, `Event`…) arrive as themselves, and `transfer()` moves buffers.
   * @default {[]}
   */
  args?: unknown[];
  /**
   * The process's name, what `currentProcess().name` answers inside it. By default `Process-N`,
   * with N from the program-wide sequence that numbers pool workers too (as Python numbers
   * every process it makes, started or not).
   * @default {"Process-N"}
   */
  name?: string;
  /**
   * Whether the process is daemonic, as Python's `daemon` flag: a daemonic process does not
   * keep the program running (when nothing else does, the program ends and the process is
   * terminated), is terminated when the process that started it ends, and may not start
   * processes of its own. It can also be set with {@linkcode Process.daemon} before `start()`.
   * @default {false}
   */
  daemon?: boolean;
  /**
   * Modules the worker imports to find the target by reference: URLs, absolute paths, or paths
   * relative to the module that creates the process (in a notebook, to the working directory).
   * Replaces the default.
   * @default {[the module that creates the process]}
   */
  imports?: (string | URL)[];
  /**
   * Free variables of a target sent by value: structured-cloneable values, shared objects, and
   * self-contained functions.
   * @default {{}}
   */
  context?: Record<string, unknown>;
  /**
   * What becomes of the process's `console` output: printed by this thread (`"forward"`), so
   * that it reaches a notebook cell; the same with each line prefixed by the process's name
   * (`"tagged"`: `[Process-1] hello bob`); or written to stdout by the worker itself
   * (`"inherit"`). See {@linkcode ConsoleMode}.
   * @default {"forward"}
   */
  console?: ConsoleMode;
}
