/**
 * `MpiPool`: a `Pool` whose workers run on every rank of an mpirun job, in
 * `mpi4py.futures.MPICommExecutor`'s style. Every rank calls `MpiPool.start()`; rank 0 gets
 * the pool, the other ranks serve its workers inside `start()` until rank 0 is done with it,
 * and then get `null`.
 *
 * ```
 *  mpirun -n 3 deno run -A prog.ts
 *  rank 0: pool = await MpiPool.start()   scheduler ─┬─ worker (Web Worker, rank 0)
 *                                                    ├─ remote ══MPI══▶ rank 1: worker
 *                                                    └─ remote ══MPI══▶ rank 2: worker
 *  rank 1, 2: await MpiPool.start() serves, then gives null
 * ```
 *
 * @module
 */

import { findBackend, registerBackend, unregisterBackend } from "../_internal/backends.ts";
import { callerModule } from "../_internal/caller_module.ts";
import { assertNumber, describeValue } from "../_internal/checks.ts";
import { assertNotBootstrapping } from "../_internal/identity.ts";
import { checkOptionKeys } from "../_internal/option_keys.ts";
import { resolveImports } from "../_internal/task_inputs.ts";
import { Pool, type PoolOptions } from "../pool/mod.ts";
import { MpiBackend } from "./_pool_backend.ts";
import { warnIfBound } from "./_binding.ts";
import { serve } from "./_pool_serve.ts";
import { mpiRuntime } from "./_runtime.ts";
import { Comm } from "./comm.ts";

/** The options of {@linkcode MpiPool.start}: those of `Pool`, but its size and backend. */
export interface MpiPoolOptions extends Omit<PoolOptions, "backend"> {
  /**
   * How many workers each rank runs, rank 0 included: the pool has `size × workersPerRank`
   * workers. More than one uses a rank's cores too (hybrid: ranks × workers), e.g. one rank
   * per node with `workersPerRank: cpuCount()`. `mpirun` binds each rank to one core by
   * default, so start such a job with `mpirun --bind-to none` (or `--map-by ppr:1:node:PE=N`):
   * a rank with fewer CPUs than its workers says so on stderr.
   * @default {1}
   */
  workersPerRank?: number;
}

/** The keys of {@linkcode MpiPoolOptions}: those of `PoolOptions` but `backend`. */
const MPI_POOL_KEYS: readonly string[] = [
  "workersPerRank",
  "initializer",
  "initargs",
  "maxTasksPerChild",
  "maxMemoryPerChild",
  "imports",
  "context",
  "name",
  "console",
];

/**
 * A `Pool` over the ranks of an MPI job (mpi4py's `MPICommExecutor`): the same `map`,
 * `starmap`, `imap`, `imapUnordered`, `apply`, `applyAsync`, `mapAsync`, with each rank running
 * `workersPerRank` workers. Functions cross by reference (every rank runs the same program, so
 * a worker finds the exports of the module that started the pool) or by value, as with `Pool`;
 * a task that throws on another rank is a `RemoteError` on rank 0 with the remote stack.
 * While it runs, `Parallel({ backend: "mpi" })` and `new Pool(n, { backend: "mpi" })` run on
 * the ranks too.
 *
 * Ranks share no memory: shared objects (`Lock`, `Value`, `Queue`…) and `transfer()` do not
 * cross to another rank (a `TypeError` says so). A chunk sent to a rank is never taken back to
 * give to an idle worker elsewhere. The pool talks on tags 32760 and 32761 of `Comm.world`:
 * don't receive with `ANY_TAG` on rank 0 while it runs.
 *
 * Run it with `mpirun -n 4 deno run -A prog.ts` (a hostfile for a cluster); without mpirun it
 * is a pool of `workersPerRank` workers on this machine.
 *
 * @example Every rank runs this; rank 0 gets the pool
 * ```ts
 * import { MpiPool } from "@workers/multiprocessing/mpi";
 * import assert from "node:assert/strict";
 *
 * await using pool = await MpiPool.start();
 * if (pool !== null) {
 *   assert.deepEqual(await pool.map((x: number) => x * x, [1, 2, 3]), [1, 4, 9]);
 * }
 * ```
 */
export class MpiPool extends Pool {
  readonly #mpi: MpiBackend;
  readonly #perRank: number;

  private constructor(mpi: MpiBackend, perRank: number, options: PoolOptions) {
    super(mpi.places(), { ...options, backend: "mpi" });
    this.#mpi = mpi;
    this.#perRank = perRank;
  }

  /**
   * Starts the pool on every rank: call it on each (with the same options). Rank 0 gets the
   * pool at once; the others serve its workers and return `null` when rank 0 has closed and
   * joined it (or terminated it, or ended).
   *
   * @param options `workersPerRank`, and those of `Pool` (`initializer`, `context`, …).
   * @returns The pool on rank 0, `null` on the others.
   * @throws {MpiError} OpenMPI is missing or `--allow-ffi` is not granted (says how to run).
   * @throws {RangeError} `workersPerRank` is not a whole number ≥ 1.
   * @throws {TypeError} An option is unknown (the message names it, and the one meant when
   *   one is close), or has the wrong type.
   * @throws {DOMException} `InvalidStateError` when an `MpiPool` is already running.
   *
   * @example Hybrid: two workers per rank
   * ```ts
   * import { MpiPool } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * await using pool = await MpiPool.start({ workersPerRank: 2 });
   * if (pool !== null) assert.equal(pool.processes, 2 * pool.ranks);
   * ```
   */
  static async start(options: MpiPoolOptions = {}): Promise<MpiPool | null> {
    assertNotBootstrapping("an MpiPool");
    // Found before any await: the stack names the program's module only until then.
    const caller = callerModule();
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`"options" must be an object, e.g. { workersPerRank: 2 }`);
    }
    checkOptionKeys(options, MPI_POOL_KEYS, "MpiPool.start()", {
      backend: `MpiPool takes no "backend": it is the "mpi" backend`,
      processes: `the pool's size is set by "workersPerRank" on every rank`,
    });
    const { workersPerRank = 1, ...rest } = options;
    assertNumber(workersPerRank, `"workersPerRank"`, "a whole number, at least 1");
    if (!Number.isInteger(workersPerRank) || workersPerRank < 1) {
      throw new RangeError(
        `"workersPerRank" must be a whole number, at least 1, got ${describeValue(workersPerRank)}`,
      );
    }
    const imports = resolveImports(rest.imports, caller);
    Comm.world; // loads libmpi and starts MPI, or says how to
    const rt = mpiRuntime();
    warnIfBound(rt.rank, workersPerRank);
    let running: MpiBackend | undefined;
    try {
      running = findBackend("mpi") as MpiBackend;
    } catch {
      // None is running: good.
    }
    if (running !== undefined && !running.stopped) {
      throw new DOMException(
        "An MpiPool is already running: join or terminate it before starting another",
        "InvalidStateError",
      );
    }
    if (rt.rank !== 0) {
      await serve(rt);
      return null;
    }
    const mpi = new MpiBackend(rt, workersPerRank);
    registerBackend(mpi);
    try {
      return new MpiPool(mpi, workersPerRank, { ...rest, imports });
    } catch (error) {
      mpi.stop();
      unregisterBackend(mpi);
      throw error;
    }
  }

  /** How many ranks the job has. */
  get ranks(): number {
    return this.processes / this.#perRank;
  }

  /** How many workers each rank runs. */
  get workersPerRank(): number {
    return this.#perRank;
  }

  /**
   * Waits until every worker has stopped, as `Pool.join`; then the serving ranks leave
   * `MpiPool.start()`, and the `"mpi"` backend is gone.
   *
   * @example
   * ```ts
   * import { MpiPool } from "@workers/multiprocessing/mpi";
   *
   * const pool = await MpiPool.start();
   * if (pool !== null) {
   *   pool.close();
   *   await pool.join();
   * }
   * ```
   */
  override async join(): Promise<void> {
    await super.join();
    this.#mpi.stop();
    unregisterBackend(this.#mpi);
  }
}
