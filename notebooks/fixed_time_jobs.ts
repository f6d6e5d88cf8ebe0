/**
 * Tutorial 001's script: a job that takes a fixed second, mapped over `range(12)` by a pool.
 * The workers import this module to find `jobWithFixedExecutionTime` by reference; the program
 * at the bottom runs only when the file is the main program.
 *
 * ```sh
 * deno run -A notebooks/fixed_time_jobs.ts --processes 12
 * ```
 *
 * @module
 */

import { cpuCount, Pool } from "@workers/multiprocessing";
import { parseArgs } from "node:util";

/**
 * The tutorial's job: a fixed 1 s of waiting, then `x ** 2`. The wait blocks the thread, as
 * Python's `time.sleep` does: `Atomics.wait` on a scratch cell that nobody ever notifies.
 */
export function jobWithFixedExecutionTime(x: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  return x ** 2;
}

/** A list as Python prints it: `[0, 1, 4]`. */
export function pyList(xs: readonly unknown[]): string {
  return `[${xs.join(", ")}]`;
}

// The workers import this module: what follows must run only in the main program (Python's
// `if __name__ == "__main__":`), or each worker would start a pool of its own.
if (import.meta.main) {
  const { values } = parseArgs({ options: { processes: { type: "string" } } });
  const processes = values.processes === undefined ? cpuCount() : Number(values.processes);
  const inputs = Array.from({ length: 12 }, (_, i) => i);
  let t0 = performance.now();
  await using pool = new Pool(processes);
  await pool.map((i: number) => i, Array.from({ length: processes }, (_, i) => i), 1); // one task per worker
  console.log(`Pool of ${processes} started in ${((performance.now() - t0) / 1000).toFixed(3)} s`);
  t0 = performance.now();
  const outputs = await pool.map(jobWithFixedExecutionTime, inputs);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`range(0, ${inputs.length}) -> job -> ${pyList(outputs)}`);
  console.log(`\`map\` execution took ${seconds.toFixed(3)} s`);
}
