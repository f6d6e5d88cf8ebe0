/**
 * `Comm`'s collective calls, as the class's methods run them: the options checked (a refusal
 * is a rejected promise), then the collective of `_collective.ts` with its defaults (root 0,
 * op `"sum"`). Lower-case names move structured values, upper-case ones typed arrays in
 * place, as the methods of the same names.
 *
 * @module
 */

import type { TypedArray } from "./_args.ts";
import * as collective from "./_collective.ts";
import type { Runtime } from "./_runtime.ts";
import { OP, REDUCE, refused, ROOT } from "./_call_options.ts";
import type {
  AllreduceOptions,
  BufferReduceOptions,
  ReduceOptions,
  RootOptions,
} from "./options.ts";
import type { OpName } from "./ops.ts";

/** `Comm.barrier`. */
export function barrier(rt: Runtime): Promise<void> {
  return collective.barrier(rt);
}

/** `Comm.bcast`. */
export function bcast<T>(rt: Runtime, value: T, options: RootOptions): Promise<T> {
  const bad = refused(options, ROOT, "bcast");
  if (bad !== null) return bad;
  return collective.bcastValue(rt, value, options.root ?? 0);
}

/** `Comm.scatter`. */
export function scatter<T>(
  rt: Runtime,
  values: readonly T[] | null,
  options: RootOptions,
): Promise<T> {
  const bad = refused(options, ROOT, "scatter");
  if (bad !== null) return bad;
  return collective.scatterValue(rt, values, options.root ?? 0);
}

/** `Comm.gather`. */
export function gather<T>(rt: Runtime, value: T, options: RootOptions): Promise<T[] | null> {
  const bad = refused(options, ROOT, "gather");
  if (bad !== null) return bad;
  return collective.gatherValue(rt, value, options.root ?? 0);
}

/** `Comm.reduce`. */
export function reduce<T>(rt: Runtime, value: T, options: ReduceOptions<T>): Promise<T | null> {
  const bad = refused(options, REDUCE, "reduce");
  if (bad !== null) return bad;
  return collective.reduceValue(rt, value, options.op ?? "sum", options.root ?? 0);
}

/** `Comm.allreduce`. */
export function allreduce<T>(rt: Runtime, value: T, options: AllreduceOptions<T>): Promise<T> {
  const bad = refused(options, OP, "allreduce");
  if (bad !== null) return bad;
  return collective.allreduceValue(rt, value, options.op ?? "sum");
}

/** `Comm.Bcast`. */
export function Bcast<B extends TypedArray>(rt: Runtime, buf: B, options: RootOptions): Promise<B> {
  const bad = refused(options, ROOT, "Bcast");
  if (bad !== null) return bad;
  return collective.bcastBuffer(rt, buf, options.root ?? 0);
}

/** `Comm.Reduce`. */
export function Reduce<B extends TypedArray>(
  rt: Runtime,
  sendbuf: B,
  recvbuf: B | null,
  options: BufferReduceOptions,
): Promise<B | null> {
  const bad = refused(options, REDUCE, "Reduce");
  if (bad !== null) return bad;
  return collective.reduceBuffer(rt, sendbuf, recvbuf, options.op ?? "sum", options.root ?? 0);
}

/** `Comm.Allreduce`. */
export function Allreduce<B extends TypedArray>(
  rt: Runtime,
  sendbuf: B,
  recvbuf: B,
  options: AllreduceOptions<never> & { op?: OpName },
): Promise<B> {
  const bad = refused(options, OP, "Allreduce");
  if (bad !== null) return bad;
  return collective.allreduceBuffer(rt, sendbuf, recvbuf, options.op ?? "sum");
}
