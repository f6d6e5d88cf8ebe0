/**
 * The task functions of the "Synchronisation" section (`bench/sync.ts`): they run in the
 * workers, which import this module (and only the library with it) because the functions
 * cross into them by reference.
 *
 * @module
 */

import type { Barrier, Event, Lock, RLock, SynchronizedValue } from "../mod.ts";
import { stamp } from "./_util.ts";

/** Longest any wait of a benchmark task may take before it is reported as a failure. */
export const TASK_TIMEOUT_MS = 10_000;

/** Sleeps `ms` without spinning (the thread is off the CPU meanwhile). */
function nap(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function lockPairs(lock: Lock, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    lock.acquireSync();
    lock.release();
  }
  return ((performance.now() - t0) * 1e6) / n;
}

function rlockPairs(lock: RLock, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    lock.acquireSync();
    lock.release();
  }
  return ((performance.now() - t0) * 1e6) / n;
}

function casPairs(cell: Int32Array, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    Atomics.compareExchange(cell, 0, 0, 7);
    Atomics.compareExchange(cell, 0, 7, 0);
  }
  return ((performance.now() - t0) * 1e6) / n;
}

/**
 * In a worker: ns per uncontended `acquireSync()` + `release()` of `lock` and of `rlock`, and
 * per pair of raw `Atomics.compareExchange` calls, for `rounds` rounds of `n` pairs each (the
 * three take turns in every round; one warm-up round is dropped).
 *
 * @param lock An unheld `Lock`.
 * @param rlock An unheld `RLock`.
 * @param n Pairs per round.
 * @param rounds Timed rounds.
 * @returns Each round's ns per pair, per kind.
 */
export function uncontendedCosts(
  lock: Lock,
  rlock: RLock,
  n: number,
  rounds: number,
): { lock: number[]; rlock: number[]; cas: number[] } {
  const cell = new Int32Array(new SharedArrayBuffer(20));
  const out = { lock: [] as number[], rlock: [] as number[], cas: [] as number[] };
  lockPairs(lock, n);
  rlockPairs(rlock, n);
  casPairs(cell, n);
  for (let r = 0; r < rounds; r++) {
    out.cas.push(casPairs(cell, n));
    out.lock.push(lockPairs(lock, n));
    out.rlock.push(rlockPairs(rlock, n));
  }
  return out;
}

/**
 * In a worker: `n` increments of `v` under `v.getLock()`, after waiting at `gate` (when given)
 * so that both workers start together.
 *
 * @param v The shared counter.
 * @param n Increments.
 * @param gate A barrier of all the workers, or `null` to start at once.
 * @returns The start and end of the loop, on the process-wide clock (ms).
 */
export function lockedIncrements(
  v: SynchronizedValue<"i">,
  n: number,
  gate: Barrier | null,
): [number, number] {
  gate?.waitSync({ timeout: TASK_TIMEOUT_MS });
  const start = stamp();
  for (let i = 0; i < n; i++) {
    const lock = v.getLock();
    lock.acquireSync();
    v.value += 1;
    lock.release();
  }
  return [start, stamp()];
}

/**
 * In a worker: {@linkcode lockedIncrements} with a gate, written with `using` and `holdSync()`
 * as `sync/mod.ts`'s example does.
 *
 * @param v The shared counter.
 * @param n Increments.
 * @param gate A barrier of all the workers.
 * @returns The start and end of the loop, on the process-wide clock (ms).
 */
export function lockedIncrementsUsingHold(
  v: SynchronizedValue<"i">,
  n: number,
  gate: Barrier,
): [number, number] {
  gate.waitSync({ timeout: TASK_TIMEOUT_MS });
  const start = stamp();
  for (let i = 0; i < n; i++) {
    using _held = v.getLock().holdSync();
    v.value += 1;
  }
  return [start, stamp()];
}

/**
 * In a worker: for each round, says it is ready, sleeps in `events[r].waitSync()`, and notes
 * when it woke.
 *
 * @param events One event per round, set by the waker.
 * @param readies One event per round, set here before waiting.
 * @returns When each wait returned (process-wide clock, ms; `NaN` for a timeout).
 */
export function wakeWaiter(events: Event[], readies: Event[]): number[] {
  const woke: number[] = [];
  for (let r = 0; r < events.length; r++) {
    readies[r]!.set();
    woke.push(events[r]!.waitSync({ timeout: TASK_TIMEOUT_MS }) ? stamp() : NaN);
  }
  return woke;
}

/**
 * In a worker: the waker of {@linkcode wakeWaiter}: for each round, waits until the waiter is
 * ready, pauses `pauseMs` so that it is asleep, notes the time and sets the event.
 *
 * @param events One event per round.
 * @param readies One event per round, set by the waiter.
 * @param pauseMs The pause before each `set()`.
 * @returns When each `set()` was called (process-wide clock, ms; `NaN` if the waiter was late).
 */
export function wakeSetter(events: Event[], readies: Event[], pauseMs: number): number[] {
  const set: number[] = [];
  for (let r = 0; r < events.length; r++) {
    if (!readies[r]!.waitSync({ timeout: TASK_TIMEOUT_MS })) {
      set.push(NaN);
      continue;
    }
    nap(pauseMs);
    set.push(stamp());
    events[r]!.set();
  }
  return set;
}

/**
 * In a worker: one side of a ping-pong over two events. `"ping"` sets `ping` and waits for
 * `pong`; `"pong"` answers. Both wait at `gate` first.
 *
 * @param role Which side.
 * @param ping The first event.
 * @param pong The answer.
 * @param gate A barrier of both sides.
 * @param n Round trips.
 * @returns µs per round trip on the `"ping"` side, `0` on the other.
 * @throws {Error} A wait that timed out (the other side is gone).
 */
export function eventPingPong(
  role: "ping" | "pong",
  ping: Event,
  pong: Event,
  gate: Barrier,
  n: number,
): number {
  const timeout = { timeout: TASK_TIMEOUT_MS };
  gate.waitSync(timeout);
  if (role === "pong") {
    for (let i = 0; i < n; i++) {
      if (!ping.waitSync(timeout)) throw new Error(`pong: no ping in round ${i}`);
      ping.clear();
      pong.set();
    }
    return 0;
  }
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    ping.set();
    if (!pong.waitSync(timeout)) throw new Error(`ping: no pong in round ${i}`);
    pong.clear();
  }
  return ((performance.now() - t0) * 1e3) / n;
}

/**
 * In a worker: waits `ms` on `event` (which nobody sets).
 *
 * @param event An event.
 * @param ms The timeout.
 * @returns Whether the wait returned `false` (timed out), and how long it took.
 */
export function idleWait(event: Event, ms: number): { timedOut: boolean; waitedMs: number } {
  const t0 = performance.now();
  const set = event.waitSync({ timeout: ms });
  return { timedOut: !set, waitedMs: performance.now() - t0 };
}
