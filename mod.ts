/**
 * **@workers/multiprocessing**: Python's `multiprocessing` and joblib's `Parallel(delayed(f))`
 * for Deno, on Web Workers, `SharedArrayBuffer` and `Atomics`. Every concept of Python's
 * tutorials under the name you know, in camelCase: `Pool`, `Process`, `Queue`, `Pipe`, `Lock`,
 * `Value`, `Manager`, `Parallel`… Each area is also its own export:
 * `@workers/multiprocessing/pool`, `…/process`, `…/sync`, `…/shared`, `…/ipc`, `…/manager`,
 * `…/parallel`, `…/errors`; and `@workers/multiprocessing/mpi`, MPI over OpenMPI (mpi4py's
 * communicator: `import { Comm } from "@workers/multiprocessing/mpi"`), which stays out of
 * this module so that its names (`Comm`, `Request`, `Status`) never shadow anything here.
 *
 * @example The tutorial's first example
 * ```ts
 * import { Pool } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const f = (x: number) => x * x + 1;
 * await using p = new Pool(4);
 * assert.deepEqual(await p.map(f, [0, 1, 2, 3, 4, 5, 6, 7]), [1, 2, 5, 10, 17, 26, 37, 50]);
 * ```
 *
 * @module
 */

export * from "./pool/mod.ts";
export * from "./process/mod.ts";
export * from "./sync/mod.ts";
export * from "./shared/mod.ts";
export * from "./ipc/mod.ts";
export * from "./manager/mod.ts";
export * from "./parallel/mod.ts";
export * from "./errors.ts";
