/**
 * The copies of a pipe's ends, as Python's file descriptors: in each channel's header, for
 * each end, a table of `[owner ident, count]` slots, one per thread (process) owning copies.
 * An end closes for all when no copy of it is left whose owner still runs. A `Process` given
 * an end gets a copy of its own ({@linkcode copyingFor}), so closing the parent's copy after
 * `start()` leaves the child's open.
 *
 * @module
 */

import { COPIES, COPY_SLOTS, lockHeader, unlockHeader } from "./channel_header.ts";
import { hasEnded } from "./identity.ts";

/**
 * Adds a copy of one end (`side`: `WRITERS` or `READERS`) owned by the thread `ident` to the
 * table in the header `cells`.
 *
 * @throws {RangeError} Copies are owned by {@linkcode COPY_SLOTS} threads already.
 */
export function addCopy(cells: Int32Array, side: number, ident: number): void {
  const table = COPIES + side * 2 * COPY_SLOTS;
  lockHeader(cells);
  try {
    let free = -1;
    for (let slot = table; slot < table + 2 * COPY_SLOTS; slot += 2) {
      if (cells[slot] === ident) {
        cells[slot + 1]!++;
        return;
      }
      if (free < 0 && (cells[slot + 1] === 0 || hasEnded(cells[slot]!))) free = slot;
    }
    if (free < 0) {
      throw new RangeError(
        `Cannot give one more process a copy of this pipe end: ${COPY_SLOTS} processes hold ` +
          `copies of it already. Close it in the processes that no longer use it`,
      );
    }
    cells[free] = ident;
    cells[free + 1] = 1;
  } finally {
    unlockHeader(cells);
  }
}

/** Drops a copy of one end owned by `ident` (nothing if it has none left). */
export function dropCopy(cells: Int32Array, side: number, ident: number): void {
  const table = COPIES + side * 2 * COPY_SLOTS;
  lockHeader(cells);
  try {
    for (let slot = table; slot < table + 2 * COPY_SLOTS; slot += 2) {
      if (cells[slot] === ident && cells[slot + 1]! > 0) {
        cells[slot + 1]!--;
        break;
      }
    }
  } finally {
    unlockHeader(cells);
  }
}

/** Whether a copy of one end is left whose owner still runs. */
export function hasLiveCopy(cells: Int32Array, side: number): boolean {
  const table = COPIES + side * 2 * COPY_SLOTS;
  for (let slot = table; slot < table + 2 * COPY_SLOTS; slot += 2) {
    if (Atomics.load(cells, slot + 1) > 0 && !hasEnded(Atomics.load(cells, slot))) return true;
  }
  return false;
}

/** What holds a copy made for a process: the channel's own methods (see `channel.ts`). */
export interface CopyHolder {
  dropCopy(side: number, ident: number): void;
  recheckCopies(side: number): void;
}

/** A copy of a pipe end made for a process (see {@linkcode copyingFor}). */
export interface Copy {
  channel: CopyHolder;
  side: number;
}

/** The process whose copies the handles being encoded in this thread are (see below). */
let copying: { ident: number; made: Copy[] } | undefined;

/**
 * Runs `encode` (the encoding of a process's arguments) so that every pipe end in them becomes
 * a copy owned by the process `ident`, as Python's child process gets its own copies of the
 * file descriptors it is given: closing the parent's copy leaves the child's open. Returns the
 * copies made, which the parent rechecks when the process ends (its copies then count no more).
 */
export function copyingFor<T>(ident: number, encode: () => T): { value: T; copies: Copy[] } {
  const outer = copying;
  const made: Copy[] = [];
  copying = { ident, made };
  try {
    return { value: encode(), copies: made };
  } catch (error) {
    for (const { channel, side } of made) channel.dropCopy(side, ident);
    throw error;
  } finally {
    copying = outer;
  }
}

/** The process the pipe ends being encoded become copies of, if any (see `copyingFor`). */
export function copyTarget(): { ident: number; made: Copy[] } | undefined {
  return copying;
}
