/**
 * The mutex under `Lock` and `RLock`: one `Int32Array` cell holds the owner's ident (0 when
 * free) and a bit that tells sleepers wait, so an uncontended acquire and release are one
 * compare-and-swap each.
 *
 * Waiters spin, then sleep (see `futex.ts`). Releasing wakes one sleeper, and whoever comes
 * first takes the lock ("barging"): that keeps throughput high, but a thread that releases and
 * at once re-acquires could keep a sleeper out for ever, because a sleeper takes ~80 µs to wake.
 * So a waiter that has waited longer than {@linkcode STARVING_MS} takes a ticket and becomes the
 * heir (one at a time); the next release hands the lock to the heir directly (the cell holds
 * `HANDOFF` until the heir claims it, and nobody else can take it). An heir that gives up
 * (timeout, abort) withdraws its ticket; if the release was quicker, it claims the lock after
 * all, then keeps it (timeout) or releases it again (abort), so a hand-off is never lost.
 *
 * A lock held by a worker that ends stays held, as in Python: in Deno 2.9.6 `terminate()` does
 * not stop a worker busy in JavaScript, so "ended" cannot be known for sure, and taking the lock
 * over could let two threads in at once. Workers stopped while waiting unwind (see
 * `futex.ts`), releasing what `using` or `finally` holds; every wait takes a `timeout`.
 *
 * @module
 */

import { selfIdent } from "./identity.ts";
import type { Waiting } from "./futex.ts";

/** The cell's layout. */
const STATE = 0;
const HEIR = 1;
const GRANT = 2;
const TICKETS = 3;
/** The recursion depth of an `RLock`, written by its owner only. */
export const DEPTH = 4;
/** Cells a mutex takes. */
export const MUTEX_CELLS = 6;

const WAITERS = 0x4000_0000;
/** The owner bits of the state cell. */
export const OWNER = 0x3fff_ffff;
/** The owner value of a lock handed to an heir that has not claimed it yet. */
const HANDOFF = OWNER;
/** How long a waiter waits before it asks for the lock to be handed to it. */
export const STARVING_MS = 2;

/** How `Condition` reaches the mutex of its `Lock` or `RLock`. */
export const mutexOf: unique symbol = Symbol("mutex");

/** What a lock tells `Condition` and the shared values about itself. */
export interface MutexAccess {
  cell: Int32Array;
  recursive: boolean;
}

/** A new mutex's cell, free. */
export function newMutex(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(MUTEX_CELLS * 4));
}

/** The ident this thread writes as owner: the main program's pid or the worker's ident. */
export function self(): number {
  return selfIdent;
}

/** The owner's ident, `0` when free (an unclaimed hand-off counts as held). */
export function ownerOf(cell: Int32Array): number {
  return Atomics.load(cell, STATE) & OWNER;
}

/** One compare-and-swap: takes the lock if it is free. */
export function tryLock(cell: Int32Array, me: number): boolean {
  return Atomics.compareExchange(cell, STATE, 0, me) === 0;
}

/**
 * Takes the lock, waiting up to `timeout` ms; `true` when taken. Run it with `runSync` or
 * `runAsync` on index 0 of the cell.
 */
export function* locking(cell: Int32Array, me: number, timeout: number): Waiting<boolean> {
  if (tryLock(cell, me)) return true;
  if (timeout === 0) return false;
  const heir = { ticket: 0 };
  let taken: boolean;
  try {
    taken = yield* contend(cell, me, timeout, heir);
  } catch (abort) {
    // Aborted: withdraw; a lock handed over meanwhile goes on to the next waiter.
    if (leaveHeir(cell, heir.ticket, me)) unlock(cell);
    throw abort;
  }
  // A hand-off that raced the timeout still counts: the lock is ours.
  return leaveHeir(cell, heir.ticket, me) || taken;
}

function* contend(
  cell: Int32Array,
  me: number,
  timeout: number,
  heir: { ticket: number },
): Waiting<boolean> {
  const start = performance.now();
  const deadline = start + timeout;
  let spun = false;
  for (;;) {
    const state = Atomics.load(cell, STATE);
    if (state === 0) {
      // Taken from the slow path: others may sleep, so the release must wake them.
      if (Atomics.compareExchange(cell, STATE, 0, me | WAITERS) === 0) return true;
      continue;
    }
    if (state === (HANDOFF | WAITERS) && heir.ticket !== 0) {
      if (Atomics.load(cell, GRANT) === heir.ticket) {
        Atomics.store(cell, STATE, me | WAITERS);
        heir.ticket = 0;
        return true;
      }
    }
    const now = performance.now();
    const ms = deadline - now;
    if (ms <= 0) return false;
    if (!spun) {
      spun = true;
      yield { value: state, ms, spin: true };
      continue;
    }
    if ((state & WAITERS) === 0) {
      if (Atomics.compareExchange(cell, STATE, state, state | WAITERS) !== state) continue;
    }
    if (heir.ticket === 0 && now - start >= STARVING_MS && Atomics.load(cell, HEIR) === 0) {
      const ticket = (Atomics.add(cell, TICKETS, 1) + 1) & OWNER || 1;
      if (Atomics.compareExchange(cell, HEIR, 0, ticket) === 0) heir.ticket = ticket;
    }
    yield { value: state | WAITERS, ms, spin: false };
    spun = false;
  }
}

/**
 * Withdraws the heir's ticket. Returns `true` when a release handed the lock over first: then
 * this thread has claimed it and holds it.
 */
function leaveHeir(cell: Int32Array, ticket: number, me: number): boolean {
  if (ticket === 0 || Atomics.compareExchange(cell, HEIR, ticket, 0) === ticket) return false;
  // The releasing thread took the ticket; its hand-off is two stores away.
  while (
    Atomics.load(cell, STATE) !== (HANDOFF | WAITERS) || Atomics.load(cell, GRANT) !== ticket
  );
  Atomics.store(cell, STATE, me | WAITERS);
  return true;
}

/**
 * Releases the lock, whoever holds it; throws if it is not held. The caller checks ownership
 * where it matters (`RLock`).
 */
export function unlock(cell: Int32Array): void {
  for (;;) {
    const state = Atomics.load(cell, STATE);
    const owner = state & OWNER;
    if (owner === 0 || owner === HANDOFF) {
      throw new DOMException(
        "Cannot release the lock as it is not held (released more often than acquired)",
        "InvalidStateError",
      );
    }
    if ((state & WAITERS) === 0) {
      if (Atomics.compareExchange(cell, STATE, state, 0) === state) return;
      continue; // a waiter just announced itself
    }
    // Waiters only change the cell while it lacks the WAITERS bit, so plain stores are safe.
    const ticket = Atomics.load(cell, HEIR) === 0 ? 0 : Atomics.exchange(cell, HEIR, 0);
    if (ticket !== 0) {
      Atomics.store(cell, GRANT, ticket);
      Atomics.store(cell, STATE, HANDOFF | WAITERS);
      Atomics.notify(cell, STATE); // all: the heir may sleep behind others
    } else {
      Atomics.store(cell, STATE, 0);
      Atomics.notify(cell, STATE, 1);
    }
    return;
  }
}
