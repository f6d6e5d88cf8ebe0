/**
 * The speedup curve of `deno task bench`'s pool section: Monte Carlo Pi (`bench/pi.ts`) on a
 * warm `Pool(k)` for k = 1…4, one part per worker, beside the serial run on the main thread
 * (the chart's "speedup vs workers"; on 2 cores the curve levels off from 2 workers).
 *
 * ```sh
 * deno run -A bench/speedup.ts [--quick] [--json FILE]   # this section alone
 * ```
 *
 * The kernel crosses into the workers by reference: it is re-exported here, and the workers
 * import this module, which runs its program only under `import.meta.main`.
 *
 * @module
 */

import { Pool } from "../mod.ts";
import * as fmt from "./_format.ts";
import { hitCount, split } from "./pi.ts";
import { runSection } from "./_util.ts";

/** The Monte Carlo kernel, re-exported so that the workers find it here by reference. */
export { hitCount };

/** The section's results: serial and per pool size, ms. */
export interface SpeedupResults {
  /** `"full"` or `"quick"`. */
  mode: "full" | "quick";
  /** Trials in all. */
  trials: number;
  /** The serial run on the main thread. */
  serialMs: fmt.Summary;
  /** Warm `Pool(k)`, the trials in k parts. */
  pools: { workers: number; ms: fmt.Summary; speedup: number }[];
}

/**
 * Runs the sweep; the pool sizes take turns with the serial run in every round.
 *
 * @param options `quick` for small sizes.
 * @returns The results.
 */
export async function benchSpeedup(options: { quick: boolean }): Promise<SpeedupResults> {
  const trials = options.quick ? 2_000_000 : 20_000_000;
  const repeats = options.quick ? 1 : 3;
  const sizes = [1, 2, 3, 4];
  const pools = sizes.map((k) => new Pool(k));
  try {
    for (const [i, pool] of pools.entries()) {
      await pool.map(hitCount, new Array(sizes[i]!).fill(1), 1);
    }
    const serial: number[] = [];
    const timed: number[][] = sizes.map(() => []);
    for (let r = 0; r < repeats; r++) {
      let t0 = performance.now();
      hitCount(trials);
      serial.push(performance.now() - t0);
      for (const [i, pool] of pools.entries()) {
        t0 = performance.now();
        await pool.map(hitCount, split(trials, sizes[i]!), 1);
        timed[i]!.push(performance.now() - t0);
      }
    }
    const serialMs = fmt.summarize(serial);
    return {
      mode: options.quick ? "quick" : "full",
      trials,
      serialMs,
      pools: sizes.map((workers, i) => {
        const s = fmt.summarize(timed[i]!);
        return { workers, ms: s, speedup: serialMs.median / s.median };
      }),
    };
  } finally {
    for (const pool of pools) await pool.close();
  }
}

/**
 * The sweep as a table.
 *
 * @param r The results.
 * @returns The text.
 */
export function formatSpeedup(r: SpeedupResults): string {
  const rows = [["Pi, warm pool", "median", "speedup over serial"]];
  rows.push(["serial (main thread)", fmt.ms(r.serialMs.median), "×1.00"]);
  for (const p of r.pools) {
    rows.push([`Pool(${p.workers})`, fmt.ms(p.ms.median), `×${p.speedup.toFixed(2)}`]);
  }
  return [
    `Speedup vs workers (${r.mode}): Pi ${r.trials.toExponential(0).replace("+", "")} trials, ` +
    `${navigator.hardwareConcurrency} cores.`,
    "",
    fmt.table(rows),
  ].join("\n");
}

if (import.meta.main) {
  await runSection(Deno.args, {
    name: "speedup",
    python: "none",
    run: benchSpeedup,
    format: formatSpeedup,
  });
}
