/**
 * The Monte Carlo kernel of tutorials 003 and 004: throw random points at the unit square and
 * count those that land inside the quarter circle of radius 1. Shared by the benchmark
 * (`deno task bench`) and the demo (`deno task demo`), with the split of the trials among
 * workers and the sum of their hits.
 *
 * The function is self-contained (it uses only `Math.random`), so it reaches pool workers by
 * reference (as an export of a module the pool imports) or by value alike.
 *
 * @module
 */

/**
 * Counts how many of `n` random points of the unit square fall inside the unit quarter
 * circle (`x² + y² < 1`), as tutorial 004's `hitCount(trials)`. `4 * hits / n` estimates π.
 *
 * @param n How many random points to throw (a whole number ≥ 0).
 * @returns The number of hits, between 0 and `n`.
 *
 * @example
 * ```ts
 * import { hitCount } from "./pi.ts";
 * import assert from "node:assert/strict";
 *
 * const n = 100_000;
 * const pi = (4 * hitCount(n)) / n;
 * assert.ok(Math.abs(pi - Math.PI) < 0.05);
 * ```
 */
export function hitCount(n: number): number {
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const x = Math.random();
    const y = Math.random();
    if (x * x + y * y < 1) hits++;
  }
  return hits;
}

/**
 * `total` cut into `parts` near-equal whole parts (the last takes the remainder), as the
 * tutorial's `parallelPi` splits the trials among its workers.
 *
 * @param total What to split (a whole number ≥ 0).
 * @param parts How many parts (≥ 1).
 * @returns The parts, summing to `total`.
 *
 * @example
 * ```ts
 * import { split } from "./pi.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(split(10, 3), [3, 3, 4]);
 * ```
 */
export function split(total: number, parts: number): number[] {
  const each = Math.floor(total / parts);
  const out: number[] = new Array(parts - 1).fill(each);
  out.push(total - each * (parts - 1));
  return out;
}

/**
 * The sum of the workers' hits.
 *
 * @param xs The numbers.
 * @returns Their sum.
 */
export function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
