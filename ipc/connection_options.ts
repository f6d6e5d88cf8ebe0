/**
 * The options of {@linkcode Connection}'s byte messages: which part of a buffer `sendBytes`
 * sends, the longest message `recvBytes` takes, where `recvBytesInto` writes.
 *
 * @module
 */

import type { WaitOptions } from "../_internal/wait_options.ts";

/** Options of {@linkcode Connection.recvBytes}. */
export interface RecvBytesOptions extends WaitOptions {
  /**
   * The longest message accepted, in bytes (a whole number ≥ 0); a longer one is a
   * `RangeError`.
   * @default {Infinity}
   */
  maxlength?: number;
}

/** Options of {@linkcode Connection.sendBytes}: which part of the buffer to send. */
export interface SendBytesOptions {
  /**
   * The first byte to send.
   * @default {0}
   */
  offset?: number;
  /**
   * How many bytes to send.
   * @default {the rest of the buffer}
   */
  size?: number;
}

/** Options of {@linkcode Connection.recvBytesInto}. */
export interface RecvBytesIntoOptions extends WaitOptions {
  /**
   * Where in the buffer the message is written, in bytes from its start (a whole number from
   * `0` to the buffer's length).
   * @default {0}
   */
  offset?: number;
}
