/**
 * Reductions (mpi4py's `MPI.SUM`, `MPI.MIN`, `MPI.MAX`, `MPI.PROD`): by name for `reduce`,
 * `allreduce`, `Reduce` and `Allreduce`, or a function of two values for `reduce` and
 * `allreduce`.
 *
 * @module
 */

import type { MpiSymbols } from "./_ffi.ts";

/** A predefined reduction, by name: `MPI_SUM`, `MPI_MIN`, `MPI_MAX`, `MPI_PROD`. */
export type OpName = "sum" | "min" | "max" | "prod";

/**
 * What `reduce` and `allreduce` combine values with: a predefined name, or a function of two
 * values that returns their combination (it should be associative: values are combined in
 * rank order, `f(f(f(v0, v1), v2), v3)`, the same on every rank).
 *
 * @typeParam T The values reduced.
 */
export type ReduceOp<T> = OpName | ((a: T, b: T) => T);

/**
 * Combines two values as a predefined op does (numbers and bigints; `"sum"` also joins
 * strings, as Python's `+` does).
 *
 * @param op The op.
 * @param a The left value.
 * @param b The right value.
 * @returns The combination.
 * @throws {TypeError} When the values are not numbers, bigints (or strings for `"sum"`).
 */
export function combine<T>(op: OpName, a: T, b: T): T {
  const kind = typeof a;
  const ok = (kind === "number" || kind === "bigint" || (kind === "string" && op === "sum")) &&
    typeof b === kind;
  if (!ok) {
    throw new TypeError(
      `Cannot reduce ${describe(a)} and ${describe(b)} with "${op}": the predefined ops take ` +
        `numbers or bigints of one kind; pass a function as op (e.g. (a, b) => a.map((x, i) => ` +
        `x + b[i])), or use Reduce/Allreduce on typed arrays`,
    );
  }
  // deno-lint-ignore no-explicit-any
  const x = a as any, y = b as any;
  switch (op) {
    case "sum":
      return (x + y) as T;
    case "prod":
      return (x * y) as T;
    case "min":
      return (y < x ? y : x) as T;
    case "max":
      return (y > x ? y : x) as T;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/**
 * Checks `op` and gives the function that folds two values with it.
 *
 * @param op The op given by the caller.
 * @returns The folding function.
 * @throws {TypeError} When `op` is neither a predefined name nor a function.
 */
export function reducer<T>(op: ReduceOp<T>): (a: T, b: T) => T {
  if (typeof op === "function") return op;
  if (op === "sum" || op === "min" || op === "max" || op === "prod") {
    return (a, b) => combine(op, a, b);
  }
  throw new TypeError(
    `Invalid op ${JSON.stringify(op)}: use "sum", "min", "max", "prod" or a function (a, b) => …`,
  );
}

/**
 * The MPI handle of a predefined op, for the buffer reductions.
 *
 * @param lib The symbols.
 * @param op The op.
 * @returns The handle.
 * @throws {TypeError} When `op` is not one of the names (functions reduce only values).
 */
export function opHandle(lib: MpiSymbols, op: unknown): Deno.PointerValue {
  switch (op) {
    case "sum":
      return lib.ompi_mpi_op_sum;
    case "prod":
      return lib.ompi_mpi_op_prod;
    case "min":
      return lib.ompi_mpi_op_min;
    case "max":
      return lib.ompi_mpi_op_max;
  }
  throw new TypeError(
    `Invalid op ${typeof op === "function" ? "(a function)" : JSON.stringify(op)} for a ` +
      `buffer reduction: use "sum", "min", "max" or "prod"; reduce values with a function ` +
      `through reduce()/allreduce() instead`,
  );
}
