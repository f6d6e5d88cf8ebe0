/**
 * {@linkcode Comm}: mpi4py's communicator (`MPI.COMM_WORLD`) over OpenMPI.
 *
 * @module
 */

import { MAX_STRING } from "./_ffi.ts";
import type { TypedArray } from "./_args.ts";
import * as collective from "./_collective_calls.ts";
import * as p2p from "./_p2p_calls.ts";
import { check, mpiRuntime, type Runtime } from "./_runtime.ts";
import type {
  AllreduceOptions,
  BufferReduceOptions,
  RecvOptions,
  ReduceOptions,
  RootOptions,
  SendOptions,
} from "./options.ts";
import type { OpName } from "./ops.ts";
import type { Request } from "./request.ts";
import type { Status } from "./status.ts";

export type { TypedArray };

/**
 * A communicator: the ranks of an MPI job and every way they talk, in mpi4py's shape. Every
 * rank of a program started with `mpirun -n N deno run -A prog.ts` runs the same program;
 * {@linkcode Comm.world} is all of them, each knowing its {@linkcode Comm.rank} (0 to N - 1)
 * and the {@linkcode Comm.size} N.
 *
 * Lower-case calls move **structured values** (anything `structuredClone` takes: numbers,
 * strings, arrays, plain objects, `Map`s, typed arrays…), serialized (plain data as JSON,
 * the rest with `node:v8`) as mpi4py's pickled API does: `send`/`recv`, `isend`/`irecv`, `bcast`, `scatter`, `gather`,
 * `reduce`, `allreduce`. Upper-case calls move **typed arrays in place**, without copies, as
 * mpi4py's buffer API: `Send`/`Recv`, `Isend`/`Irecv`, `Bcast`, `Reduce`, `Allreduce`.
 *
 * Every call that waits returns a promise, and waiting never freezes the event loop: the rank
 * tests in a tight loop for 0.25 ms, then yields to the event loop and spins again by turns
 * (so the event loop is never held longer than 0.25 ms at a time), and after 20 ms it sleeps
 * 1 ms between tests (so a rank that waits long gives its core away). A ping-pong costs about
 * a microsecond. mpi4py's `recv` blocks the thread instead; ours is `await comm.recv()`.
 *
 * Started without `mpirun`, a program is a world of one rank (MPI's singleton mode): every
 * example here runs so, messaging itself.
 *
 * An options object that is not an object, or has a key the call does not read (`{ tags: 3 }`,
 * `{ src: 0 }`), is a `TypeError` naming the key and the one meant (`"tag"`), thrown by the
 * calls that return a `Request` and rejected by those that return a promise, before anything
 * is sent: the options are mpi4py's (`dest`, `source`, `tag`, `status`, `root`, `op`), plus
 * `signal`.
 *
 * @example Ranks pass a value around a ring
 * ```ts
 * import { Comm } from "@workers/multiprocessing/mpi";
 * import assert from "node:assert/strict";
 *
 * const comm = Comm.world;
 * const next = (comm.rank + 1) % comm.size;
 * const previous = (comm.rank + comm.size - 1) % comm.size;
 * const sent = comm.isend({ from: comm.rank }, { dest: next });
 * const got = await comm.recv<{ from: number }>({ source: previous });
 * await sent;
 * assert.equal(got.from, previous);
 * ```
 */
export class Comm {
  static #world: Comm | undefined;
  #rt: Runtime;

  private constructor(rt: Runtime) {
    this.#rt = rt;
  }

  /**
   * `MPI_COMM_WORLD`: every rank of the job. The first use loads OpenMPI (`Deno.dlopen`, so
   * it needs `--allow-ffi`) and starts MPI (`MPI_Init_thread`); MPI ends when the program
   * does (`MPI_Finalize`, or `MPI_Abort` if the program exits with a non-zero code, which ends
   * every rank of the job rather than leaving them waiting).
   *
   * @throws {MpiError} When OpenMPI is missing or FFI is not allowed; the message says how to
   *   install OpenMPI and how to run under `mpirun`.
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * assert.ok(comm.rank >= 0 && comm.rank < comm.size);
   * ```
   */
  static get world(): Comm {
    Comm.#world ??= new Comm(mpiRuntime());
    return Comm.#world;
  }

  /**
   * This process's rank, 0 to `size - 1` (mpi4py's `comm.Get_rank()`, `comm.rank`).
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * assert.ok(Number.isInteger(Comm.world.rank));
   * ```
   */
  get rank(): number {
    return this.#rt.rank;
  }

  /**
   * How many ranks the communicator has (`mpirun -n N`; 1 without `mpirun`).
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * assert.ok(Comm.world.size >= 1);
   * ```
   */
  get size(): number {
    return this.#rt.size;
  }

  /**
   * The name of the machine this rank runs on (`MPI_Get_processor_name`).
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * assert.ok(Comm.world.processorName.length > 0);
   * ```
   */
  get processorName(): string {
    const name = new Uint8Array(MAX_STRING);
    const length = new Int32Array(1);
    check(
      this.#rt.lib.MPI_Get_processor_name(name, length),
      "MPI_Get_processor_name",
      this.#rt.lib,
    );
    return new TextDecoder().decode(name.subarray(0, length[0]!));
  }

  /**
   * Seconds since a fixed moment in the past (`MPI_Wtime`): subtract two readings to time
   * something, as with mpi4py's `MPI.Wtime()`.
   *
   * @returns Seconds, with a resolution of {@linkcode Comm.Wtick}.
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * const start = comm.Wtime();
   * await new Promise((resolve) => setTimeout(resolve, 20));
   * assert.ok(comm.Wtime() - start >= 0.015);
   * ```
   */
  Wtime(): number {
    return this.#rt.lib.MPI_Wtime();
  }

  /**
   * The resolution of {@linkcode Comm.Wtime}, in seconds (`MPI_Wtick`).
   *
   * @returns Seconds.
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * assert.ok(Comm.world.Wtick() > 0);
   * ```
   */
  Wtick(): number {
    return this.#rt.lib.MPI_Wtick();
  }

  /**
   * Sends a structured value (mpi4py's `comm.send(obj, dest, tag)`); settles once the value
   * is on its way (small values at once; large ones when the receiver takes them).
   *
   * @param value Any structured-cloneable value.
   * @param options `dest` and `tag`.
   * @throws {MpiError} For a bad rank or tag (`MPI_ERR_RANK`, `MPI_ERR_TAG`).
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * await comm.send({ data: [1, 2] }, { dest: comm.rank, tag: 3 });
   * assert.deepEqual(await comm.recv({ source: comm.rank, tag: 3 }), { data: [1, 2] });
   * ```
   */
  send(value: unknown, options: SendOptions): Promise<void> {
    return p2p.send(this.#rt, value, options);
  }

  /**
   * Starts sending a structured value (mpi4py's `comm.isend`): it is serialized now, so later
   * changes to it are not sent.
   *
   * @param value Any structured-cloneable value.
   * @param options `dest` and `tag`.
   * @returns A request that completes when the value is on its way.
   * @throws {MpiError} For a bad rank or tag.
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * const request = comm.isend("hi", { dest: comm.rank });
   * assert.equal(await comm.recv(), "hi");
   * await request;
   * ```
   */
  isend(value: unknown, options: SendOptions): Request<void> {
    return p2p.isend(this.#rt, value, options);
  }

  /**
   * Receives a structured value (mpi4py's `comm.recv(source, tag, status)`), from any rank
   * and with any tag unless `source`/`tag` say otherwise.
   *
   * @typeParam T The value's type (not checked).
   * @param options `source`, `tag`, `status`, `signal`.
   * @returns The value.
   * @throws {MpiError} For a bad rank or tag.
   *
   * @example Who sent it, with which tag
   * ```ts
   * import { ANY_SOURCE, Comm, Status } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * await comm.send(42, { dest: comm.rank, tag: 9 });
   * const status = new Status();
   * assert.equal(await comm.recv({ source: ANY_SOURCE, status }), 42);
   * assert.deepEqual([status.source, status.tag], [comm.rank, 9]);
   * ```
   */
  recv<T = unknown>(options: RecvOptions = {}): Promise<T> {
    return p2p.recv<T>(this.#rt, options);
  }

  /**
   * Starts receiving a structured value (mpi4py's `comm.irecv`). Each test probes for a
   * matching message (`MPI_Improbe`); once one matches, it is received into a buffer of its
   * size. `cancel()` (or `signal`) stops a receive that matched nothing yet.
   *
   * @typeParam T The value's type (not checked).
   * @param options `source`, `tag`, `status`, `signal`.
   * @returns A request that completes with the value.
   * @throws {MpiError} For a bad rank or tag.
   *
   * @example Poll for work from anyone, as a pool's server does
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * const next = comm.irecv();
   * assert.equal(next.test()[0], false);
   * next.cancel();
   * await assert.rejects(next.wait(), { name: "AbortError" });
   * ```
   */
  irecv<T = unknown>(options: RecvOptions = {}): Request<T> {
    return p2p.irecv<T>(this.#rt, options);
  }

  /**
   * Whether a matching message is waiting, without receiving it (`MPI_Iprobe`; mpi4py's
   * `comm.iprobe`). Its source, tag and size in bytes go to `status`.
   *
   * @param options `source`, `tag`, `status`.
   * @returns `true` if a message is waiting.
   *
   * @example
   * ```ts
   * import { Comm, Status } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * assert.equal(comm.iprobe({ tag: 5 }), false);
   * await comm.send("x", { dest: comm.rank, tag: 5 });
   * const status = new Status();
   * assert.equal(comm.iprobe({ tag: 5, status }), true);
   * assert.equal(status.tag, 5);
   * assert.equal(await comm.recv({ tag: 5 }), "x");
   * ```
   */
  iprobe(options: Omit<RecvOptions, "signal"> = {}): boolean {
    return p2p.iprobe(this.#rt, options);
  }

  /**
   * Waits until a matching message is waiting, without receiving it (mpi4py's `comm.probe`).
   *
   * @param options `source`, `tag`, `signal`.
   * @returns The message's status: `source`, `tag`, `count` (bytes).
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * await comm.send([1], { dest: comm.rank, tag: 2 });
   * const status = await comm.probe();
   * assert.equal(status.tag, 2);
   * assert.deepEqual(await comm.recv({ tag: status.tag }), [1]);
   * ```
   */
  probe(options: Omit<RecvOptions, "status"> = {}): Promise<Status> {
    return p2p.probe(this.#rt, options);
  }

  /**
   * Sends a typed array as it is, without a copy (mpi4py's `comm.Send`). Settles once the
   * array may be changed again.
   *
   * @param buf The data (a `Float64Array`, `Int32Array`, `Uint8Array`…).
   * @param options `dest` and `tag`.
   * @throws {MpiError} For a bad rank or tag.
   * @throws {TypeError} When `buf` is not a typed array.
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * const out = new Float64Array(3);
   * const receiving = comm.Irecv(out, { source: comm.rank });
   * await comm.Send(Float64Array.of(1, 2, 3), { dest: comm.rank });
   * assert.equal(await receiving, out);
   * assert.deepEqual([...out], [1, 2, 3]);
   * ```
   */
  Send(buf: TypedArray, options: SendOptions): Promise<void> {
    return p2p.Send(this.#rt, buf, options);
  }

  /**
   * Starts sending a typed array as it is (mpi4py's `comm.Isend`): leave it unchanged until
   * the request completes.
   *
   * @param buf The data.
   * @param options `dest` and `tag`.
   * @returns A request that completes when `buf` may be changed again.
   * @throws {MpiError} For a bad rank or tag.
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * const sent = comm.Isend(Int32Array.of(7), { dest: comm.rank });
   * const got = await comm.Recv(new Int32Array(1), { source: comm.rank });
   * await sent;
   * assert.equal(got[0], 7);
   * ```
   */
  Isend(buf: TypedArray, options: SendOptions): Request<void> {
    return p2p.Isend(this.#rt, buf, options);
  }

  /**
   * Receives into a typed array, without a copy (mpi4py's `comm.Recv`). The message must
   * hold the same kind of elements and fit (`MPI_ERR_TRUNCATE` otherwise); `status.count`
   * says how many elements came.
   *
   * @param buf Where the data goes; it is also what the promise gives back.
   * @param options `source`, `tag`, `status`, `signal`.
   * @returns `buf`, filled.
   * @throws {MpiError} For a bad rank or tag, or a message too long.
   *
   * @example
   * ```ts
   * import { Comm, Status } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * const sent = comm.Isend(Float64Array.of(0.5, 1.5), { dest: comm.rank, tag: 4 });
   * const status = new Status();
   * const buf = new Float64Array(10);
   * assert.equal(await comm.Recv(buf, { status }), buf);
   * await sent;
   * assert.deepEqual([status.count, status.tag, buf[1]], [2, 4, 1.5]);
   * ```
   */
  Recv<B extends TypedArray>(buf: B, options: RecvOptions = {}): Promise<B> {
    return p2p.Recv(this.#rt, buf, options);
  }

  /**
   * Starts receiving into a typed array (mpi4py's `comm.Irecv`).
   *
   * @param buf Where the data goes.
   * @param options `source`, `tag`, `status`, `signal`.
   * @returns A request that completes with `buf`, filled.
   * @throws {MpiError} For a bad rank or tag.
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * const request = comm.Irecv(new Uint8Array(4), { tag: 8 });
   * assert.equal(request.test()[0], false);
   * await comm.Send(Uint8Array.of(1, 2, 3, 4), { dest: comm.rank, tag: 8 });
   * assert.deepEqual([...await request], [1, 2, 3, 4]);
   * ```
   */
  Irecv<B extends TypedArray>(buf: B, options: RecvOptions = {}): Request<B> {
    return p2p.Irecv(this.#rt, buf, options);
  }

  /**
   * Waits until every rank has called `barrier()` (`MPI_Ibarrier`).
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   *
   * await Comm.world.barrier();
   * ```
   */
  barrier(): Promise<void> {
    return collective.barrier(this.#rt);
  }

  /**
   * Broadcasts a structured value from `root` to every rank (mpi4py's `comm.bcast`): the
   * root's `value` is what every rank gets; the others pass anything (e.g. `null`).
   *
   * @typeParam T The value's type.
   * @param value The value, on the root.
   * @param options `root`.
   * @returns The root's value.
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * const config = await comm.bcast(comm.rank === 0 ? { steps: 10 } : null, { root: 0 });
   * assert.deepEqual(config, { steps: 10 });
   * ```
   */
  bcast<T>(value: T, options: RootOptions = {}): Promise<T> {
    return collective.bcast(this.#rt, value, options);
  }

  /**
   * Gives rank `i` the root's `values[i]` (mpi4py's `comm.scatter`); the other ranks pass
   * `null`.
   *
   * @typeParam T The values' type.
   * @param values On the root, exactly one value per rank.
   * @param options `root`.
   * @returns This rank's value.
   * @throws {RangeError} On the root, when `values` does not hold `size` values.
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * const parts = comm.rank === 0 ? Array.from({ length: comm.size }, (_, i) => i * 10) : null;
   * assert.equal(await comm.scatter(parts), comm.rank * 10);
   * ```
   */
  scatter<T>(values: readonly T[] | null, options: RootOptions = {}): Promise<T> {
    return collective.scatter(this.#rt, values, options);
  }

  /**
   * Collects one structured value from every rank on `root` (mpi4py's `comm.gather`).
   *
   * @typeParam T The values' type.
   * @param value This rank's value.
   * @param options `root`.
   * @returns On the root, the values in rank order; `null` on the other ranks.
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * const all = await comm.gather(comm.rank ** 2);
   * if (comm.rank === 0) assert.deepEqual(all, Array.from({ length: comm.size }, (_, i) => i ** 2));
   * else assert.equal(all, null);
   * ```
   */
  gather<T>(value: T, options: RootOptions = {}): Promise<T[] | null> {
    return collective.gather(this.#rt, value, options);
  }

  /**
   * Combines one value per rank on `root` (mpi4py's `comm.reduce`), in rank order.
   *
   * @typeParam T The values' type.
   * @param value This rank's value.
   * @param options `op` (default `"sum"`) and `root`.
   * @returns The combination on the root, `null` elsewhere.
   * @throws {TypeError} For an unknown op, or values a predefined op cannot combine.
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * const total = await comm.reduce(comm.rank + 1, { op: "sum", root: 0 });
   * if (comm.rank === 0) assert.equal(total, (comm.size * (comm.size + 1)) / 2);
   * ```
   */
  reduce<T>(value: T, options: ReduceOptions<T> = {}): Promise<T | null> {
    return collective.reduce(this.#rt, value, options);
  }

  /**
   * Combines one value per rank, and gives every rank the result (mpi4py's
   * `comm.allreduce`).
   *
   * @typeParam T The values' type.
   * @param value This rank's value.
   * @param options `op` (default `"sum"`).
   * @returns The combination.
   * @throws {TypeError} For an unknown op, or values a predefined op cannot combine.
   *
   * @example With a function
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * const ranks = await comm.allreduce([comm.rank], { op: (a, b) => [...a, ...b] });
   * assert.deepEqual(ranks, Array.from({ length: comm.size }, (_, i) => i));
   * ```
   */
  allreduce<T>(value: T, options: AllreduceOptions<T> = {}): Promise<T> {
    return collective.allreduce(this.#rt, value, options);
  }

  /**
   * Broadcasts a typed array from `root` in place (mpi4py's `comm.Bcast`): every rank passes
   * an array of the same kind and length, and gets the root's contents in it.
   *
   * @param buf The data on the root; where it goes elsewhere.
   * @param options `root`.
   * @returns `buf`.
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * const buf = comm.rank === 0 ? Float64Array.of(3.5) : new Float64Array(1);
   * await comm.Bcast(buf, { root: 0 });
   * assert.equal(buf[0], 3.5);
   * ```
   */
  Bcast<B extends TypedArray>(buf: B, options: RootOptions = {}): Promise<B> {
    return collective.Bcast(this.#rt, buf, options);
  }

  /**
   * Combines typed arrays element by element on `root` (mpi4py's `comm.Reduce`). Pass the
   * same array as `sendbuf` and `recvbuf` on the root to reduce in place; other ranks may
   * pass `null` as `recvbuf`.
   *
   * @param sendbuf This rank's data.
   * @param recvbuf Where the root gets the result (as long as `sendbuf`, same kind).
   * @param options `op` (a predefined name; default `"sum"`) and `root`.
   * @returns `recvbuf` on the root, `null` elsewhere.
   * @throws {TypeError} For a function op, or arrays of different kinds.
   *
   * @example
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * const result = await comm.Reduce(Int32Array.of(1, comm.rank), new Int32Array(2), {
   *   op: "max",
   * });
   * if (comm.rank === 0) assert.deepEqual([...result!], [1, comm.size - 1]);
   * ```
   */
  Reduce<B extends TypedArray>(
    sendbuf: B,
    recvbuf: B | null,
    options: BufferReduceOptions = {},
  ): Promise<B | null> {
    return collective.Reduce(this.#rt, sendbuf, recvbuf, options);
  }

  /**
   * Combines typed arrays element by element, every rank getting the result (mpi4py's
   * `comm.Allreduce`); the same array as both buffers reduces in place.
   *
   * @param sendbuf This rank's data.
   * @param recvbuf Where the result goes (as long as `sendbuf`, same kind).
   * @param options `op` (a predefined name; default `"sum"`).
   * @returns `recvbuf`.
   * @throws {TypeError} For a function op, or arrays of different kinds.
   *
   * @example In place
   * ```ts
   * import { Comm } from "@workers/multiprocessing/mpi";
   * import assert from "node:assert/strict";
   *
   * const comm = Comm.world;
   * const counts = Float64Array.of(1, 2);
   * await comm.Allreduce(counts, counts, { op: "sum" });
   * assert.deepEqual([...counts], [comm.size, 2 * comm.size]);
   * ```
   */
  Allreduce<B extends TypedArray>(
    sendbuf: B,
    recvbuf: B,
    options: AllreduceOptions<never> & { op?: OpName } = {},
  ): Promise<B> {
    return collective.Allreduce(this.#rt, sendbuf, recvbuf, options);
  }

  /**
   * Ends every rank of the job at once (`MPI_Abort`), e.g. after an error that the other
   * ranks cannot know about. mpirun reports the code; this process exits with it.
   *
   * @param errorCode The exit code.
   *
   * @example
   * ```ts ignore
   * import { Comm } from "@workers/multiprocessing/mpi";
   *
   * Comm.world.abort(2);
   * ```
   */
  abort(errorCode = 1): never {
    this.#rt.lib.MPI_Abort(this.#rt.world, errorCode);
    Deno.exit(errorCode);
  }
}
