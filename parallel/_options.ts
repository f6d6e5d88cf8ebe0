/**
 * Checking `Parallel`'s options, eagerly, before any worker starts: each error names the
 * option, the value and the fix. joblib's counting rules live here: negative `nJobs` counts
 * down from the processor count, and `preDispatch` may be an expression in `nJobs`.
 *
 * @module
 */

import { assertNumber, describeValue } from "../_internal/checks.ts";

/** What `Parallel` returns for each call. */
export type ReturnAs = "list" | "generator" | "generator_unordered";

/**
 * The backends `Parallel` runs on (those of `Pool`): `"mpi"` once `MpiPool.start()` has been
 * awaited on every rank.
 */
export type ParallelBackend = "worker" | "inline" | "subprocess" | "mpi";

const RETURN_AS: readonly ReturnAs[] = ["list", "generator", "generator_unordered"];
const BACKENDS: readonly ParallelBackend[] = ["worker", "inline", "subprocess", "mpi"];

/** A value in an error message: a string in quotes, so `"2"` never reads as the number 2. */
function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : describeValue(value);
}

/**
 * Workers for `nJobs`, as joblib counts them: `-1` is every processor, `-2` all but one, and so
 * on (`cpus + 1 + nJobs`, at least 1); `0` is an error.
 */
export function resolveNJobs(nJobs: unknown, cpus: number): number {
  assertNumber(nJobs, `"nJobs"`, "a number", "pass e.g. { nJobs: 2 }, or -1 for every processor");
  if (!Number.isInteger(nJobs)) {
    throw new RangeError(
      `"nJobs" must be a whole number, got ${show(nJobs)}: pass e.g. { nJobs: 2 }, or -1 for ` +
        `every processor`,
    );
  }
  if (nJobs === 0) {
    throw new RangeError(
      `"nJobs" must not be 0 (as in joblib): pass how many workers to run, e.g. { nJobs: 2 }, ` +
        `1 to run the calls in this thread, or -1 for every processor`,
    );
  }
  return nJobs > 0 ? nJobs : Math.max(cpus + 1 + nJobs, 1);
}

/** `"auto"`, or a whole number of calls per batch. */
export function checkBatchSize(batchSize: unknown): number | "auto" {
  if (batchSize === "auto") return "auto";
  const fix = "pass e.g. { batchSize: 100 }, or leave it out to size batches automatically";
  assertNumber(batchSize, `"batchSize"`, `"auto" or a whole number, at least 1`, fix);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(
      `"batchSize" must be "auto" or a whole number, at least 1, got ${show(batchSize)}: ${fix}`,
    );
  }
  return batchSize;
}

/** One of the three output modes. */
export function checkReturnAs(returnAs: unknown): ReturnAs {
  if (!RETURN_AS.includes(returnAs as ReturnAs)) {
    throw new RangeError(
      `"returnAs" must be "list", "generator" or "generator_unordered", got ${show(returnAs)}: ` +
        `"list" resolves to every result in order, "generator" yields them in order as they ` +
        `come, "generator_unordered" as they finish`,
    );
  }
  return returnAs as ReturnAs;
}

/** A verbosity level, 0 (silent) and up, as joblib's `verbose`. */
export function checkVerbose(verbose: unknown): number {
  const fix = "pass e.g. { verbose: 5 } for progress lines, { verbose: 11 } for a line per " +
    "batch, or leave it out";
  assertNumber(verbose, `"verbose"`, "a number, at least 0", fix);
  if (Number.isNaN(verbose) || verbose < 0) {
    throw new RangeError(`"verbose" must be a number, at least 0, got ${show(verbose)}: ${fix}`);
  }
  return verbose;
}

/** A positive number of milliseconds (`Infinity`: no limit). */
export function checkTimeout(timeout: unknown): number {
  const fix = "pass e.g. { timeout: 10_000 } to fail calls that run longer than 10 s, or " +
    "leave it out";
  assertNumber(timeout, `"timeout"`, "a positive number of milliseconds", fix);
  if (!(timeout > 0)) {
    throw new RangeError(
      `"timeout" must be a positive number of milliseconds, got ${show(timeout)}: ${fix}`,
    );
  }
  return timeout;
}

/**
 * `"worker"`, `"inline"`, `"subprocess"` or `"mpi"`; by default `"inline"` for one job, as joblib runs
 * `n_jobs=1`.
 */
export function checkBackend(backend: unknown, nJobs: number): ParallelBackend {
  if (backend === undefined) return nJobs === 1 ? "inline" : "worker";
  if (!BACKENDS.includes(backend as ParallelBackend)) {
    throw new RangeError(
      `"backend" must be "worker", "inline", "subprocess" or "mpi", got ${show(backend)}: ` +
        `"worker" runs the calls in Web Workers, "inline" in this thread, "subprocess" in ` +
        `child processes (killable), "mpi" on the ranks of an mpirun job`,
    );
  }
  return backend as ParallelBackend;
}

/**
 * How many batches may be dispatched and not yet consumed: a whole number, `"all"`
 * (`Infinity`), or an arithmetic expression in `nJobs` (joblib's `"2*n_jobs"` form, with
 * `n_jobs` accepted too), rounded down, at least 1.
 */
export function resolvePreDispatch(preDispatch: unknown, nJobs: number): number {
  if (preDispatch === "all") return Infinity;
  const fail = (why: string): never => {
    throw new RangeError(
      `"preDispatch" must be a whole number, at least 1, "all", or an expression in nJobs such ` +
        `as "2*nJobs", got ${show(preDispatch)} (${why}): it bounds how many batches are read ` +
        `ahead of the results`,
    );
  };
  let value: number;
  if (typeof preDispatch === "number") value = preDispatch;
  else if (typeof preDispatch === "string") {
    try {
      value = evaluate(preDispatch, nJobs);
    } catch (error) {
      return fail((error as Error).message);
    }
  } else return fail("not a number or a string");
  if (Number.isNaN(value) || Math.floor(value) < 1) return fail("below 1");
  return Math.floor(value);
}

/**
 * Evaluates `+ - * /`, parentheses, numbers and the name `nJobs` (or `n_jobs`): the form of
 * joblib's `pre_dispatch` strings, without `eval`.
 */
export function evaluate(expression: string, nJobs: number): number {
  const tokens = expression.match(/\d+(?:\.\d*)?|\.\d+|[A-Za-z_]\w*|\S/g) ?? [];
  let at = 0;
  const peek = (): string | undefined => tokens[at];
  const expect = (token: string): void => {
    if (tokens[at++] !== token) throw new Error(`expected "${token}"`);
  };
  const primary = (): number => {
    const token = tokens[at++];
    if (token === undefined) throw new Error("the expression ends too soon");
    if (token === "(") {
      const value = sum();
      expect(")");
      return value;
    }
    if (token === "-") return -primary();
    if (token === "+") return primary();
    if (token === "nJobs" || token === "n_jobs") return nJobs;
    if (/^[\d.]/.test(token)) return Number(token);
    throw new Error(`unknown name or symbol "${token}"`);
  };
  const product = (): number => {
    let value = primary();
    while (peek() === "*" || peek() === "/") {
      value = tokens[at++] === "*" ? value * primary() : value / primary();
    }
    return value;
  };
  const sum = (): number => {
    let value = product();
    while (peek() === "+" || peek() === "-") {
      value = tokens[at++] === "+" ? value + product() : value - product();
    }
    return value;
  };
  const value = sum();
  if (at !== tokens.length) throw new Error(`unexpected "${tokens[at]}"`);
  return value;
}
