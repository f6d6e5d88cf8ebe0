/**
 * MPI for Deno, in mpi4py's shape, over OpenMPI (`libmpi.so.40` through `Deno.dlopen`): the
 * tool for when one machine is not enough (tutorial 004: "use MPI and mpi4py"). Every rank of
 * `mpirun -n N deno run -A prog.ts` runs the same program; {@linkcode Comm.world} connects
 * them.
 *
 * ```text
 *  rank 0 (deno)                 OpenMPI (shared memory on a node, the network across)      rank 1
 *  ──────────────                ─────────────────────────────────────────────────          ──────
 *  comm.send(value) ─ encode ─▶ MPI_Isend(bytes) ─────────▶ MPI_Improbe ─▶ MPI_Imrecv ─▶ decode ─▶ await comm.recv()
 *  comm.Send(f64)   ──────────▶ MPI_Isend(f64's memory) ───▶ MPI_Irecv(the same f64 you passed) ──────────▶ await comm.Recv(f64)
 *  (encode: plain JSON data as JSON, anything else that structuredClone takes with node:v8)
 *  comm.reduce / bcast / scatter / gather / barrier ──▶ MPI_I{gather,bcast,scatter,reduce,barrier}(v) ◀── every rank
 *        every wait: MPI_Test in a tight loop (0.25 ms) ─▶ yield, spin 0.25 ms, by turns ─▶ after 20 ms, sleep 1 ms between tests
 * ```
 *
 * Nothing happens at import: the first use of `Comm.world` loads `libmpi` (so `--allow-ffi`
 * is needed then, not before) and starts MPI; MPI ends when the program does. Started without
 * `mpirun`, a program is a world of one rank that can message itself: that is how the
 * examples here run.
 *
 * Install and run:
 *
 * ```sh
 * apt-get install openmpi-bin libopenmpi-dev        # Debian/Ubuntu (macOS: brew install open-mpi)
 * mpirun --allow-run-as-root --oversubscribe -n 4 deno run -A examples/mpi_pi.ts
 * mpirun --hostfile hosts -n 16 deno run -A examples/mpi_pi.ts   # a cluster
 * ```
 *
 * @example The sum of every rank's number, on rank 0
 * ```ts
 * import { Comm } from "@workers/multiprocessing/mpi";
 * import assert from "node:assert/strict";
 *
 * const comm = Comm.world;
 * const total = await comm.reduce(comm.rank, { op: "sum", root: 0 });
 * if (comm.rank === 0) assert.equal(total, (comm.size * (comm.size - 1)) / 2);
 * else assert.equal(total, null);
 * ```
 *
 * @module
 */

export { Comm, type TypedArray } from "./comm.ts";
export type {
  AllreduceOptions,
  BufferReduceOptions,
  RecvOptions,
  ReduceOptions,
  RootOptions,
  SendOptions,
} from "./options.ts";
export * from "./constants.ts";
export { type OpName, type ReduceOp } from "./ops.ts";
export { Request, type RequestOperation } from "./request.ts";
export { Status } from "./status.ts";
export { type ErrorCode, MpiError, MultiprocessingError } from "../errors.ts";
export { MpiPool, type MpiPoolOptions } from "./mpi_pool.ts";
