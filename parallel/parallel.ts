/**
 * {@linkcode Parallel}: joblib's `Parallel(n_jobs=…)(delayed(f)(x) for x in xs)` on the pool.
 *
 * ```
 *  main program                                                  workers (the Pool's)
 *  ┌────────────────────────────────────────────────────────┐     ┌──────────────────────┐
 *  │ Parallel({ nJobs, batchSize, preDispatch, … })(input)  │     │ worker host          │
 *  │   │ input: array / generator / async generator of      │     │  resolves f once     │
 *  │   │ delayed(f)(…args) = { fn: f, args }  (plain data)  │     │  (by reference or    │
 *  │   ▼                                                    │     │  by value), runs the │
 *  │ Dispatcher: reads size × nJobs calls when no batch is  │     │  batch's calls in    │
 *  │   ready, cuts them into nJobs batches of one function  │     │  order, answers once │
 *  │   (finer at the end); ≤ preDispatch batches out and    │     │                      │
 *  │   not yet consumed ── pool.map / starmap, 1 chunk ───▶ │ ──▶ │                      │
 *  │   ▲                                                    │     │                      │
 *  │   │ batch durations ◀── results / RemoteError ◀─────── │ ◀── │                      │
 *  │ AutoBatcher: size 1, ×2 at most per step toward        │     └──────────────────────┘
 *  │   0.2–2 s batches, shrinks at once                     │
 *  │   ▼                                                    │
 *  │ "list": one array in input order │ "generator": in     │
 *  │ order, lazily │ "generator_unordered": as they finish  │
 *  │ verbose lines (stderr) · progress bar (tty / Jupyter)  │
 *  └────────────────────────────────────────────────────────┘
 *   the pool: one per call (ended with it), or one for every call of a Parallel held with
 *   `await using`; nJobs: 1 runs on the pool's "inline" backend, through the same path
 * ```
 *
 * @module
 */

import { findBackend } from "../_internal/backends.ts";
import { callerModule } from "../_internal/caller_module.ts";
import { processorCount } from "../_internal/identity.ts";
import { checkOptionKeys } from "../_internal/option_keys.ts";
import { resolveImports } from "../_internal/task_inputs.ts";
import type { PoolOptions } from "../pool/mod.ts";
import {
  checkBackend,
  checkBatchSize,
  checkReturnAs,
  checkTimeout,
  checkVerbose,
  type ParallelBackend,
  resolveNJobs,
  resolvePreDispatch,
  type ReturnAs,
} from "./_options.ts";
import { ParallelCore, type Settings } from "./_runner.ts";
import { VerboseReporter } from "./_verbose.ts";
import type { Delayed, DelayedResult } from "./delayed.ts";
import type { ProgressOptions } from "./progress.ts";

export type { ParallelBackend, ReturnAs };

/** The keys of {@linkcode ParallelOptions}. */
const PARALLEL_KEYS: readonly string[] = [
  "nJobs",
  "batchSize",
  "returnAs",
  "verbose",
  "timeout",
  "preDispatch",
  "backend",
  "progress",
  "imports",
  "context",
];

/** joblib's options that have no counterpart here, and why. */
const JOBLIB_HINTS: Readonly<Record<string, string>> = {
  prefer: `joblib's "prefer" has no counterpart: choose with "backend"`,
  require: `joblib's "require" has no counterpart: "backend": "inline" shares this thread's memory`,
  max_nbytes:
    `joblib's "max_nbytes" has no counterpart: arrays are copied, or moved with transfer()`,
  mmap_mode:
    `joblib's "mmap_mode" has no counterpart: share big arrays with SharedArray or SharedMemory`,
  temp_folder: `joblib's "temp_folder" has no counterpart: nothing is written to disk`,
};

/** The keys of the `progress` option: a bar's options but its `total`, which is counted. */
const PROGRESS_KEYS: readonly string[] = ["description", "display", "interval", "write"];

/** Options of {@linkcode Parallel}, joblib's in camelCase. */
export interface ParallelOptions<M extends ReturnAs = ReturnAs> {
  /**
   * How many workers run the calls: `-1` for one per processor, `-2` for all but one, and so
   * on (`cpuCount() + 1 + nJobs`, at least 1); `1` runs them in this thread through the same
   * code path (the pool's `"inline"` backend), as joblib runs `n_jobs=1`. `0` is an error.
   * @default {1}
   */
  nJobs?: number;
  /**
   * Calls per batch (one message to a worker). `"auto"` tunes it as joblib does: batches
   * start at one call and grow (at most ×2 per step) until one takes 0.2–2 s, and shrink at
   * once when they take longer.
   * @default {"auto"}
   */
  batchSize?: number | "auto";
  /**
   * `"list"`: the call resolves to every result, in input order. `"generator"`: an async
   * generator of the results in input order, as they come (stopping early cancels the rest).
   * `"generator_unordered"`: the same, in the order the batches finish.
   * @default {"list"}
   */
  returnAs?: M;
  /**
   * joblib's progress lines on stderr: 0 prints nothing; from 1, lines at growing intervals
   * and a last one (`[Parallel(nJobs=2)]: Done  10 out of  10 | elapsed:    1.4s finished`);
   * above 10, a line per batch and the batch size's changes; from 50 on stdout.
   * @default {0}
   */
  verbose?: number;
  /**
   * Milliseconds a call may run. A call that runs longer fails the whole call with a
   * `TimeoutError` `DOMException`, and the workers are stopped (as loky kills them), since a
   * Web Worker cannot be interrupted otherwise; a `Parallel` held with `await using` starts
   * fresh ones for its next call. A batch of `k` calls gets `k` times as long; with a timeout,
   * the workers are started before the clocks run, and only `nJobs` batches are sent at once,
   * so each starts as it is sent. On the `"inline"` backend the calls run on this thread, so a
   * synchronous call cannot be interrupted (joblib applies no timeout to `n_jobs=1` either).
   * @default {Infinity}
   */
  timeout?: number;
  /**
   * How many batches may be read ahead of the results (sent, or finished and not yet taken):
   * a whole number, `"all"` to read the whole input at once, or an expression in `nJobs`
   * (joblib's form: `"2*nJobs"`, `"3 * n_jobs"`). No more calls are read than that many
   * batches hold: with `batchSize: 1` and `preDispatch: 3`, three calls are read at the start
   * and the fourth once one of them is done, as in joblib. A huge generator runs in bounded
   * memory. With `nJobs: 1` the calls run sequentially, as joblib's `n_jobs=1` does: one batch
   * is read, run and consumed before the next is read (`"auto"` batches start at one call and
   * grow only while the calls are quick, as with workers).
   * @default {"2*nJobs"}
   */
  preDispatch?: number | string;
  /**
   * `"worker"` runs the calls in Web Workers; `"inline"` in this thread (arguments and
   * results still cloned), for debugging; `"subprocess"` in child `deno` processes, which a
   * `timeout` stops for real (as loky's processes; no shared objects there); `"mpi"` on the
   * workers of every rank of an mpirun job, once `MpiPool.start()` has been awaited on each
   * (`nJobs: -1` then counts them all).
   * @default {"inline" when nJobs is 1, else "worker"}
   */
  backend?: ParallelBackend;
  /**
   * A live progress bar of the calls done, with rate and time remaining: on a terminal it is
   * redrawn in place on stderr, in the Deno Jupyter kernel it is an output updated in place,
   * elsewhere an occasional line (see {@linkcode ProgressOptions}).
   * @default {false}
   */
  progress?: boolean | Omit<ProgressOptions, "total">;
  /**
   * Modules the workers import to find functions by reference (as `Pool`'s `imports`).
   * @default {[the module that called Parallel()]}
   */
  imports?: (string | URL)[];
  /**
   * Free variables of functions sent by value (as `Pool`'s `context`).
   * @default {{}}
   */
  context?: Record<string, unknown>;
}

/**
 * What a {@linkcode ParallelRunner} call returns: a promise of the results for `"list"`, an
 * async generator of them for the generators.
 */
export type ParallelOutput<R, M extends ReturnAs> = M extends "list" ? Promise<R[]>
  : AsyncGenerator<R, void, undefined>;

/**
 * What {@linkcode Parallel} returns: call it with the delayed calls. Held with `await using`,
 * it keeps its workers for every call until the end of the block (joblib's
 * `with Parallel(…) as parallel:`); otherwise each call starts workers and ends them.
 */
export interface ParallelRunner<M extends ReturnAs = "list"> extends AsyncDisposable {
  /**
   * Runs the calls.
   *
   * @param tasks Delayed calls (`delayed(f)(…args)`): an array, any iterable, a generator,
   *   or an async iterable; read lazily, `preDispatch` batches ahead.
   * @returns The results (see {@linkcode ParallelOptions.returnAs}). The first call that
   *   throws rejects with a `RemoteError` (the original as its `cause`) and cancels the rest.
   */
  <D extends Delayed>(tasks: Iterable<D> | AsyncIterable<D>): ParallelOutput<DelayedResult<D>, M>;
  /** How many workers run the calls (`nJobs` resolved). */
  readonly nJobs: number;
  /** The backend the calls run on. */
  readonly backend: ParallelBackend;
  /** What each call returns. */
  readonly returnAs: M;
}

/**
 * joblib's `Parallel`: runs delayed calls (`delayed(f)(…args)`) on `nJobs` workers and gives
 * back their results, in input order or as they finish. The calls are sent in batches, sized
 * automatically as joblib sizes them, and read from the input only a few batches ahead, so a
 * generator of millions of calls runs in bounded memory.
 *
 * Functions reach the workers as `Pool` tasks do: by reference when the module that called
 * `Parallel()` (or one in `imports`) exports them, else by value (self-contained, with free
 * variables in `context`).
 *
 * Without `await using`, each call starts its workers and stops them when it ends (joblib's
 * default). Held with `await using`, a Parallel keeps one set of workers for all its calls
 * until the end of the block, and with them the batch size it learned (joblib's
 * `with Parallel(…) as parallel:`): the `await using` declaration itself is what tells it
 * (it reads the Parallel's dispose method), and so does `AsyncDisposableStack.use`: the way
 * to keep workers across the cells of a notebook, where starting them costs about a second.
 * Calls of one Parallel run one after another, as joblib's do: a call made while another
 * runs (for a generator: from its first `next()` to its end) is refused with a
 * `ParallelRunningError`. A call that ends with work still running (an error, a timeout, a
 * generator left early) replaces the workers.
 *
 * @param options See {@linkcode ParallelOptions}.
 * @returns The runner: call it with the delayed calls.
 * @throws {RangeError} An option is out of range: `nJobs: 0`, `batchSize: -1`, an unknown
 *   `returnAs` or `backend`, a `preDispatch` that does not evaluate to at least 1…
 * @throws {TypeError} An option has the wrong type, or is unknown (the message names it, and
 *   the option meant when one is close: `n_jobs` is `nJobs`).
 * @throws {ParallelRunningError} (from the runner) A call was made while another runs.
 *
 * @example The tutorial: `Parallel(n_jobs=2)(delayed(f)(x) for x in range(10))`
 * ```ts
 * import { delayed, Parallel } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const f = (x: number) => x * x;
 * function* range(n: number) {
 *   for (let i = 0; i < n; i++) yield i;
 * }
 * const out = await Parallel({ nJobs: 2 })(range(10).map((x) => delayed(f)(x)));
 * assert.deepEqual(out, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
 * ```
 *
 * @example Reusing the workers, results as they finish
 * ```ts
 * import { delayed, Parallel } from "@workers/multiprocessing/parallel";
 * import assert from "node:assert/strict";
 *
 * const cube = (x: number) => x ** 3;
 * await using parallel = Parallel({ nJobs: -1, returnAs: "generator_unordered" });
 * const seen: number[] = [];
 * for await (const y of parallel([1, 2, 3].map((x) => delayed(cube)(x)))) seen.push(y);
 * assert.deepEqual(seen.sort((a, b) => a - b), [1, 8, 27]);
 * // The same workers run the next call.
 * const [y] = await Array.fromAsync(parallel([delayed(cube)(4)]));
 * assert.equal(y, 64);
 * ```
 *
 * @example One set of workers across the cells of a notebook
 * ```ts
 * import { delayed, Parallel } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * // First cell: a stack takes charge of the Parallel, which then keeps its workers.
 * const cleanup = new AsyncDisposableStack();
 * const parallel = cleanup.use(Parallel({ nJobs: 2 }));
 * // Any later cell:
 * const inc = (x: number) => x + 1;
 * assert.deepEqual(await parallel([1, 2].map((x) => delayed(inc)(x))), [2, 3]);
 * // Last cell:
 * await cleanup.disposeAsync();
 * ```
 *
 * @example A failing call rejects the whole call
 * ```ts
 * import { delayed, Parallel, RemoteError } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const check = (x: number) => {
 *   if (x === 3) throw new RangeError(`bad ${x}`);
 *   return x;
 * };
 * const error = await Parallel({ nJobs: 2 })([1, 2, 3, 4].map((x) => delayed(check)(x)))
 *   .catch((e) => e);
 * assert.ok(error instanceof RemoteError);
 * assert.ok(error.cause instanceof RangeError);
 * ```
 */
export function Parallel<M extends ReturnAs = "list">(
  options: ParallelOptions<M> = {},
): ParallelRunner<M> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Parallel() takes an options object, e.g. Parallel({ nJobs: 2 })`);
  }
  checkOptionKeys(options, PARALLEL_KEYS, "Parallel()", JOBLIB_HINTS);
  const given = options.nJobs ?? 1;
  // "mpi" counts the ranks' workers, and says how to start it when it is not running.
  const places = options.backend === "mpi" ? findBackend("mpi").places?.() : undefined;
  const nJobs = resolveNJobs(given, places ?? processorCount());
  const returnAs = checkReturnAs(options.returnAs ?? "list");
  const backend = checkBackend(options.backend, nJobs);
  const verbose = checkVerbose(options.verbose ?? 0);
  const preDispatch = resolvePreDispatch(options.preDispatch ?? "2*nJobs", nJobs);
  const progressOption = options.progress ?? false;
  if (
    typeof progressOption !== "boolean" &&
    (typeof progressOption !== "object" || progressOption === null)
  ) {
    throw new TypeError(
      `"progress" must be true, false, or the bar's options, e.g. { description: "work" }`,
    );
  }
  if (typeof progressOption === "object") {
    checkOptionKeys(progressOption, PROGRESS_KEYS, `Parallel(): "progress"`, {
      total: "the total is the number of calls, counted as they are read",
    });
  }
  const context = options.context;
  if (context !== undefined && (typeof context !== "object" || context === null)) {
    throw new TypeError(
      `"context" must be a plain object of free variables, e.g. { context: { scale: 2 } }`,
    );
  }
  const pool: PoolOptions = { backend, imports: resolveImports(options.imports, callerModule()) };
  if (context !== undefined) pool.context = context;
  const settings: Settings = {
    nJobs,
    batchSize: checkBatchSize(options.batchSize ?? "auto"),
    returnAs,
    timeout: checkTimeout(options.timeout ?? Infinity),
    preDispatch,
    backend,
    progress: progressOption === false ? undefined : progressOption === true ? {} : progressOption,
    pool,
  };
  const reporter = new VerboseReporter(
    verbose,
    `Parallel(nJobs=${given})`,
    preDispatch,
  );
  const core = new ParallelCore(settings, reporter);
  const runner = function (tasks: Iterable<Delayed> | AsyncIterable<Delayed>) {
    return core.call(tasks);
  };
  const dispose = (): Promise<void> => core.dispose();
  Object.defineProperties(runner, {
    nJobs: { value: nJobs, enumerable: true },
    backend: { value: backend, enumerable: true },
    returnAs: { value: returnAs, enumerable: true },
    [Symbol.asyncDispose]: {
      // Read by `await using` (and `AsyncDisposableStack.use`) when it takes the Parallel in
      // charge: from then on, calls share one pool until it is disposed of.
      get() {
        core.manage();
        return dispose;
      },
    },
  });
  return runner as unknown as ParallelRunner<M>;
}
