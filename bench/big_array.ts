/**
 * Issue 12's "100 MB `Float64Array` to a worker through shared memory" (part of the scoreboard's
 * message-passing section): a `RawArray("d", 13,107,200)` (100 MiB) handed to a warm worker as a
 * task argument, timed from the `apply` call to the worker's first line, on the clock every
 * thread of the process shares; the worker reads the last element to prove the memory arrived.
 *
 * ```sh
 * deno run -A bench/big_array.ts [--quick] [--json FILE]   # this part alone
 * ```
 *
 * The task function crosses into the worker by reference: it is exported here, and the worker
 * imports this module, which runs its program only under `import.meta.main`.
 *
 * @module
 */

import { Pool, RawArray, type SharedTypedArray } from "../mod.ts";
import * as fmt from "./_format.ts";
import { runSection, stamp } from "./_util.ts";

/**
 * In a worker: when the task started, and the array's last element.
 *
 * @param arr The shared array.
 * @returns `[stamp, last]` (process-wide clock, ms).
 */
export function arrived(arr: SharedTypedArray<"d">): [number, number] {
  const start = stamp();
  return [start, arr.typedArray[arr.typedArray.length - 1]!];
}

/** The part's results. */
export interface BigArrayResults {
  /** Bytes of the array. */
  bytes: number;
  /** The `apply` call to the worker's first line, ms. */
  oneWayMs: fmt.Summary;
  /** The whole round trip (`apply` to its result), ms. */
  roundTripMs: fmt.Summary;
}

/**
 * Runs the part.
 *
 * @param options `quick` for fewer runs (the size stays the target's).
 * @returns The results.
 */
export async function benchBigArray(options: { quick: boolean }): Promise<BigArrayResults> {
  const length = 100 * 2 ** 20 / 8;
  const arr = RawArray("d", length);
  arr.typedArray[length - 1] = 42;
  await using pool = new Pool(1);
  await pool.apply(arrived, [RawArray("d", 1)]);
  const oneWay: number[] = [];
  const round: number[] = [];
  for (let r = 0; r < (options.quick ? 3 : 15); r++) {
    const t0 = stamp();
    const [start, last] = await pool.apply(arrived, [arr]);
    round.push(stamp() - t0);
    oneWay.push(start - t0);
    if (last !== 42) throw new Error(`the worker saw ${last} as the last element, not 42`);
  }
  return { bytes: length * 8, oneWayMs: fmt.summarize(oneWay), roundTripMs: fmt.summarize(round) };
}

/**
 * The part's target row.
 *
 * @param r The results.
 * @returns The row.
 */
export function bigArrayTargets(r: BigArrayResults): fmt.TargetRow[] {
  const mb = (r.bytes / 2 ** 20).toFixed(0);
  return [fmt.targetRow(
    `${mb} MB Float64Array (RawArray) to a worker through shared memory ≤ 1 ms`,
    `${fmt.ms(r.oneWayMs.median)} to the worker's first line (best ${
      fmt.ms(r.oneWayMs.best)
    }); round ` +
      `trip ${fmt.ms(r.roundTripMs.median)}`,
    r.oneWayMs.median <= 1,
  )];
}

if (import.meta.main) {
  await runSection(Deno.args, {
    name: "100 MB shared array",
    python: "none",
    run: benchBigArray,
    format: (r) => bigArrayTargets(r).map((row) => `${row.target}: ${row.measured}`).join("\n"),
  });
}
