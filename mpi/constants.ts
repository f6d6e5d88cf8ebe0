/**
 * MPI's wildcards and special ranks, under mpi4py's names (`MPI.ANY_SOURCE`…).
 *
 * @module
 */

/**
 * `MPI_ANY_SOURCE`: a receive that takes a message from any rank. The rank it came from is in
 * the receive's {@linkcode Status} (`status.source`).
 *
 * @example
 * ```ts
 * import { ANY_SOURCE } from "@workers/multiprocessing/mpi";
 * import assert from "node:assert/strict";
 *
 * assert.equal(ANY_SOURCE, -1);
 * ```
 */
export const ANY_SOURCE: number = -1;

/**
 * `MPI_ANY_TAG`: a receive that takes a message of any tag (`status.tag` says which).
 *
 * @example
 * ```ts
 * import { ANY_TAG } from "@workers/multiprocessing/mpi";
 * import assert from "node:assert/strict";
 *
 * assert.equal(ANY_TAG, -1);
 * ```
 */
export const ANY_TAG: number = -1;

/**
 * `MPI_PROC_NULL`: a rank that sends and receives nothing, at once (handy at the edges of a
 * ring or a grid: the first rank "receives" from `PROC_NULL`).
 *
 * @example
 * ```ts
 * import { PROC_NULL } from "@workers/multiprocessing/mpi";
 * import assert from "node:assert/strict";
 *
 * assert.equal(PROC_NULL, -2);
 * ```
 */
export const PROC_NULL: number = -2;
