/**
 * How `wait()` reaches the channel a connection or queue receives from: each class implements
 * the method keyed by {@linkcode readerChannel}, which also checks that the handle may receive
 * (throwing as its `recv`/`get` would).
 *
 * @module
 */

import type { Channel } from "../_internal/channel.ts";

/** The key of the method giving the channel a handle receives from. */
export const readerChannel: unique symbol = Symbol("reader channel");

/** A handle `wait()` can wait on. */
export interface Readable {
  [readerChannel](): Channel;
}

/** Whether `value` is a handle `wait()` can wait on. */
export function isReadable(value: unknown): value is Readable {
  return typeof value === "object" && value !== null && readerChannel in value;
}
