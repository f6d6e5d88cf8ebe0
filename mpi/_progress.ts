/**
 * How a pending MPI operation is waited for without freezing the event loop. MPI progresses
 * only inside MPI calls, so a wait keeps calling `MPI_Test`:
 *
 * 1. **spin** for {@linkcode SPIN_MS} (a message already on its way lands within
 *    microseconds: a ping-pong never leaves this phase);
 * 2. then **yield** with `setImmediate` between tests, so timers, I/O and other promises run
 *    while the CPU stays on the message, for up to {@linkcode YIELD_MS} in all;
 * 3. then **sleep** {@linkcode SLEEP_MS} between tests, so a rank that waits long (for a slow
 *    peer, or on an oversubscribed machine) gives its core to the ranks that work.
 *
 * @module
 */

import { setImmediate } from "node:timers";

/** The first phase: test in a tight loop this long (milliseconds). */
export const SPIN_MS = 0.05;
/** The second phase ends this long after the wait began (milliseconds). */
export const YIELD_MS = 10;
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
 * @returns A promise that settles when `test` returns `true` or throws.
 */
export async function progress(test: () => boolean): Promise<void> {
  if (test()) return;
  const start = performance.now();
  const spinUntil = start + SPIN_MS;
  while (performance.now() < spinUntil) if (test()) return;
  const yieldUntil = start + YIELD_MS;
  while (performance.now() < yieldUntil) {
    await immediate();
    if (test()) return;
    const again = performance.now() + SPIN_MS / 5;
    while (performance.now() < again) if (test()) return;
  }
  for (;;) {
    await sleep(SLEEP_MS);
    if (test()) return;
  }
}
