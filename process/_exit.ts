/**
 * How a process ended, told as Python tells it: the negative signal numbers of `terminate()`
 * and `kill()`, and the traceback of a failed process printed under its name.
 *
 * @module
 */

import type { SerializedError } from "../_internal/protocol.ts";

/** Python's negative exit codes for a process ended by a signal. */
export const SIGTERM = 15;
export const SIGKILL = 9;

/** Prints why the process failed, as Python prints the traceback of a failed process. */
export function reportFailure(name: string, error: SerializedError): void {
  const trace = error.stack === undefined || error.stack === ""
    ? `${error.name}: ${error.message}`
    : error.stack;
  console.error(`Process ${name}:\n${trace}`);
}

/** An exit code as `repr` shows it: `-SIGTERM`, `-SIGKILL`, or the number. */
export function exitCodeName(code: number): string {
  if (code === -SIGTERM) return "-SIGTERM";
  if (code === -SIGKILL) return "-SIGKILL";
  return String(code);
}
