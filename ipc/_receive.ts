/**
 * What a `Connection`'s receive gets from its channel: the message, or the error that says why
 * there is none, and the timeout of `poll`.
 *
 * @module
 */

import { ClosedError, EOFError } from "../errors.ts";
import type { WaitOptions } from "../_internal/wait_options.ts";
import { checkWait, WAIT_KEYS } from "../_internal/futex.ts";
import { EMPTY, END, SHUT } from "../_internal/channel_header.ts";

/** The error of a receive whose timeout passed. */
function timedOut(timeout: number): DOMException {
  return new DOMException(`Timed out after ${timeout} ms waiting for a message`, "TimeoutError");
}

/**
 * What a take found, for a receive: the message, or the error for a timeout
 * (`TimeoutError`), this handle closed while it waited (`ClosedError`), or the end of the
 * stream (`EOFError`).
 */
export function received(got: unknown, timeout: number): unknown {
  if (got === EMPTY) throw timedOut(timeout);
  if (got === SHUT) throw new ClosedError("Cannot receive: this end of the pipe was closed");
  if (got === END) {
    throw new EOFError("The other end of the pipe is closed and everything it sent was received");
  }
  return got;
}

/** The timeout of `poll`: `0` by default, and for a negative one, as CPython's `poll(-1)`. */
export function pollTimeout(
  options: WaitOptions | undefined,
  method: string,
  keys: readonly string[] = WAIT_KEYS,
): number {
  if (options === undefined) return 0;
  const timeout = options?.timeout;
  return checkWait(
    typeof timeout === "number" && timeout < 0
      ? { ...options, timeout: 0 }
      : timeout === undefined && typeof options === "object" && options !== null
      ? { ...options, timeout: 0 }
      : options,
    method,
    keys,
  );
}
