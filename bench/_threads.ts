/**
 * Waiting for terminated workers' threads to be gone, between repetitions of a row that starts
 * and ends workers. Deno tears a worker's isolate down after `terminate()` has returned (here
 * ~4 ms for a pool of 2 and ~150 ms for 64, on the same 2 cores), so a repetition that starts
 * at once pays for the one before it: a `new Worker()` then took 58–145 ms instead of 14.
 * Python's `pool.join()` and Node's `await worker.terminate()` wait for their workers' ends;
 * this is the same for ours. It imports nothing: the start-up rows' task module imports it,
 * and their workers import that module.
 *
 * @module
 */

/**
 * The threads of this process now, or `null` where `/proc` cannot tell (not Linux).
 *
 * @returns The count.
 */
export function threadCount(): number | null {
  try {
    let n = 0;
    for (const _ of Deno.readDirSync("/proc/self/task")) n++;
    return n;
  } catch {
    return null;
  }
}

/**
 * Waits until the process has no more than `count` threads again (the count before the
 * workers of a repetition were started), up to `timeoutMs`; at once where threads cannot be
 * counted. A thread Deno starts for itself meanwhile (for file reads, say) only makes it wait
 * the timeout, once: the next repetition counts it in.
 *
 * @param count The thread count to return to (from {@linkcode threadCount}).
 * @param timeoutMs The longest wait.
 */
export async function threadsBackTo(count: number | null, timeoutMs = 1_000): Promise<void> {
  if (count === null) return;
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    const now = threadCount();
    if (now === null || now <= count) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/**
 * Waits until the process's thread count has not changed for `quietMs` (workers ended
 * earlier, by another section say, are gone), up to `timeoutMs`; at once where threads
 * cannot be counted. Deno may hold a terminated pool of 64 for ~90 ms before its threads
 * start to go, hence the long default.
 *
 * @param quietMs How long the count must hold still.
 * @param timeoutMs The longest wait.
 */
export async function threadsQuiet(quietMs = 200, timeoutMs = 5_000): Promise<void> {
  let last = threadCount();
  if (last === null) return;
  const until = performance.now() + timeoutMs;
  let since = performance.now();
  while (performance.now() < until && performance.now() - since < quietMs) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    const now = threadCount();
    if (now !== last) {
      last = now;
      since = performance.now();
    }
  }
}

/**
 * Runs `run`, then waits until the threads it started are gone again
 * ({@linkcode threadsBackTo} the count before it).
 *
 * @param run What starts and ends workers.
 * @returns What `run` returned.
 */
export async function thenThreadsGone<T>(run: () => Promise<T>): Promise<T> {
  const threads = threadCount();
  const result = await run();
  await threadsBackTo(threads);
  return result;
}
