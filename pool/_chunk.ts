/**
 * What the scheduler runs: chunks (a run of calls of one function, sent to one worker as one
 * message) and how each ends.
 *
 * @module
 */

import { FunctionTransportError, RemoteError } from "../errors.ts";
import type { CallMode, FunctionDescriptor, SerializedError } from "../_internal/protocol.ts";

/** How a chunk ended: its values, or an error and the values computed before it. */
export type Outcome =
  | { ok: true; values: ArrayLike<unknown> & Iterable<unknown> }
  | { ok: false; error: Error; values: unknown[] };

/** A run of calls of one function, sent to one worker as one message. */
export interface Chunk {
  fn: FunctionDescriptor;
  mode: CallMode;
  /** Encoded calls (shared objects replaced by handles). */
  calls: unknown[];
  /** Whether plain numbers travel packed (see `number_pack.ts`), packed anew at each send. */
  pack: boolean;
  shared: boolean;
  /**
   * Buffers the caller marked with `transfer()`, moved with the first send: a chunk with any
   * cannot be sent again (to another worker).
   */
  transfer: Transferable[];
  /** The job it belongs to, so a failed or abandoned job can withdraw its queued chunks. */
  owner: object;
  /**
   * Whether it may travel in one message with the queued chunks behind it of the same
   * function (see `_coalesce.ts`): a single call that cannot be aborted and moves no buffers
   * (`apply` without a signal or a timeout).
   */
  coalesce?: boolean;
  settle(outcome: Outcome): void;
}

/** Turns a worker's serialized error into the error the caller sees. */
export function remoteToError(error: SerializedError): Error {
  if (error.transport === true) return new FunctionTransportError(error.message);
  return new RemoteError(error);
}
