/**
 * Collective operations over MPI's non-blocking collectives (`MPI_Ibarrier`, `MPI_Ibcast`,
 * `MPI_Igather(v)`, `MPI_Iscatter(v)`, `MPI_Ireduce`, `MPI_Iallreduce`), each waited for by
 * {@linkcode progress}, so a rank that arrives first does not freeze its event loop.
 *
 * Structured values travel in two steps: their sizes (one `int` per rank), then their
 * serialized bytes. `reduce` gathers the values to the root and folds them there in rank
 * order; `allreduce` is `reduce` then `bcast`, so every rank gets the very same result (or
 * the very same error).
 *
 * @module
 */

import { decodeValue as deserialize, encodeValue as serialize } from "./_codec.ts";
import { MpiError } from "../errors.ts";
import { inPlace } from "./_ffi.ts";
import { bytesOf, datatype, int, type TypedArray } from "./_args.ts";
import { progress } from "./_progress.ts";
import { check, type Runtime } from "./_runtime.ts";
import { opHandle, type ReduceOp, reducer } from "./ops.ts";

const flag = new Int32Array(1);

function ptr(view: TypedArray | null): Deno.PointerValue {
  return view === null || view.byteLength === 0 ? null : Deno.UnsafePointer.of(bytesOf(view));
}

/** Starts a non-blocking collective with `start(handle)` and waits for it. */
async function run(rt: Runtime, call: string, start: (handle: Uint8Array) => number) {
  const handle = new Uint8Array(8);
  check(start(handle), call, rt.lib, rt.size);
  await progress(() => {
    check(rt.lib.MPI_Test(handle, flag, null), call, rt.lib, rt.size);
    return flag[0] !== 0;
  });
}

/** `MPI_Ibarrier`. */
export function barrier(rt: Runtime): Promise<void> {
  return run(rt, "MPI_Ibarrier", (h) => rt.lib.MPI_Ibarrier(rt.world, h));
}

/** `MPI_Ibcast` of a typed array, in place. */
export async function bcastBuffer<B extends TypedArray>(rt: Runtime, buf: B, root: number) {
  const type = datatype(rt.lib, "buf", buf);
  int("root", root);
  await run(
    rt,
    `MPI_Ibcast(root ${root})`,
    (h) => rt.lib.MPI_Ibcast(ptr(buf), buf.length, type, root, rt.world, h),
  );
  return buf;
}

/** Broadcasts a structured value from `root`: its size, then its bytes. */
export async function bcastValue<T>(rt: Runtime, value: T, root: number): Promise<T> {
  int("root", root);
  const size = new Int32Array(1);
  let bytes: Uint8Array | undefined;
  if (rt.rank === root) {
    bytes = serialize(value);
    size[0] = bytes.length;
  }
  await bcastBuffer(rt, size, root);
  bytes ??= new Uint8Array(size[0]!);
  await bcastBuffer(rt, bytes, root);
  return rt.rank === root ? value : deserialize(bytes) as T;
}

/** Gathers one structured value per rank to `root`, in rank order; `null` elsewhere. */
export async function gatherValue<T>(rt: Runtime, value: T, root: number): Promise<T[] | null> {
  int("root", root);
  const bytes = serialize(value);
  const mine = Int32Array.of(bytes.length);
  const isRoot = rt.rank === root;
  const sizes = isRoot ? new Int32Array(rt.size) : null;
  const int32 = rt.lib.ompi_mpi_int32_t, byte = rt.lib.ompi_mpi_byte;
  await run(
    rt,
    `MPI_Igather(root ${root})`,
    (h) => rt.lib.MPI_Igather(ptr(mine), 1, int32, ptr(sizes), 1, int32, root, rt.world, h),
  );
  let all: Uint8Array | null = null;
  const offsets = new Int32Array(isRoot ? rt.size : 0);
  if (sizes !== null) {
    let total = 0;
    sizes.forEach((n, r) => {
      offsets[r] = total;
      total += n;
    });
    all = new Uint8Array(total);
  }
  await run(rt, `MPI_Igatherv(root ${root})`, (h) =>
    rt.lib.MPI_Igatherv(
      ptr(bytes),
      bytes.length,
      byte,
      ptr(all),
      sizes ?? new Int32Array(0),
      offsets,
      byte,
      root,
      rt.world,
      h,
    ));
  if (sizes === null || all === null) return null;
  return [...sizes].map((n, r) => deserialize(all.subarray(offsets[r]!, offsets[r]! + n)) as T);
}

/** Scatters `values` (one per rank, read on `root` only) from `root`; each rank gets its own. */
export async function scatterValue<T>(
  rt: Runtime,
  values: readonly T[] | null | undefined,
  root: number,
): Promise<T> {
  int("root", root);
  const isRoot = rt.rank === root;
  let sizes: Int32Array | null = null;
  let offsets = new Int32Array(0);
  let all: Uint8Array | null = null;
  if (isRoot) {
    if (!Array.isArray(values) || values.length !== rt.size) {
      throw new RangeError(
        `Invalid values for scatter: ${
          Array.isArray(values) ? `${values.length} values` : String(values)
        }; the root must pass an array of exactly one value per rank (${rt.size})`,
      );
    }
    const parts = values.map((value) => serialize(value));
    sizes = Int32Array.from(parts, (part) => part.length);
    offsets = new Int32Array(rt.size);
    let total = 0;
    parts.forEach((part, r) => {
      offsets[r] = total;
      total += part.length;
    });
    all = new Uint8Array(total);
    parts.forEach((part, r) => all!.set(part, offsets[r]));
  }
  const mine = new Int32Array(1);
  const int32 = rt.lib.ompi_mpi_int32_t, byte = rt.lib.ompi_mpi_byte;
  await run(
    rt,
    `MPI_Iscatter(root ${root})`,
    (h) => rt.lib.MPI_Iscatter(ptr(sizes), 1, int32, ptr(mine), 1, int32, root, rt.world, h),
  );
  const bytes = new Uint8Array(mine[0]!);
  await run(rt, `MPI_Iscatterv(root ${root})`, (h) =>
    rt.lib.MPI_Iscatterv(
      ptr(all),
      sizes ?? new Int32Array(0),
      offsets,
      byte,
      ptr(bytes),
      bytes.length,
      byte,
      root,
      rt.world,
      h,
    ));
  return isRoot ? values![root]! : deserialize(bytes) as T;
}

/** Reduces one value per rank to `root` with `op`, folding in rank order; `null` elsewhere. */
export async function reduceValue<T>(
  rt: Runtime,
  value: T,
  op: ReduceOp<T>,
  root: number,
): Promise<T | null> {
  const fold = reducer(op);
  const values = await gatherValue(rt, value, root);
  return values === null ? null : values.reduce(fold);
}

/** Reduces one value per rank with `op`; every rank gets the result. */
export async function allreduceValue<T>(rt: Runtime, value: T, op: ReduceOp<T>): Promise<T> {
  // The fold runs on rank 0 only; if it throws (values an op cannot combine), every rank
  // gets the same error rather than waiting for a broadcast that never comes.
  let outcome: [true, T] | [false, unknown];
  try {
    outcome = [true, (await reduceValue(rt, value, op, 0)) as T];
  } catch (error) {
    if (error instanceof MpiError) throw error;
    outcome = [false, error];
  }
  const [ok, result] = await bcastValue(rt, outcome, 0);
  if (!ok) throw result;
  return result as T;
}

function checkPair(rt: Runtime, sendbuf: TypedArray, recvbuf: TypedArray | null) {
  const type = datatype(rt.lib, "sendbuf", sendbuf);
  if (recvbuf === null || recvbuf === sendbuf) return type;
  if (datatype(rt.lib, "recvbuf", recvbuf) !== type) {
    throw new TypeError(
      `Invalid recvbuf: a ${recvbuf.constructor.name} for a ${sendbuf.constructor.name} ` +
        "sendbuf; both must hold the same kind of element",
    );
  }
  if (recvbuf.length < sendbuf.length) {
    throw new RangeError(
      `Invalid recvbuf: ${recvbuf.length} elements for ${sendbuf.length}; make it at least as long`,
    );
  }
  return type;
}

/** `MPI_Ireduce` of typed arrays, element by element (in place when both are one array). */
export async function reduceBuffer<B extends TypedArray>(
  rt: Runtime,
  sendbuf: B,
  recvbuf: B | null,
  op: unknown,
  root: number,
): Promise<B | null> {
  const type = checkPair(rt, sendbuf, recvbuf);
  const handle = opHandle(rt.lib, op);
  int("root", root);
  const isRoot = rt.rank === root;
  if (isRoot && recvbuf === null) {
    throw new TypeError(
      "Invalid recvbuf: null on the root; the root needs a buffer for the result",
    );
  }
  const send = isRoot && recvbuf === sendbuf ? inPlace() : ptr(sendbuf);
  await run(rt, `MPI_Ireduce(root ${root})`, (h) =>
    rt.lib.MPI_Ireduce(
      send,
      isRoot ? ptr(recvbuf) : null,
      sendbuf.length,
      type,
      handle,
      root,
      rt.world,
      h,
    ));
  return isRoot ? recvbuf : null;
}

/** `MPI_Iallreduce` of typed arrays (in place when both are one array). */
export async function allreduceBuffer<B extends TypedArray>(
  rt: Runtime,
  sendbuf: B,
  recvbuf: B,
  op: unknown,
): Promise<B> {
  const type = checkPair(rt, sendbuf, recvbuf);
  const handle = opHandle(rt.lib, op);
  const send = recvbuf === sendbuf ? inPlace() : ptr(sendbuf);
  await run(
    rt,
    "MPI_Iallreduce",
    (h) => rt.lib.MPI_Iallreduce(send, ptr(recvbuf), sendbuf.length, type, handle, rt.world, h),
  );
  return recvbuf;
}
