/**
 * Tutorial 004's Monte Carlo π across the ranks of an MPI job: each rank counts the hits of
 * its share of the trials (`hitCount`, as in the tutorial), `reduce` sums them on rank 0,
 * which prints the estimate and the time (`Wtime`). mpi4py's version is the same program:
 * `comm.reduce(hitCount(share), op=MPI.SUM, root=0)`.
 *
 * ```sh
 * mpirun --allow-run-as-root --oversubscribe -n 4 deno run -A examples/mpi_pi.ts
 * mpirun -n 4 deno run -A examples/mpi_pi.ts --trials 100000000
 * mpirun --hostfile hosts -n 16 deno run -A examples/mpi_pi.ts   # over a cluster
 * ```
 *
 * Started without mpirun it runs as one rank.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Comm } from "../mpi/mod.ts";

/**
 * Counts how many of `trials` random points of the unit square fall inside the unit circle.
 *
 * @param trials How many points to throw.
 * @returns The hits.
 */
export function hitCount(trials: number): number {
  let hits = 0;
  for (let i = 0; i < trials; i++) {
    const x = Math.random();
    const y = Math.random();
    if (x * x + y * y < 1.0) hits++;
  }
  return hits;
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { trials: { type: "string" } } });
  const trials = Number(values.trials ?? 10_000_000);
  if (!Number.isSafeInteger(trials) || trials < 1) {
    throw new RangeError(`Invalid --trials: ${values.trials}; expected a whole number ≥ 1`);
  }
  const comm = Comm.world;
  const { rank, size } = comm;
  // Rank r takes trials / size, the last rank the remainder too (as the tutorial splits).
  const share = Math.floor(trials / size);
  const mine = rank === size - 1 ? trials - share * (size - 1) : share;

  await comm.barrier();
  const start = comm.Wtime();
  const hits = await comm.reduce(hitCount(mine), { op: "sum", root: 0 });
  const elapsed = comm.Wtime() - start;
  if (rank === 0) {
    const pi = (4.0 * hits!) / trials;
    console.log(
      `pi ≈ ${pi.toFixed(6)} (error ${Math.abs(pi - Math.PI).toExponential(1)}) from ` +
        `${trials} trials on ${size} rank${size === 1 ? "" : "s"} in ${elapsed.toFixed(3)} s`,
    );
  }
}
