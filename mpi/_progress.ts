/**
 * How a pending MPI operation is waited for without freezing the event loop. MPI progresses
 * only inside MPI calls, so a wait keeps calling `MPI_Test`:
 *
 * 1. **spin** for {@linkcode SPIN_MS} (a message already on its way lands within
 *    microseconds: a ping-pong never leaves this phase);
 * 2. then, until {@linkcode YIELD_MS} after the wait began, **yield** to the event loop
 *    (`setImmediate`: timers, I/O and other promises run) and spin again for
 *    {@linkcode SPIN_MS}, by turns: the CPU stays on the message, and the event loop is never
 *    held longer than {@linkcode SPIN_MS} at a time;
 * 3. then **sleep** {@linkcode SLEEP_MS} between tests, so a rank that waits long (for a slow
 *    peer, or on an oversubscribed machine) gives its core to the ranks that work.
 *
 * Under `mpirun --oversubscribe`, OpenMPI's own progress yields the core (`sched_yield`)
 * whenever a test finds nothing to do, so spinning ranks share a core fairly.
 *
 * @module
 */

import { setImmediate } from "node:timers";

/**
 * How long rank 0's relay loop (`_pool_backend.ts`) keeps yielding after its last message
 * before it sleeps between tests (milliseconds). Short: the relay must leave the workers the
 * cores (a pipelined chunk is already waiting in the worker, so 1 ms more costs nothing).
 */
export const RELAY_YIELD_MS = 2;

/**
 * How long a serving rank's loop keeps yielding after its last message while no worker of
 * the rank computes (milliseconds). The next message is then what the rank waits for (a serving rank
 * that answered a map's chunk waits for the next map's), and the cores are free: a sleep
 * would add its whole length (a 1 ms timer takes about 2 ms) to every round of the job.
 * Each test yields the core to any thread that wants it (OpenMPI's progress calls
 * `sched_yield` when it finds nothing under `--oversubscribe`).
 */
export const RELAY_IDLE_MS = 25;

/**
 * How long a serving rank sleeps between tests while its workers compute (milliseconds): a
 * chunk sent meanwhile waits behind the one running anyway, and a worker's answer wakes the
 * loop at once (`servePause`), so a long sleep costs no latency and leaves the rank's core to
 * its worker (`mpirun` binds a rank's threads to one core by default).
 */
export const RELAY_BUSY_MS = 10;

/** How long a spin lasts: the longest the event loop is held (milliseconds). */
export const SPIN_MS = 0.25;
/** The second phase ends this long after the wait began (milliseconds). */
export const YIELD_MS = 20;
/** The pause between tests in the third phase (milliseconds). */
export const SLEEP_MS = 1;

function immediate(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `test` until it returns `true`, spinning, then yielding, then sleeping.
 *
 * @param test One non-blocking attempt (usually one `MPI_Test`); it may throw.
 * @param value What the promise gives once `test` returned `true`.
 * @returns A promise that settles when `test` returns `true` (with `value`) or throws.
 */
export async function progress<T = void>(test: () => boolean, value?: T): Promise<T> {
  if (test()) return value as T;
  const start = performance.now();
  const spinUntil = start + SPIN_MS;
  while (performance.now() < spinUntil) if (test()) return value as T;
  const yieldUntil = start + YIELD_MS;
  while (performance.now() < yieldUntil) {
    await immediate();
    if (test()) return value as T;
    const again = performance.now() + SPIN_MS;
    while (performance.now() < again) if (test()) return value as T;
  }
  for (;;) {
    await sleep(SLEEP_MS);
    if (test()) return value as T;
  }
}

/**
 * One pause of rank 0's relay loop (`_pool_backend.ts`) that tests for messages: a turn of
 * the event loop within {@linkcode RELAY_YIELD_MS} of the last message, else
 * {@linkcode SLEEP_MS}. Unreferenced, the pause does not keep the program alive (an idle pool
 * lets it end).
 *
 * @param quietMs How long since the last message.
 * @param referenced Whether the loop's waiting should keep the program running.
 */
export function relayPause(quietMs: number, referenced: boolean): Promise<void> {
  return new Promise((resolve) => {
    if (referenced && quietMs < RELAY_YIELD_MS) {
      setImmediate(resolve);
      return;
    }
    const timer = setTimeout(resolve, SLEEP_MS);
    if (!referenced) Deno.unrefTimer(timer);
  });
}

/**
 * One pause of a serving rank's loop (`_pool_serve.ts`). While a worker of the rank computes,
 * a sleep of {@linkcode RELAY_BUSY_MS} that `wake` ends early (a worker answered): what comes
 * meanwhile waits behind the running chunk anyway. While its workers are idle, a turn of the
 * event loop within {@linkcode RELAY_IDLE_MS} of the last message (the next chunk is what the
 * rank waits for), else a sleep of {@linkcode SLEEP_MS}.
 *
 * @param quietMs How long since the last message.
 * @param idle Whether no worker of this rank has a chunk to run.
 * @param onWake Given the function that ends the pause early, until the pause ends.
 */
export function servePause(
  quietMs: number,
  idle: boolean,
  onWake: (wake: (() => void) | undefined) => void,
): Promise<void> {
  if (idle) return quietMs < RELAY_IDLE_MS ? immediate() : sleep(SLEEP_MS);
  return wakeableSleep(RELAY_BUSY_MS, true, onWake);
}

/**
 * A sleep of `ms` that the function given to `onWake` ends early; `onWake(undefined)` once it
 * has ended. Unreferenced, it does not keep the program alive.
 *
 * @param ms How long at most.
 * @param referenced Whether it keeps the program running.
 * @param onWake Given the function that ends the sleep early, until the sleep ends.
 */
export function wakeableSleep(
  ms: number,
  referenced: boolean,
  onWake: (wake: (() => void) | undefined) => void,
): Promise<void> {
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      onWake(undefined);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    if (!referenced) Deno.unrefTimer(timer);
    onWake(wake);
  });
}
