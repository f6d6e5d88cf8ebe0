/**
 * The header of a channel's buffer (see `channel.ts`): its cells, the flags and marks a put or
 * a take reports, and the mutex that guards the ring.
 *
 * ```
 *  header (Int32 cells)                         data: a ring of records [u32 length][bytes]
 * ┌──────────┬──────┬──────┬───────┬─────┬────┐ ┌──────────────────────────────────────────┐
 * │ mutex(6) │ HEAD │ USED │ COUNT │ CAP │ …  │ │ ··· HEAD ▶ rec rec rec ▶ tail ······      │
 * └──────────┴──────┴──────┴───────┴─────┴────┘ └──────────────────────────────────────────┘
 * ```
 *
 * @module
 */

import { runSync } from "./futex.ts";
import { locking, unlock } from "./mutex.ts";
import { selfIdent } from "./identity.ts";

// Cells, in 64-byte cache lines: waiters spin reading `PUTS` or `TAKES`, so those sit on lines
// of their own, away from the mutex and the ring's bookkeeping that the other side writes.
export const HEAD = 16;
export const USED = 17;
export const COUNT = 18;
export const CAPACITY = 19;
/** Puts not yet marked done (`JoinableQueue`); joiners sleep on it. */
export const UNFINISHED = 20;
/** The closed ends: {@linkcode WRITER_CLOSED}, {@linkcode READER_CLOSED}. */
export const CLOSED = 21;
export const MAXSIZE = 22;
/** Bumped by every put (and by closing): what consumers sleep on. */
export const PUTS = 32;
/** Consumers asleep, so producers skip `Atomics.notify` when there are none. */
export const GET_WAITERS = 33;
/** Bumped by every take (and by closing): what producers of a bounded channel sleep on. */
export const TAKES = 48;
export const PUT_WAITERS = 49;
/**
 * The copies of a pipe's ends, as Python's file descriptors: for each end, a table of
 * `[owner ident, count]` slots, one per thread (process) owning copies. An end closes for all
 * when no copy of it is left whose owner still runs.
 */
export const COPIES = 64;
export const COPY_SLOTS = 64;
export const CELLS = COPIES + 2 * 2 * COPY_SLOTS;
export const DATA = CELLS * 4;
/** No one may put any more: consumers get the end of the stream once the ring is empty. */
export const WRITER_CLOSED = 1;
/** No one will take any more: a put fails. */
export const READER_CLOSED = 2;
/**
 * The queue was shut down (Python 3.13's `Queue.shutdown()`): puts fail, takes fail once the
 * ring is empty.
 */
export const SHUT_DOWN = 4;

export const INITIAL = 1 << 16;
/** The end whose copies write into a channel, for {@linkcode Channel.addCopy}. */
export const WRITERS = 0;
/** The end whose copies read from a channel. */
export const READERS = 1;

/** The largest ring: positions are kept in `Int32` cells. */
export const MAX_CAPACITY = 2 ** 31 - 64;

/** What a take found when the writers are gone and the ring is empty. */
export const END: unique symbol = Symbol("end of stream");
/** What a take found when the ring is empty (or a wait for a message timed out). */
export const EMPTY: unique symbol = Symbol("empty");
/** What a take found when the readers' end was closed (a pipe end closed while it waited). */
export const SHUT: unique symbol = Symbol("reader closed");
/** What a put found, or a take of an empty ring, once the channel was shut down. */
export const SHUTDOWN: unique symbol = Symbol("shut down");

/** What a put may find instead of room: nobody takes, or the channel was shut down. */
export type Refused = typeof READER_CLOSED | typeof SHUTDOWN;

/**
 * Takes the mutex of the channel whose header is `cells` (its first cells, the `Lock` of
 * `sync/`). It is held only while bytes are copied (never while waiting), so this wait is short
 * even on the main program's thread.
 */
export function lockHeader(cells: Int32Array): void {
  const me = selfIdent;
  if (Atomics.compareExchange(cells, 0, 0, me) !== 0) {
    runSync(cells, 0, locking(cells, me, Infinity));
  }
}

/** Releases the mutex taken by {@linkcode lockHeader}. */
export function unlockHeader(cells: Int32Array): void {
  const me = selfIdent;
  if (Atomics.compareExchange(cells, 0, me, 0) !== me) unlock(cells);
}
