/**
 * The pool section's jobs that start a pool, in a module of their own: a pool's workers
 * import the module that created it (to find functions by reference), and `bench/main.ts`
 * imports the whole bench (charts, peers, every section), which no user's script does. Here
 * they import this module and the library, as a script that imports the library would.
 *
 * @module
 */

import { Pool } from "../mod.ts";
import { hitCount, sum } from "./pi.ts";
import { thenThreadsGone } from "./_threads.ts";

/** The task of the start-up rows, by reference. */
export function power10(x: number): number {
  return x ** 10;
}

export { hitCount };

/**
 * `new Pool(workers)` to the first result of one `apply`, by reference or by value.
 *
 * @param workers The pool's size.
 * @param byValue Whether the task is an arrow sent by value.
 * @returns Milliseconds.
 */
export function startToFirstResult(workers: number, byValue: boolean): Promise<number> {
  // The next start does not pay for this one's end.
  return thenThreadsGone(async () => {
    const t0 = performance.now();
    await using pool = new Pool(workers);
    await pool.apply(byValue ? (x: number) => x + 1 : power10, [1]);
    return performance.now() - t0;
  });
}

/**
 * Monte Carlo π over `parts` on a fresh pool, its start included.
 *
 * @param workers The pool's size.
 * @param parts The trials of each part.
 * @returns The hits and the seconds it took.
 */
export function piStartIncluded(
  workers: number,
  parts: number[],
): Promise<{ hits: number; seconds: number }> {
  return thenThreadsGone(async () => {
    const t0 = performance.now();
    await using pool = new Pool(workers);
    const hits = sum(await pool.map(hitCount, parts));
    return { hits, seconds: (performance.now() - t0) / 1e3 };
  });
}
