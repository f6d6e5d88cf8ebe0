/**
 * {@linkcode Status}: where a received message came from, as mpi4py's `MPI.Status`.
 *
 * @module
 */

/**
 * What a receive learned about its message: the `source` rank, the `tag`, and its `count`
 * (elements of the receive buffer's type for `Recv`, serialized bytes for `recv`). Pass one as
 * the `status` option of a receive (or a probe) and read it after the call, as with mpi4py's
 * `comm.recv(source=MPI.ANY_SOURCE, status=status)`; it is what tells a receive from
 * `ANY_SOURCE` who sent the message.
 *
 * @example
 * ```ts
 * import { Comm, Status } from "@workers/multiprocessing/mpi";
 * import assert from "node:assert/strict";
 *
 * const comm = Comm.world; // without mpirun: one rank, which can message itself
 * await comm.send("hello", { dest: comm.rank, tag: 7 });
 * const status = new Status();
 * assert.equal(await comm.recv({ status }), "hello");
 * assert.equal(status.source, comm.rank);
 * assert.equal(status.tag, 7);
 * ```
 */
export class Status {
  /** The rank that sent the message (`-1` before any receive filled this status). */
  source: number = -1;
  /** The message's tag (`-1` before any receive). */
  tag: number = -1;
  /** MPI's error code for the message (`0`, `MPI_SUCCESS`, when all went well). */
  error: number = 0;
  /** Elements received, in the receive buffer's type (serialized bytes for `recv`). */
  count: number = 0;
  /** Whether the receive was cancelled (a `Request.cancel()` that came before a message). */
  cancelled: boolean = false;
}

/**
 * Copies an `MPI_Status` (its first three ints) and a count into `status`.
 *
 * @param status The status to fill (nothing happens when `undefined`).
 * @param raw The 24 bytes of an `MPI_Status`, as ints.
 * @param count The element count.
 */
export function fillStatus(status: Status | undefined, raw: Int32Array, count: number): void {
  if (status === undefined) return;
  status.source = raw[0]!;
  status.tag = raw[1]!;
  status.error = raw[2]!;
  status.count = count;
}
