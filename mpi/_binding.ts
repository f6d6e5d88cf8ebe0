/**
 * Whether a rank's CPU binding leaves its workers room. `mpirun` binds each rank to one core
 * by default (to a socket past two ranks), and a rank's threads stay there: with
 * `workersPerRank: 4` and one core, four workers take turns on that core while the machine's
 * other cores idle. Nothing fails, so it is said on stderr, once per rank.
 *
 * @module
 */

import { cpus } from "node:os";
import { cpuCount } from "../process/mod.ts";

/**
 * The advice for a rank whose binding gives it fewer CPUs than its workers, or `undefined`.
 *
 * @param rank This rank.
 * @param workersPerRank The workers it runs.
 * @param allowed The CPUs this process may run on.
 * @param machine The machine's CPUs (`undefined` when they cannot be read).
 * @returns The warning's text, or `undefined` when the workers fit.
 */
export function bindingAdvice(
  rank: number,
  workersPerRank: number,
  allowed: number,
  machine: number | undefined,
): string | undefined {
  // Bound: fewer CPUs allowed than the machine has. (More workers than the machine has
  // cores is plain oversubscription, the user's choice, as with Pool.)
  if (machine === undefined || allowed >= machine || workersPerRank <= allowed) return undefined;
  return `MpiPool: rank ${rank} may run on ${allowed} of this machine's ${machine} CPUs (mpirun ` +
    `binds each rank to a core by default), so its ${workersPerRank} workers share ` +
    `${allowed === 1 ? "it" : "them"}. Start the job with "mpirun --bind-to none …", or give ` +
    `each rank its cores with "mpirun --map-by ppr:1:node:PE=${workersPerRank} …"`;
}

/**
 * Warns on stderr when this rank's binding gives it fewer CPUs than `workersPerRank`.
 *
 * @param rank This rank.
 * @param workersPerRank The workers it runs.
 */
export function warnIfBound(rank: number, workersPerRank: number): void {
  let machine: number | undefined;
  try {
    machine = cpus().length || undefined;
  } catch {
    machine = undefined; // no --allow-sys: nothing to compare with
  }
  const advice = bindingAdvice(rank, workersPerRank, cpuCount(), machine);
  if (advice !== undefined) console.warn(advice);
}
