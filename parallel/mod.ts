/**
 * joblib's `Parallel(n_jobs=…)(delayed(f)(x) for x in xs)`, on the pool's workers:
 * {@linkcode Parallel}, {@linkcode delayed}, and a live {@linkcode progress} bar for any loop
 * (a `Parallel` generator, `pool.imap`…), drawn on a terminal or in the Deno Jupyter kernel.
 *
 * | joblib | here |
 * | --- | --- |
 * | `Parallel(n_jobs=2)(delayed(f)(x) for x in xs)` | `await Parallel({ nJobs: 2 })(xs.map((x) => delayed(f)(x)))` |
 * | `n_jobs=-1` | `nJobs: -1` (one worker per processor; `-2` all but one) |
 * | `batch_size="auto"` / `batch_size=100` | `batchSize: "auto"` / `batchSize: 100` |
 * | `return_as="generator"` | `returnAs: "generator"` (an async generator) |
 * | `verbose=10` | `verbose: 10` (the same lines, on stderr) |
 * | `timeout=10` (seconds) | `timeout: 10_000` (milliseconds) |
 * | `pre_dispatch="2*n_jobs"` | `preDispatch: "2*nJobs"` (batches) |
 * | `with Parallel(n_jobs=2) as parallel:` | `await using parallel = Parallel({ nJobs: 2 });` |
 *
 * @example The tutorial's joblib example
 * ```ts
 * import { delayed, Parallel } from "@workers/multiprocessing/parallel";
 * import assert from "node:assert/strict";
 *
 * const f = (x: number) => x * x;
 * const out = await Parallel({ nJobs: 2 })([...Array(10).keys()].map((x) => delayed(f)(x)));
 * assert.deepEqual(out, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
 * ```
 *
 * @module
 */

export { Parallel } from "./parallel.ts";
export type {
  ParallelBackend,
  ParallelOptions,
  ParallelOutput,
  ParallelRunner,
  ReturnAs,
} from "./parallel.ts";
export { delayed } from "./delayed.ts";
export type { Delayed, DelayedResult } from "./delayed.ts";
export { progress, ProgressBar } from "./progress.ts";
export type { ProgressDisplay, ProgressOptions } from "./progress.ts";
