/**
 * {@linkcode Pool}: Python's `multiprocessing.Pool` on Deno Web Workers.
 *
 * @module
 */

import { PoolClosedError } from "../errors.ts";
import { describeValue } from "../_internal/checks.ts";
import { detachWorkers } from "../_internal/detach.ts";
import { describeFunction } from "../_internal/function_transport.ts";
import { checkWait, WAIT_KEYS } from "../_internal/futex.ts";
import { checkOptionKeys } from "../_internal/option_keys.ts";
import { assertNotBootstrapping } from "../_internal/identity.ts";
import type { CallMode, ConsoleMode, FunctionDescriptor } from "../_internal/protocol.ts";
import type { BackendName } from "../_internal/worker_session.ts";
import { encodeValue } from "../_internal/shareable.ts";
import { lazyMap } from "./_lazy_map.ts";
import { checkPoolOptions } from "./_options.ts";
import { type Chunk, type Outcome, PIPELINE, Scheduler } from "./_scheduler.ts";
import { AsyncResult } from "./async_result.ts";
import { checkCount, checkInput, collect, iteratorOf, type MapInput, toArgs } from "./_inputs.ts";

/** Options of {@linkcode Pool}. */
export interface PoolOptions {
  /**
   * Called in each worker when it starts, with {@linkcode PoolOptions.initargs}: the workers
   * start when the pool is made, so it runs even if no task comes. Reaches the worker as task
   * functions do. If it throws, the pool is broken: every task rejects with a
   * `BrokenPoolError` (Python's pool would restart workers forever). So is it when three
   * workers in a row die before they run a task (an initializer that exits, or leaves behind a
   * timer that throws or a rejection nobody handles, in the workers started later).
   */
  initializer?: (...args: never[]) => unknown;
  /**
   * Arguments of the initializer (structured-cloned; shared objects arrive as themselves).
   * @default {[]}
   */
  initargs?: unknown[];
  /**
   * Chunks a worker runs before it is retired and replaced by a fresh one (Python's
   * `maxtasksperchild`), to bound what a leaky task can hold.
   * @default {Infinity}
   */
  maxTasksPerChild?: number;
  /**
   * Memory a worker may hold after a task before it is retired and replaced by a fresh one,
   * as loky and tinypool recycle leaking workers: a number of bytes, or a size such as
   * `"512MB"` or `"2GiB"` (kB, MB, GB, TB are powers of 1000; KiB, MiB, GiB, TiB of 1024).
   *
   * After each chunk the worker measures its own V8 heap (`Deno.memoryUsage().heapUsed`) plus
   * the `ArrayBuffer`s it allocated (`external`); both are the worker's own, not the process's
   * (`rss` is not used). Past the limit, it takes no new task, the task waiting in it goes to
   * another worker (or to its replacement), and once its last answer is in it is replaced;
   * no task is lost or run twice. Garbage not yet collected counts too, so leave room above
   * what a task needs at once; a limit below what a fresh worker holds (a few MB, plus the
   * modules it imports) replaces the worker after every chunk. The measure costs ~3 µs per
   * chunk, only when this is set. Ignored by the `"inline"` backend, whose tasks share this
   * thread's heap.
   *
   * @example A task that leaks: its worker is replaced as its heap grows past 64 MB
   * ```ts
   * import { currentProcess, Pool } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * await using pool = new Pool(1, { maxMemoryPerChild: "64MB" });
   * const leak = (i: number) => {
   *   const kept = ((globalThis as { kept?: number[][] }).kept ??= []);
   *   kept.push(new Array(1_000_000).fill(i + 0.5)); // ~8 MB, never freed
   *   return currentProcess().ident;
   * };
   * const idents = [];
   * for (let i = 0; i < 20; i++) idents.push(await pool.apply(leak, [i]));
   * assert.ok(new Set(idents).size > 1, "the leaking worker was replaced");
   * ```
   * @default {Infinity}
   */
  maxMemoryPerChild?: number | string;
  /**
   * Modules the workers import to find task functions by reference: URLs, absolute paths, or
   * paths relative to the module that creates the pool (in a notebook, to the working
   * directory). Replaces the default.
   * @default {[the module that creates the pool]}
   */
  imports?: (string | URL)[];
  /**
   * Free variables of functions sent by value: structured-cloneable values, shared objects,
   * and self-contained functions (sent by value too, and able to call each other).
   * @default {{}}
   */
  context?: Record<string, unknown>;
  /**
   * The workers' name prefix: they are named `${name}-N`.
   * @default {"PoolWorker"}
   */
  name?: string;
  /**
   * `"worker"` runs tasks in Web Workers; `"inline"` runs them on the main thread through the
   * same code path (arguments and results are still cloned), for debugging; `"subprocess"`
   * runs each worker in a child `deno` process of its own (Python's spawn): slower to start
   * (~0.2 s) and without shared objects, but `terminate()`, an aborted call and a worker's
   * native crash stop the process for real, which a Web Worker busy in a loop cannot be (Deno
   * 2.9); `"mpi"` on the workers of every rank of an mpirun job, once `MpiPool.start()` has
   * been awaited on each (`MpiPool` is the usual way in; the default size is then every rank's
   * workers).
   * @default {"worker"}
   */
  backend?: BackendName;
  /**
   * What becomes of the workers' `console` output: `"forward"` prints it in this thread (so it
   * reaches a notebook cell), in order per worker and before the task's result; `"tagged"`
   * does so with each line prefixed by the worker's name (`[PoolWorker-1] hello`); `"inherit"`
   * lets the workers write to stdout themselves (see {@linkcode ConsoleMode}).
   * @default {"forward"}
   */
  console?: ConsoleMode;
}

/**
 * How one call of a {@linkcode Pool} method may be cut short. An aborted call rejects at once
 * with the signal's reason (a `TimeoutError` `DOMException` when its `timeout` passes); its
 * tasks still queued never run, those waiting in a worker behind other work are taken back, and
 * a worker running one of them is stopped and replaced once the answers of the tasks it ran
 * before are in, so no other call's task fails. Deno 2.9's `Worker.terminate()` does not stop a
 * task busy in a JavaScript loop: that thread runs on until the loop ends (upstream pull
 * request denoland/deno#35657); its result is dropped. On the `"subprocess"` backend the
 * worker's process is killed, and the task stops at once.
 *
 * @example A call that may take at most a second, and one cancelled by hand
 * ```ts
 * import { Pool } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool(2);
 * const slow = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
 * await assert.rejects(pool.apply(slow, [60_000], { timeout: 1_000 }), { name: "TimeoutError" });
 * const controller = new AbortController();
 * const pending = pool.map(slow, [60_000, 60_000], { signal: controller.signal });
 * controller.abort(new Error("changed my mind"));
 * await assert.rejects(pending, { message: "changed my mind" });
 * assert.deepEqual(await pool.map((x: number) => x * 2, [1, 2], { chunksize: 1 }), [2, 4]);
 * ```
 */
export interface CallOptions {
  /** Aborts the call. */
  signal?: AbortSignal;
  /**
   * Milliseconds the whole call may take, from now; then it is aborted with a `TimeoutError`.
   * @default {Infinity}
   */
  timeout?: number;
}

/** Options of the map methods: {@linkcode CallOptions} and the `chunksize`. */
export interface MapOptions extends CallOptions {
  /**
   * Calls per message (see {@linkcode Pool.map}).
   * @default {about a quarter of the calls per worker (map); 1 (imap)}
   */
  chunksize?: number;
}

/** Options of {@linkcode Pool.applyAsync}, {@linkcode Pool.mapAsync}, {@linkcode Pool.starmapAsync}. */
export interface AsyncCallbacks<R> extends CallOptions {
  /** Called with the value when the call succeeds. */
  callback?: (value: R) => void;
  /** Called with the error when the call fails. */
  errorCallback?: (error: unknown) => void;
}

const MAP = "map over the pool";
/** The keys of {@linkcode MapOptions}. */
const MAP_KEYS: readonly string[] = ["chunksize", ...WAIT_KEYS];
/** The keys of {@linkcode AsyncCallbacks}. */
const ASYNC_KEYS: readonly string[] = [...WAIT_KEYS, "callback", "errorCallback"];

/**
 * A pool of workers that run functions in parallel, as Python's `multiprocessing.Pool`: each
 * worker is a Web Worker, an isolated V8 heap on its own thread, so CPU-bound work runs truly
 * in parallel.
 *
 * A function reaches the workers **by reference** when it is exported by the module that
 * creates the pool (or one named in `imports`): the workers import that module, so guard the
 * main program's code with `if (import.meta.main)`, as Python's `if __name__ == "__main__"`.
 * A function that module imports from another one (`import { f } from "./tasks.ts"`) is found
 * in its own module, which the workers then import alone.
 * Otherwise it goes **by value**: its source is compiled once in each worker, so it must be
 * self-contained, with free variables passed in `context`. Arguments and results are
 * structured-cloned.
 *
 * What the tasks print with `console` is printed by this thread, in order and before each
 * task's result, so it reaches a notebook cell too (see {@linkcode PoolOptions.console}).
 *
 * A task that throws rejects with a `RemoteError`; a worker that dies fails its task with a
 * `WorkerCrashedError` and is replaced. End a pool with `close()` + `join()`, `terminate()`, or
 * `await using`: like any Deno resource, live workers keep the program running.
 *
 * @example Python's first example
 * ```ts
 * import { Pool } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool(4);
 * assert.deepEqual(await pool.map((x: number) => x * x + 1, [0, 1, 2, 3, 4, 5, 6, 7]), [
 *   1, 2, 5, 10, 17, 26, 37, 50,
 * ]);
 * ```
 *
 * @example Free variables through `context`
 * ```ts
 * import { Pool } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const scale = 10;
 * await using pool = new Pool(2, { context: { scale } });
 * assert.deepEqual(await pool.map((x: number) => x * scale, [1, 2, 3]), [10, 20, 30]);
 * ```
 */
export class Pool implements AsyncDisposable {
  readonly #scheduler: Scheduler;
  readonly #processes: number;
  readonly #backend: BackendName;

  /**
   * Starts the workers.
   *
   * @param processes How many workers. @default {cpuCount()}
   * @param options See {@linkcode PoolOptions}.
   * @throws {RangeError} `processes` or `maxTasksPerChild` is not a whole number ≥ 1,
   *   `maxMemoryPerChild` is not a whole number of bytes ≥ 1 or a size with a known unit, or
   *   `console` is not one of the modes.
   * @throws {TypeError} An option has the wrong type, or `initargs`/`context` cannot be cloned.
   */
  constructor(processes?: number, options: PoolOptions = {}) {
    assertNotBootstrapping("a Pool");
    const checked = checkPoolOptions(processes, options);
    this.#processes = checked.processes;
    this.#backend = checked.backend.name;
    this.#scheduler = new Scheduler(checked);
  }

  /**
   * @internal Whether the program may end while the workers work (a manager's server), or,
   * given `false`, not again.
   */
  [detachWorkers](on: boolean): void {
    this.#scheduler.detach(on);
  }

  /** How many workers the pool runs. */
  get processes(): number {
    return this.#processes;
  }

  /** The backend the pool runs on. */
  get backend(): BackendName {
    return this.#backend;
  }

  /**
   * Calls `f(...args)` in a worker.
   *
   * Many calls made at once (`Promise.all` of thousands) travel several to a message, up to 256,
   * when more wait than the workers take: each still settles on its own, and a worker that dies
   * fails only the call it was running; the calls it finished keep their results and those it
   * had not started run on another worker. A call with a `signal` or `timeout`, or that moves
   * buffers (`transfer()`), travels alone, as do all calls under `maxTasksPerChild` or
   * `maxMemoryPerChild` and on the `subprocess` and `mpi` backends.
   *
   * One call after another (`for (…) await pool.apply(f, [x])`) takes a shared-memory lane to
   * an idle worker instead of a message each way: the worker waits 0.5 ms for a next call after
   * each answer (spinning 20 µs, then asleep), the main program spins 0.05 ms for each answer,
   * so a trivial call's round trip costs ~5–12 µs instead of ~25–100 µs. When the main
   * program's spin misses (long tasks, or a machine whose cores are all taken) it leaves the
   * lane alone for a while, and the calls go by message.
   *
   * @param f The function (by reference or by value; see {@linkcode Pool}).
   * @param args Its arguments. @default {[]}
   * @returns Its result (awaited, if `f` is async).
   *
   * @example
   * ```ts
   * import { Pool } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * await using pool = new Pool(1);
   * assert.equal(await pool.apply((a: number, b: number) => a ** b, [2, 10]), 1024);
   * ```
   */
  async apply<A extends unknown[], R>(
    f: (...args: A) => R,
    args?: A,
    options?: CallOptions,
  ): Promise<Awaited<R>> {
    return await this.#apply(f, args, options, "Pool.apply") as Awaited<R>;
  }

  /**
   * Calls `f(...args)` in a worker, returning an {@linkcode AsyncResult} at once.
   *
   * @param f The function.
   * @param args Its arguments. @default {[]}
   * @param options `callback` / `errorCallback`, called when the call settles.
   * @throws {PoolClosedError} The pool is closed.
   *
   * @example
   * ```ts
   * import { Pool } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * await using pool = new Pool(1);
   * const result = pool.applyAsync((x: number) => x * 2, [21]);
   * assert.equal(await result.get(), 42);
   * ```
   */
  applyAsync<A extends unknown[], R>(
    f: (...args: A) => R,
    args?: A,
    options: AsyncCallbacks<Awaited<R>> = {},
  ): AsyncResult<Awaited<R>> {
    checkCallbacks(options, "Pool.applyAsync");
    const promise = this.#apply(f, args, options, "Pool.applyAsync") as Promise<Awaited<R>>;
    return withCallbacks(promise, options);
  }

  /**
   * `f(x)` for every item, in parallel; results in input order. The input is cut into chunks
   * of `chunksize` items, one message each.
   *
   * @param f The function.
   * @param iterable The inputs (read to the end first; see {@linkcode Pool.imap} for lazy).
   * @param chunksize Items per chunk. @default {Math.ceil(n / (4 * processes))}
   * @returns The results; rejects with the first error (and withdraws the remaining work).
   *
   * @example
   * ```ts
   * import { Pool } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * await using pool = new Pool(2);
   * assert.deepEqual(await pool.map((x: number) => x ** 2, [1, 2, 3]), [1, 4, 9]);
   * ```
   */
  map<T, R>(
    f: (item: T) => R,
    iterable: MapInput<T>,
    chunksize?: number | MapOptions,
  ): Promise<Awaited<R>[]> {
    return this.#mapLike(f, iterable, chunksize, undefined, "one") as Promise<Awaited<R>[]>;
  }

  /**
   * {@linkcode Pool.map}, returning an {@linkcode AsyncResult} at once.
   *
   * @param f The function.
   * @param iterable The inputs.
   * @param chunksize Items per chunk. @default {Math.ceil(n / (4 * processes))}
   * @param options `callback` / `errorCallback`.
   * @throws {TypeError} `f` is not a function or `iterable` is not iterable.
   *
   * @example
   * ```ts
   * import { Pool } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * await using pool = new Pool(2);
   * const result = pool.mapAsync((x: number) => -x, [1, 2]);
   * assert.deepEqual(await result, [-1, -2]);
   * ```
   */
  mapAsync<T, R>(
    f: (item: T) => R,
    iterable: MapInput<T>,
    chunksize?: number | MapOptions,
    options: AsyncCallbacks<Awaited<R>[]> = {},
  ): AsyncResult<Awaited<R>[]> {
    checkCallbacks(options, "Pool.mapAsync");
    this.#checkMap(f, iterable, mapOptions(chunksize, options, "Pool.mapAsync").chunksize);
    const promise = this.#mapLike(f, iterable, chunksize, options, "one");
    return withCallbacks(promise as Promise<Awaited<R>[]>, options);
  }

  /**
   * `f(...args)` for every argument list, in parallel; results in input order.
   *
   * @param f The function.
   * @param iterable Argument lists, e.g. `[[1, 2], [3, 4]]`.
   * @param chunksize Calls per chunk. @default {Math.ceil(n / (4 * processes))}
   * @returns The results.
   *
   * @example
   * ```ts
   * import { Pool } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * await using pool = new Pool(2);
   * assert.deepEqual(await pool.starmap((a: number, b: number) => a * b, [[1, 2], [3, 4]]), [2, 12]);
   * ```
   */
  starmap<A extends unknown[], R>(
    f: (...args: A) => R,
    iterable: MapInput<A>,
    chunksize?: number | MapOptions,
  ): Promise<Awaited<R>[]> {
    return this.#mapLike(f, iterable, chunksize, undefined, "star") as Promise<Awaited<R>[]>;
  }

  /**
   * {@linkcode Pool.starmap}, returning an {@linkcode AsyncResult} at once.
   *
   * @param f The function.
   * @param iterable Argument lists.
   * @param chunksize Calls per chunk. @default {Math.ceil(n / (4 * processes))}
   * @param options `callback` / `errorCallback`.
   *
   * @example
   * ```ts
   * import { Pool } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * await using pool = new Pool(2);
   * assert.deepEqual(await pool.starmapAsync((a: number, b: number) => a - b, [[5, 1]]), [4]);
   * ```
   */
  starmapAsync<A extends unknown[], R>(
    f: (...args: A) => R,
    iterable: MapInput<A>,
    chunksize?: number | MapOptions,
    options: AsyncCallbacks<Awaited<R>[]> = {},
  ): AsyncResult<Awaited<R>[]> {
    checkCallbacks(options, "Pool.starmapAsync");
    this.#checkMap(f, iterable, mapOptions(chunksize, options, "Pool.starmapAsync").chunksize);
    const promise = this.#mapLike(f, iterable, chunksize, options, "star");
    return withCallbacks(promise as Promise<Awaited<R>[]>, options);
  }

  /**
   * `f(x)` for every item, as an async iterable of results in input order. The input is read
   * lazily — a few chunks ahead of the consumer, never more — so an endless generator works in
   * bounded memory; stopping early (`break`) withdraws the queued work. An input that throws
   * ends it as in Python: the results of the items before come first, then its error.
   *
   * @param f The function.
   * @param iterable The inputs: any iterable or async iterable.
   * @param chunksize Items per chunk. @default {1}
   * @throws {TypeError} `f` is not a function or `iterable` is not iterable.
   * @throws {PoolClosedError} The pool is closed.
   *
   * @example
   * ```ts
   * import { Pool } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * function* naturals() {
   *   for (let i = 0;; i++) yield i;
   * }
   * await using pool = new Pool(2);
   * const squares = [];
   * for await (const y of pool.imap((x: number) => x * x, naturals(), 10)) {
   *   if (squares.push(y) === 5) break;
   * }
   * assert.deepEqual(squares, [0, 1, 4, 9, 16]);
   * ```
   */
  imap<T, R>(
    f: (item: T) => R,
    iterable: MapInput<T>,
    chunksize: number | MapOptions = 1,
  ): AsyncGenerator<Awaited<R>, void, undefined> {
    return this.#lazy(f, iterable, mapOptions(chunksize, undefined, "Pool.imap"), true);
  }

  /**
   * {@linkcode Pool.imap}, yielding results as they finish rather than in input order.
   *
   * @param f The function.
   * @param iterable The inputs.
   * @param chunksize Items per chunk. @default {1}
   *
   * @example
   * ```ts
   * import { Pool } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * await using pool = new Pool(2);
   * const out = await Array.fromAsync(pool.imapUnordered((x: number) => x + 1, [1, 2, 3]));
   * assert.deepEqual(out.sort(), [2, 3, 4]);
   * ```
   */
  imapUnordered<T, R>(
    f: (item: T) => R,
    iterable: MapInput<T>,
    chunksize: number | MapOptions = 1,
  ): AsyncGenerator<Awaited<R>, void, undefined> {
    return this.#lazy(f, iterable, mapOptions(chunksize, undefined, "Pool.imapUnordered"), false);
  }

  /**
   * Accepts no more work; the workers stop once the work given so far is done (and, as in
   * Python, once each has run its initializer, even if no task came). Idempotent.
   *
   * @example
   * ```ts
   * import { Pool } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const pool = new Pool(2);
   * const pending = pool.map((x: number) => x + 1, [1, 2]);
   * pool.close();
   * await pool.join();
   * assert.deepEqual(await pending, [2, 3]);
   * ```
   */
  close(): void {
    this.#scheduler.close();
  }

  /**
   * Stops every worker now. Each pending call rejects with a `PoolClosedError`. Idempotent.
   *
   * @example
   * ```ts
   * import { Pool, PoolClosedError } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const pool = new Pool(1);
   * const pending = pool.apply(() => new Promise((r) => setTimeout(r, 60_000)));
   * pool.terminate();
   * await assert.rejects(pending, PoolClosedError);
   * ```
   */
  terminate(): void {
    this.#scheduler.terminate();
  }

  /**
   * Waits until every worker has stopped, after {@linkcode Pool.close} or
   * {@linkcode Pool.terminate}.
   *
   * @returns Resolves when the workers are gone; rejects with an `InvalidStateError`
   *   `DOMException` if the pool is still running (as Python raises `ValueError`).
   *
   * @example
   * ```ts
   * import { Pool } from "@workers/multiprocessing";
   *
   * const pool = new Pool(1);
   * pool.close();
   * await pool.join();
   * ```
   */
  join(): Promise<void> {
    if (this.#scheduler.state === "running") {
      return Promise.reject(
        new DOMException(
          "Cannot join the pool as it is still running: call close() or terminate() first",
          "InvalidStateError",
        ),
      );
    }
    return this.#scheduler.joined;
  }

  /** Terminates the pool and waits for its workers, as Python's `with Pool() as p:` does. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.terminate();
    await this.join();
  }

  #checkOpen(what: string): void {
    const state = this.#scheduler.state;
    if (state === "broken") throw this.#scheduler.failure!;
    if (state !== "running") throw new PoolClosedError(`Cannot ${what} as the pool is closed`);
  }

  /** Checks the arguments of every map method, and that the pool is open. */
  #checkMap(f: unknown, iterable: unknown, chunksize: unknown): FunctionDescriptor {
    const fn = describeFunction(f, "f");
    checkInput(iterable, "iterable");
    if (chunksize !== undefined) {
      checkCount(chunksize, "chunksize", "pass how many items to send per message, e.g. 100");
    }
    this.#checkOpen(MAP);
    return fn;
  }

  /** `apply` and `applyAsync`: throws at once for bad arguments or a closed pool. */
  #apply(
    f: unknown,
    args: unknown,
    options: CallOptions | undefined,
    method: string,
  ): Promise<unknown> {
    const fn = describeFunction(f, "f");
    const keys = method === "Pool.applyAsync" ? ASYNC_KEYS : WAIT_KEYS;
    const abort = callAbort(options, method, keys);
    return this.#run(fn, "star", [this.#args(args)], 1, "apply a function", abort, true)
      .then((values) => values[0]);
  }

  #args(args: unknown): unknown[] {
    if (args === undefined) return [];
    if (!Array.isArray(args)) {
      throw new TypeError(
        `"args" must be an array of arguments, got ${typeof args}: pass e.g. [1, 2] for f(1, 2)`,
      );
    }
    return args;
  }

  #chunk(
    fn: FunctionDescriptor,
    mode: CallMode,
    calls: unknown[],
    owner: object,
    settle: (outcome: Outcome) => void,
    coalesce = false,
  ): Chunk {
    const transfer: Transferable[] = [];
    const encoded = encodeValue(calls, transfer);
    return {
      fn,
      mode,
      calls: encoded.value,
      pack: !encoded.shared && mode === "one",
      shared: encoded.shared,
      transfer,
      owner,
      coalesce: coalesce && transfer.length === 0,
      settle,
    };
  }

  #run(
    fn: FunctionDescriptor,
    mode: CallMode,
    items: unknown[],
    chunksize: number | undefined,
    what: string,
    abort: CallAbort | undefined,
    single = false,
  ): Promise<unknown[]> {
    this.#checkOpen(what);
    const n = items.length;
    if (abort?.signal.aborted) {
      abort.done();
      return Promise.reject(abort.signal.reason);
    }
    if (n === 0) {
      abort?.done();
      return Promise.resolve([]);
    }
    const size = chunksize ?? Math.ceil(n / (4 * this.#processes));
    // Each chunk's results are copied in as it arrives, while the others are computed, not
    // all at the end (sized once: 2–3× faster than growing it by push for 100,000 results).
    const out: unknown[] = size >= n ? [] : new Array(n);
    const owner = {};
    let remaining = Math.ceil(n / size);
    let settled = false;
    const { promise, resolve, reject } = Promise.withResolvers<unknown[]>();
    if (abort !== undefined) {
      const onAbort = () => {
        if (settled) return;
        settled = true;
        reject(abort.signal.reason);
        this.#scheduler.abort(owner, asError(abort.signal.reason));
      };
      abort.signal.addEventListener("abort", onAbort, { once: true });
      promise.then(abort.done, abort.done).finally(() =>
        abort.signal.removeEventListener("abort", onAbort)
      );
    }
    for (let start = 0; start < n; start += size) {
      const calls = size >= n ? items : items.slice(start, start + size);
      const offset = start;
      this.#scheduler.submit(this.#chunk(fn, mode, calls, owner, (outcome) => {
        if (settled) return;
        if (!outcome.ok) {
          settled = true;
          // Withdraw the job's other chunks (a job of one has none left: skip the scan).
          if (remaining > 1) this.#scheduler.cancel(owner);
          reject(outcome.error);
          return;
        }
        const values = outcome.values;
        if (size >= n && Array.isArray(values)) {
          settled = true;
          resolve(values);
          return;
        }
        // A loop, not Array.from: several times faster on a Float64Array.
        for (let i = 0; i < values.length; i++) out[offset + i] = values[i];
        if (--remaining === 0) {
          settled = true;
          resolve(out);
        }
      }, single && abort === undefined));
      if (settled) break;
    }
    return promise;
  }

  /**
   * `map` and `starmap`. Work from a synchronous input is queued before this returns, so a
   * `close()` right after still lets it finish, as in Python.
   */
  #mapLike(
    f: unknown,
    iterable: unknown,
    given: number | MapOptions | undefined,
    extra: CallOptions | undefined,
    mode: CallMode,
  ): Promise<unknown[]> {
    try {
      const method = mode === "star" ? "Pool.starmap" : "Pool.map";
      const { chunksize, ...cut } = mapOptions(given, extra, method);
      const fn = this.#checkMap(f, iterable, chunksize);
      const abort = callAbort(cut, method);
      const run = (items: unknown[]) =>
        this.#run(fn, mode, mode === "star" ? items.map(toArgs) : items, chunksize, MAP, abort);
      const items = collect(iterable as MapInput<unknown>);
      return Array.isArray(items) ? run(items) : items.then(run, (error: unknown) => {
        abort?.done();
        throw error;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #lazy<T, R>(
    f: (item: T) => R,
    iterable: MapInput<T>,
    options: MapOptions,
    ordered: boolean,
  ): AsyncGenerator<Awaited<R>, void, undefined> {
    const { chunksize = 1, ...cut } = options;
    const fn = this.#checkMap(f, iterable, chunksize);
    const abort = callAbort(cut, ordered ? "Pool.imap" : "Pool.imapUnordered");
    const owner = {};
    const signal = abort?.signal;
    signal?.addEventListener(
      "abort",
      () => this.#scheduler.abort(owner, asError(signal.reason)),
      { once: true },
    );
    const results = lazyMap<Awaited<R>>({
      iterator: iteratorOf(iterable as MapInput<unknown>),
      chunksize,
      ahead: this.#processes * (PIPELINE + 1),
      ordered,
      submit: (calls, settle) => {
        // Aborted: what is read from now on ends at once, with the reason.
        if (signal?.aborted) settle({ ok: false, error: asError(signal.reason), values: [] });
        else this.#scheduler.submit(this.#chunk(fn, "one", calls, owner, settle));
      },
      cancel: () => this.#scheduler.cancel(owner),
    });
    if (abort === undefined) return results;
    return (async function* () {
      try {
        yield* results;
      } finally {
        abort.done();
      }
    })();
  }
}

/** A call's signal: the caller's, its timeout's, or both; `done()` clears the timer. */
interface CallAbort {
  signal: AbortSignal;
  done(): void;
}

/** Checks `signal` and `timeout`; `undefined` when the call cannot be aborted. */
function callAbort(
  options: CallOptions | undefined,
  method: string,
  keys: readonly string[] = WAIT_KEYS,
): CallAbort | undefined {
  const timeout = checkWait(options, method, keys);
  const given = options?.signal;
  if (timeout === Infinity) return given === undefined ? undefined : { signal: given, done() {} };
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(
      new DOMException(
        `${method}() ran longer than its timeout of ${timeout} ms: its tasks were withdrawn, ` +
          `and a worker running one was stopped and replaced`,
        "TimeoutError",
      ),
    );
  }, Math.min(timeout, 2 ** 31 - 1));
  const signal = given === undefined
    ? controller.signal
    : AbortSignal.any([given, controller.signal]);
  return { signal, done: () => clearTimeout(timer) };
}

/** A map method's third argument (a chunk size, or options), with the callbacks' options. */
function mapOptions(
  given: number | MapOptions | undefined,
  extra: CallOptions | undefined,
  method: string,
): MapOptions {
  if (typeof given === "object" && given !== null) {
    checkOptionKeys(given, MAP_KEYS, `${method}()`);
  }
  const options: MapOptions = typeof given === "object" && given !== null
    ? { ...given }
    : given === undefined
    ? {}
    : { chunksize: given };
  if (extra?.signal !== undefined) {
    options.signal = options.signal === undefined
      ? extra.signal
      : AbortSignal.any([options.signal, extra.signal]);
  }
  if (extra?.timeout !== undefined) {
    checkWait({ timeout: extra.timeout }, method);
    options.timeout = Math.min(options.timeout ?? Infinity, extra.timeout);
  }
  return options;
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** Refuses a `callback` or `errorCallback` that is not a function, before any task starts. */
function checkCallbacks(options: AsyncCallbacks<never>, method: string): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `${method}: "options" must be an object such as { callback, errorCallback }, got ${
        describeValue(options)
      }`,
    );
  }
  checkOptionKeys(options, ASYNC_KEYS, `${method}()`);
  for (const name of ["callback", "errorCallback"] as const) {
    const given: unknown = options?.[name];
    if (given !== undefined && typeof given !== "function") {
      throw new TypeError(
        `${method}: "${name}" must be a function, got ${describeValue(given)}: e.g. ` +
          `{ ${name}: (${name === "callback" ? "value" : "error"}) => console.log(…) }`,
      );
    }
  }
}

function withCallbacks<R>(promise: Promise<R>, options: AsyncCallbacks<R>): AsyncResult<R> {
  const { callback, errorCallback } = options;
  if (callback !== undefined || errorCallback !== undefined) {
    promise.then(
      (value) => callback?.(value),
      (error: unknown) => errorCallback?.(error),
    ).catch(reportError);
  }
  return new AsyncResult(promise);
}
