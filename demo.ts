/**
 * `deno task demo`: tutorial 004's story, "Multiprocessing with Python", told with this
 * library. Throw random points at the unit square, count those inside the quarter circle, and
 * π ≈ 4 × hits / trials. First in one thread (`serialPi`), then split over a {@linkcode Pool}
 * of workers (`parallelPi`), with 1, 2 and `cpuCount()` workers, timing each.
 *
 * ```sh
 * deno task demo                                # 2e7 trials; 1, 2 and cpuCount() workers
 * deno task demo --trials 1e8 --workers 4       # more trials; 1, 2 and 4 workers
 * ```
 *
 * The Python original, for comparison:
 *
 * ```python
 * def parallelPi(trials, nprocs=1):
 *     trials_per_proc = trials // nprocs
 *     pool_trials = [trials_per_proc for i in range(nprocs - 1)]
 *     pool_trials.append(trials - trials_per_proc * (nprocs - 1))
 *     with mp.Pool(nprocs) as pool:
 *         hits = pool.map(hitCount, pool_trials)
 *     return 4.0 * sum(hits) / trials
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { cpuCount, Pool } from "./mod.ts";
import { hitCount } from "./bench/pi.ts";

/** One estimate of π and how long it took. */
export interface PiResult {
  /** The estimate, `4 * hits / trials`. */
  pi: number;
  /** Seconds from the start (pool start-up included, as in the tutorial) to the estimate. */
  seconds: number;
  /** Seconds of the same work on the pool once it is running (`undefined` when serial). */
  computeSeconds?: number;
}

/**
 * Estimates π in this thread: a single call of `hitCount`, as the tutorial's `serialPi`.
 *
 * @param trials How many random points to throw.
 * @returns The estimate and the time it took.
 *
 * @example
 * ```ts
 * import { serialPi } from "./demo.ts";
 * import assert from "node:assert/strict";
 *
 * const { pi } = serialPi(100_000);
 * assert.ok(Math.abs(pi - Math.PI) < 0.05);
 * ```
 */
export function serialPi(trials: number): PiResult {
  const t0 = performance.now();
  const hits = hitCount(trials);
  return { pi: (4 * hits) / trials, seconds: (performance.now() - t0) / 1e3 };
}

/**
 * `trials` cut into `nprocs` parts, the last one taking the remainder, as the tutorial does.
 *
 * @param trials The total.
 * @param nprocs How many parts.
 * @returns The parts, which add up to `trials`.
 *
 * @example
 * ```ts
 * import { splitTrials } from "./demo.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(splitTrials(10, 3), [3, 3, 4]);
 * ```
 */
export function splitTrials(trials: number, nprocs: number): number[] {
  const perProc = Math.floor(trials / nprocs);
  const parts: number[] = new Array(nprocs - 1).fill(perProc);
  parts.push(trials - perProc * (nprocs - 1));
  return parts;
}

/**
 * Estimates π with a pool of `nprocs` workers, one part of the trials each, as the
 * tutorial's `parallelPi`: the time includes starting the pool. Then it runs the same work
 * again on the running pool, to show what the start-up cost.
 *
 * `hitCount` reaches the workers by reference: the `imports` option tells them to import
 * `bench/pi.ts`, where it is exported (by default they would import this module).
 *
 * @param trials How many random points to throw in total.
 * @param nprocs How many workers.
 * @returns The estimate, the time with the pool's start, and the time without.
 *
 * @example
 * ```ts
 * import { parallelPi } from "./demo.ts";
 * import assert from "node:assert/strict";
 *
 * const { pi } = await parallelPi(100_000, 2);
 * assert.ok(Math.abs(pi - Math.PI) < 0.05);
 * ```
 */
export async function parallelPi(trials: number, nprocs: number): Promise<PiResult> {
  const parts = splitTrials(trials, nprocs);
  const t0 = performance.now();
  await using pool = new Pool(nprocs, { imports: ["./bench/pi.ts"] });
  const hits = await pool.map(hitCount, parts);
  const seconds = (performance.now() - t0) / 1e3;
  const t1 = performance.now();
  await pool.map(hitCount, parts);
  const computeSeconds = (performance.now() - t1) / 1e3;
  const pi = (4 * hits.reduce((a, b) => a + b, 0)) / trials;
  return { pi, seconds, computeSeconds };
}

function positiveInteger(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`--${flag} must be a whole number ≥ 1, got "${text}"`);
  }
  return value;
}

function time(seconds: number): string {
  return seconds >= 1 ? `${seconds.toFixed(2)} s` : `${(seconds * 1e3).toFixed(0)} ms`;
}

const USAGE = `Usage: deno task demo [--trials N] [--workers N]

  --trials N    random points to throw (default 2e7)
  --workers N   the largest pool to try (default cpuCount()); 1 and 2 are tried too
  -h, --help    show this help`;

/**
 * The command line: estimates π serially and with pools of 1, 2 and `--workers` workers,
 * and prints a table of estimates, times and speedups.
 *
 * @param argv The arguments, e.g. `Deno.args`.
 * @returns The process exit code.
 */
export async function main(argv: string[]): Promise<number> {
  let trials: number;
  let most: number;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        trials: { type: "string" },
        workers: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    trials = positiveInteger(values.trials, "trials", 20_000_000);
    most = positiveInteger(values.workers, "workers", cpuCount());
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const counts = [...new Set([1, 2, most])].sort((a, b) => a - b);

  console.log(
    `Monte Carlo π: ${trials.toLocaleString("en-US")} random points in the unit square,\n` +
      `π ≈ 4 × hits / trials, where hits counts the points inside the quarter circle.\n` +
      `${cpuCount()} CPUs here.\n`,
  );
  // Fixed widths, so that each row prints as soon as it is measured, within 80 columns.
  const columns: [string, number][] = [
    ["", 20],
    ["π", 8],
    ["error", 8],
    ["time", 8],
    ["speedup", 7],
    ["warm pool", 9],
    ["speedup", 7],
  ];
  const print = (cells: string[]): void => {
    const line = cells.map((cell, c) => {
      const width = columns[c]![1];
      return c === 0 ? cell.padEnd(width) : cell.padStart(width);
    });
    console.log(line.join("  ").trimEnd());
  };
  print(columns.map(([title]) => title));
  print(columns.map(([, width]) => "─".repeat(width)));
  const serial = serialPi(trials);
  const row = (how: string, r: PiResult): string[] => [
    how,
    r.pi.toFixed(6),
    (r.pi - Math.PI).toExponential(1),
    time(r.seconds),
    `×${(serial.seconds / r.seconds).toFixed(2)}`,
    r.computeSeconds === undefined ? "" : time(r.computeSeconds),
    r.computeSeconds === undefined ? "" : `×${(serial.seconds / r.computeSeconds).toFixed(2)}`,
  ];
  print(row("serial", serial));
  let best = { label: "", speedup: 0 };
  for (const n of counts) {
    const result = await parallelPi(trials, n);
    const label = `Pool(${n})${n === cpuCount() ? " = cpuCount()" : ""}`;
    print(row(label, result));
    const speedup = serial.seconds / result.seconds;
    if (speedup > best.speedup) best = { label: `Pool(${n})`, speedup };
  }
  const verdict = best.speedup > 1
    ? `${best.label} was the fastest: ${best.speedup.toFixed(2)} times the speed of one thread,\n` +
      `its start-up included.`
    : `No pool beat one thread this time, once its start-up is\ncounted: try more --trials.`;
  console.log(`
π is ${Math.PI.toFixed(6)}. ${verdict}
"time" counts from new Pool() to the estimate, as the tutorial does; "warm pool"
runs the same work again on the running pool. Each worker is a Web Worker, its
own V8 isolate on its own OS thread, so the parts really run at the same time,
as Python's processes do. More workers than the ${cpuCount()} CPUs here take turns.`);
  return 0;
}

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
