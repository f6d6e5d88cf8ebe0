/**
 * The checks of the options objects `Comm`'s calls take: an object whose every key the call
 * reads (mpi4py's names: `dest`, `source`, `tag`, `status`, `root`, `op`, plus `signal`).
 *
 * @module
 */

import { describeValue } from "../_internal/checks.ts";
import { checkOptionKeys } from "../_internal/option_keys.ts";

/** The keys of each options type (see `options.ts`); mpi4py's names are the same. */
export const SEND = ["dest", "tag"];
export const RECV = ["source", "tag", "status", "signal"];
export const IPROBE = ["source", "tag", "status"];
export const PROBE = ["source", "tag", "signal"];
export const ROOT = ["root"];
export const REDUCE = ["root", "op"];
export const OP = ["op"];

/** Throws a `TypeError` for options that are not an object, or have a key `keys` lacks. */
export function checkOptions(options: unknown, keys: readonly string[], method: string): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Comm.${method}: "options" must be an object such as { ${keys[0]}: 0 }, got ${
        describeValue(options)
      }`,
    );
  }
  checkOptionKeys(options, keys, `Comm.${method}()`);
}

/** {@linkcode checkOptions} for a promise method: the refusal as a rejected promise. */
export function refused(
  options: unknown,
  keys: readonly string[],
  method: string,
): Promise<never> | null {
  try {
    checkOptions(options, keys, method);
    return null;
  } catch (error) {
    return Promise.reject(error);
  }
}
