/**
 * Tutorial 004's Monte Carlo estimate of π, as a module the workers import: `hitCount` is
 * passed to the pool by reference (the workers find it by name in this module), and the
 * command-line program at the bottom runs only when this file is the main program.
 *
 * ```sh
 * deno run -A notebooks/pi_tasks.ts --trials 20000000 --nprocs 2
 * ```
 *
 * @module
 */

import { Pool } from "@workers/multiprocessing";
import { parseArgs } from "node:util";

/** Counts how many of `trials` random points of the unit square fall inside the unit circle. */
export function hitCount(trials: number): number {
  let hits = 0;
  for (let i = 0; i < trials; i++) {
    const x = Math.random();
    const y = Math.random();
    if (x * x + y * y < 1.0) hits++;
  }
  return hits;
}

/** π in serial: a single call of {@linkcode hitCount}. */
export function serialPi(trials: number): number {
  return 4.0 * hitCount(trials) / trials;
}

/**
 * The trials of each worker: `trials` split into `nprocs` near-equal parts, the remainder going
 * to the last one (as the tutorial's `parallelPi` splits them).
 */
export function splitTrials(trials: number, nprocs: number): number[] {
  const perProc = Math.floor(trials / nprocs);
  const parts = new Array<number>(nprocs - 1).fill(perProc);
  parts.push(trials - perProc * (nprocs - 1));
  return parts;
}

/**
 * π in parallel: {@linkcode hitCount} over one part of the trials per worker of `pool`. The
 * tutorial starts a pool inside `parallelPi`; here the caller passes one, so that a notebook
 * pays the pool's start once rather than at every call.
 */
export async function parallelPi(trials: number, pool: Pool): Promise<number> {
  const hits = await pool.map(hitCount, splitTrials(trials, pool.processes), 1);
  return 4.0 * hits.reduce((a, b) => a + b, 0) / trials;
}

/** Darts for a picture of the board: `n` random points, each marked hit or miss. */
export function darts(n: number): { x: number; y: number; dart: "hit" | "miss" }[] {
  const out: { x: number; y: number; dart: "hit" | "miss" }[] = [];
  for (let i = 0; i < n; i++) {
    const x = Math.random();
    const y = Math.random();
    out.push({ x, y, dart: x * x + y * y < 1.0 ? "hit" : "miss" });
  }
  return out;
}

// The workers import this module to find hitCount: what follows must run only in the main
// program (Python's `if __name__ == "__main__":`), or every worker would run it too.
if (import.meta.main) {
  const { values } = parseArgs({
    options: { trials: { type: "string", default: "20000000" }, nprocs: { type: "string" } },
  });
  const trials = Number(values.trials);
  await using pool = new Pool(values.nprocs === undefined ? undefined : Number(values.nprocs));
  let t0 = performance.now();
  const serial = serialPi(trials);
  const serialMs = performance.now() - t0;
  await parallelPi(1000, pool); // start the workers before timing
  t0 = performance.now();
  const parallel = await parallelPi(trials, pool);
  const parallelMs = performance.now() - t0;
  console.log(`serial:   pi ≈ ${serial.toFixed(6)} in ${serialMs.toFixed(0)} ms`);
  console.log(
    `parallel: pi ≈ ${parallel.toFixed(6)} in ${parallelMs.toFixed(0)} ms on ${pool.processes} ` +
      `workers (×${(serialMs / parallelMs).toFixed(2)})`,
  );
}
