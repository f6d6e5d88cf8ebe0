/**
 * The options of `Comm`'s calls: where a message goes (`dest`, `tag`), which message
 * a receive takes (`source`, `tag`, `status`, `signal`), the `root` of a rooted collective,
 * and the `op` of a reduction.
 *
 * @module
 */

import type { OpName, ReduceOp } from "./ops.ts";
import type { Status } from "./status.ts";

/** Where a message goes: `send`, `isend`, `Send`, `Isend`. */
export interface SendOptions {
  /** The rank to send to (`PROC_NULL` sends nothing). */
  dest: number;
  /**
   * A tag the receiver can select on (0 up to at least 32767).
   *
   * @default {0}
   */
  tag?: number;
}

/** Which message a receive (or a probe) takes, and where to report what it took. */
export interface RecvOptions {
  /**
   * The rank to receive from.
   *
   * @default {ANY_SOURCE}
   */
  source?: number;
  /**
   * The tag to receive.
   *
   * @default {ANY_TAG}
   */
  tag?: number;
  /** Filled with the message's source, tag and count when the receive completes. */
  status?: Status;
  /** Cancels the receive (it rejects with the signal's reason) if no message matched yet. */
  signal?: AbortSignal;
}

/** The root of a rooted collective: `bcast`, `scatter`, `gather`, `Bcast`. */
export interface RootOptions {
  /**
   * The rank that sends (`bcast`, `scatter`) or receives (`gather`).
   *
   * @default {0}
   */
  root?: number;
}

/** How `reduce` and `Reduce` combine, and where the result goes. */
export interface ReduceOptions<T> extends RootOptions {
  /**
   * The reduction: `"sum"`, `"min"`, `"max"`, `"prod"` or (values only) a function.
   *
   * @default {"sum"}
   */
  op?: ReduceOp<T>;
}

/** How `allreduce` and `Allreduce` combine. */
export interface AllreduceOptions<T> {
  /**
   * The reduction: `"sum"`, `"min"`, `"max"`, `"prod"` or (values only) a function.
   *
   * @default {"sum"}
   */
  op?: ReduceOp<T>;
}

/** The ops the buffer reductions take: the predefined ones. */
export interface BufferReduceOptions extends RootOptions {
  /**
   * The reduction, element by element.
   *
   * @default {"sum"}
   */
  op?: OpName;
}
