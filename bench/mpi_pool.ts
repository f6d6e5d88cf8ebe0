/**
 * `MpiPool` in the benchmark: tutorial 004's Monte Carlo π (`hitCount`, one part per worker)
 * mapped over `mpirun -n 1` and `mpirun -n 2` with one worker per rank, the jobs alternating
 * (1, 2, 1, 2…) so that a noisy neighbour hurts both alike. Each job warms its pool up (every
 * worker has imported this module), then times `runsPerJob` maps. Target: 2 ranks ≥ 1.85 × one
 * rank (issue 13), i.e. a parallel efficiency of ≥ 92.5 % per rank, relaying included.
 *
 * ```sh
 * deno run -A bench/mpi_pool.ts [--quick] [--json FILE]   # this section alone
 * ```
 *
 * Started by mpirun with `--rank`, this module is one job (rank 0 prints one JSON object).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { MpiPool } from "../mpi/mod.ts";
import * as fmt from "./_format.ts";
import { runSection } from "./_util.ts";
import { mpirunJob } from "./mpi.ts";
import { hitCount } from "./pi.ts";

/** The kernel, re-exported so that every rank's workers find it here by reference. */
export { hitCount };

/** How much each job does. */
export interface MpiPoolSizes {
  trials: number;
  runsPerJob: number;
  /** Jobs of each rank count. */
  jobs: number;
}

/** Full sizes. */
export const MPI_POOL_FULL: MpiPoolSizes = { trials: 20_000_000, runsPerJob: 3, jobs: 3 };
/** `--quick` sizes. */
export const MPI_POOL_QUICK: MpiPoolSizes = { trials: 2_000_000, runsPerJob: 1, jobs: 1 };

/** The section's results. */
export interface MpiPoolResults {
  mode: "full" | "quick";
  trials: number;
  /** Milliseconds of one map, by rank count; or why it was skipped. */
  ranks: Record<"1" | "2", fmt.Summary> | { skipped: string };
}

async function rankMain(trials: number, runs: number): Promise<void> {
  await using pool = await MpiPool.start();
  if (pool === null) return;
  const parts = pool.processes;
  const share = Array.from({ length: parts }, () => Math.floor(trials / parts));
  await pool.map(hitCount, share.map(() => 1_000), { chunksize: 1 });
  const samples: number[] = [];
  let hits = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    hits = (await pool.map(hitCount, share, { chunksize: 1 })).reduce((a, b) => a + b, 0);
    samples.push(performance.now() - start);
  }
  const pi = 4 * hits / share.reduce((a, b) => a + b, 0);
  console.log(JSON.stringify({ samples, pi }));
}

async function job(ranks: number, sizes: MpiPoolSizes): Promise<number[] | string> {
  const got = await mpirunJob<{ samples: number[]; pi: number }>(ranks, Deno.execPath(), [
    "run",
    "-A",
    fileURLToPath(import.meta.url),
    "--rank",
    `--trials=${sizes.trials}`,
    `--runs=${sizes.runsPerJob}`,
  ]);
  if ("skipped" in got) return got.skipped;
  const { samples, pi } = got;
  if (!(Math.abs(pi - Math.PI) < 0.01)) return `mpirun -n ${ranks} estimated π as ${pi}`;
  return samples;
}

/**
 * Runs the jobs, alternating rank counts.
 *
 * @param options `quick` for small sizes.
 * @returns The results.
 */
export async function benchMpiPool(options: { quick: boolean }): Promise<MpiPoolResults> {
  const sizes = options.quick ? MPI_POOL_QUICK : MPI_POOL_FULL;
  const mode = options.quick ? "quick" : "full";
  const samples: Record<"1" | "2", number[]> = { "1": [], "2": [] };
  for (let i = 0; i < sizes.jobs; i++) {
    for (const ranks of [1, 2] as const) {
      const got = await job(ranks, sizes);
      if (typeof got === "string") return { mode, trials: sizes.trials, ranks: { skipped: got } };
      samples[ranks].push(...got);
    }
  }
  return {
    mode,
    trials: sizes.trials,
    ranks: { "1": fmt.summarize(samples["1"]), "2": fmt.summarize(samples["2"]) },
  };
}

/**
 * The section's row of the scoreboard.
 *
 * @param r The results.
 * @returns The row.
 */
export function mpiPoolTargets(r: MpiPoolResults): fmt.TargetRow[] {
  const target = "MpiPool.map of π, 2 ranks ≥ 1.85 × 1 rank";
  if ("skipped" in r.ranks) return [fmt.targetRow(target, `skipped: ${r.ranks.skipped}`, null)];
  const speedup = r.ranks["1"].median / r.ranks["2"].median;
  return [
    fmt.targetRow(
      target,
      `${speedup.toFixed(2)}× (${(speedup / 2 * 100).toFixed(0)} % per rank)`,
      speedup >= 1.85,
    ),
  ];
}

/**
 * The section as Markdown.
 *
 * @param r The results.
 * @returns The text.
 */
export function formatMpiPool(r: MpiPoolResults): string {
  const lines = [
    `### MpiPool: π over ${r.trials.toLocaleString("en")} trials, 1 worker per rank (${r.mode})`,
    "",
  ];
  if ("skipped" in r.ranks) return [...lines, `Skipped: ${r.ranks.skipped}`].join("\n");
  const one = r.ranks["1"], two = r.ranks["2"];
  const speedup = one.median / two.median;
  return [
    ...lines,
    fmt.table([
      ["ranks", "map time", "speedup", "target", "met"],
      ["1 (`mpirun -n 1`)", fmt.medBest(one), "1.00×", "", ""],
      [
        "2 (`mpirun -n 2`)",
        fmt.medBest(two),
        `${speedup.toFixed(2)}× (${(speedup / 2 * 100).toFixed(0)} % per rank)`,
        "≥ 1.85×",
        fmt.check(speedup >= 1.85),
      ],
    ]),
  ].join("\n");
}

if (import.meta.main) {
  // `deno run -A bench/mpi_pool.ts [--quick] [--json FILE]`: this section alone; mpirun starts
  // each rank of a run with `--rank`.
  await runSection(Deno.args, {
    name: "MpiPool",
    python: "none",
    run: benchMpiPool,
    format: formatMpiPool,
  }, {
    options: ["trials", "runs"],
    run: (values) => rankMain(Number(values.trials), Number(values.runs)),
  });
}
