/**
 * What stands behind a `Parallel` runner: its checked settings, and the lifecycle of its
 * workers — a pool per call, or one pool for every call while the runner is held with
 * `await using` — around the dispatcher that runs each call.
 *
 * @module
 */

import { ParallelRunningError } from "../errors.ts";
import { Pool, type PoolOptions } from "../pool/mod.ts";
import { AutoBatcher, type Batcher, FixedBatcher } from "./_auto_batch.ts";
import { Dispatcher, type DispatchMode } from "./_dispatcher.ts";
import type { ParallelBackend, ReturnAs } from "./_options.ts";
import type { VerboseReporter } from "./_verbose.ts";
import { ProgressBar, type ProgressOptions } from "./progress.ts";

/** A Parallel's options, checked and resolved. */
export interface Settings {
  nJobs: number;
  batchSize: number | "auto";
  returnAs: ReturnAs;
  timeout: number;
  preDispatch: number;
  backend: ParallelBackend;
  progress: Omit<ProgressOptions, "total"> | undefined;
  pool: PoolOptions;
}

/** A pool for one call: its own (ended with the call), or the Parallel's (kept). */
interface Lease {
  pool: Pool;
  owned: boolean;
}

const MODES: Record<ReturnAs, DispatchMode> = {
  list: "list",
  generator: "ordered",
  generator_unordered: "unordered",
};

/** Started on every worker of a fresh pool before the first timed batch. */
const warmUp = (): number => 0;

function checkTasks(tasks: unknown): void {
  const t = tasks as Partial<Iterable<unknown> & AsyncIterable<unknown>> | null | undefined;
  if (
    t === null || t === undefined ||
    (typeof t[Symbol.iterator] !== "function" && typeof t[Symbol.asyncIterator] !== "function")
  ) {
    throw new TypeError(
      `Parallel needs an iterable of delayed calls, got ${tasks === null ? "null" : typeof tasks}` +
        `: pass e.g. xs.map((x) => delayed(f)(x)), or a generator of them`,
    );
  }
}

function lengthOf(tasks: unknown): number | undefined {
  return Array.isArray(tasks) ? tasks.length : undefined;
}

/** The state behind one Parallel: its settings, and its pool while held with `await using`. */
export class ParallelCore {
  readonly settings: Settings;
  readonly reporter: VerboseReporter;
  /** Set when something took charge of disposing of the Parallel (`await using`). */
  #managed = false;
  #pool: Pool | undefined;
  /** Learned batch size, kept across the calls of a managed Parallel, as joblib does. */
  #batcher: Batcher | undefined;
  readonly #warm = new WeakSet<Pool>();
  #active = 0;

  constructor(settings: Settings, reporter: VerboseReporter) {
    this.settings = settings;
    this.reporter = reporter;
  }

  manage(): void {
    this.#managed = true;
  }

  async dispose(): Promise<void> {
    this.#managed = false;
    this.#batcher = undefined;
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool !== undefined) {
      pool.terminate();
      await pool.join();
    }
  }

  call(tasks: unknown): Promise<unknown[]> | AsyncGenerator<unknown, void, undefined> {
    const mode = MODES[this.settings.returnAs];
    if (mode === "list") {
      try {
        this.#checkIdle();
        checkTasks(tasks);
      } catch (error) {
        return Promise.reject(error);
      }
      return this.#list(tasks as Iterable<unknown>);
    }
    this.#checkIdle();
    checkTasks(tasks);
    return this.#generate(tasks as Iterable<unknown>, mode);
  }

  /**
   * Refuses a call while another runs, as joblib does: from the call (for a generator, from
   * its first `next()`) until its end (a generator's last result, its `return()`, or its
   * error).
   */
  #checkIdle(): void {
    if (this.#active === 0) return;
    throw new ParallelRunningError(
      "This Parallel is already running a call: its calls run one after another, as joblib's " +
        "do. Await the running call (for a generator: consume it, or call its return()) before " +
        "the next one, or make another Parallel for calls that should run side by side",
    );
  }

  #newBatcher(): Batcher {
    const { batchSize } = this.settings;
    if (batchSize !== "auto") return new FixedBatcher(batchSize);
    return new AutoBatcher((change) => this.reporter.batchSize(change));
  }

  #lease(): Lease {
    if (!this.#managed) {
      return { pool: new Pool(this.settings.nJobs, this.settings.pool), owned: true };
    }
    this.#pool ??= new Pool(this.settings.nJobs, this.settings.pool);
    return { pool: this.#pool, owned: false };
  }

  async #release(lease: Lease, engine: Dispatcher | undefined): Promise<void> {
    const { pool } = lease;
    if (!lease.owned) {
      // Work left running (an error, a timeout, a consumer that left) is stopped with the
      // workers, as loky does, and the next call starts fresh ones.
      const stuck = engine !== undefined && engine.timedOut;
      const busy = engine !== undefined && engine.running > 0;
      if (!stuck && !busy) return;
      if (this.#pool === pool) this.#pool = undefined;
    }
    pool.terminate();
    await pool.join();
  }

  /** Starts a call: a pool, the displays, the dispatcher. */
  async #start(tasks: Iterable<unknown> | AsyncIterable<unknown>, mode: DispatchMode) {
    const { settings, reporter } = this;
    this.#checkIdle();
    const lease = this.#lease();
    this.#active++;
    let bar: ProgressBar | undefined;
    let engine: Dispatcher | undefined;
    const end = async (): Promise<void> => {
      engine?.cancel();
      this.#active--;
      await bar?.close();
      await this.#release(lease, engine);
    };
    try {
      if (
        Number.isFinite(settings.timeout) && settings.backend !== "inline" &&
        !this.#warm.has(lease.pool)
      ) {
        // Every worker started and its modules imported, so no call's clock counts that.
        await Promise.all(Array.from({ length: settings.nJobs }, () => lease.pool.apply(warmUp)));
        this.#warm.add(lease.pool);
      }
      const batcher = lease.owned ? this.#newBatcher() : (this.#batcher ??= this.#newBatcher());
      const started = performance.now();
      reporter.start(settings.backend, settings.nJobs);
      if (settings.progress !== undefined) {
        const total = lengthOf(tasks);
        bar = new ProgressBar(
          total === undefined ? settings.progress : {
            ...settings.progress,
            total,
          },
        );
      }
      const shown = bar;
      engine = new Dispatcher({
        pool: lease.pool,
        input: tasks,
        nJobs: settings.nJobs,
        batcher,
        preDispatch: settings.preDispatch,
        timeout: settings.timeout,
        mode,
        onBatch: (counts) => {
          if (shown !== undefined) {
            if (counts.exhausted && shown.total === undefined) shown.total = counts.dispatchedTasks;
            shown.update(counts.size);
          }
          reporter.progress({ ...counts, elapsed: performance.now() - started });
        },
      });
      const finish = (count: number): void => {
        reporter.finished(count, performance.now() - started);
      };
      return { engine, finish, end };
    } catch (error) {
      await end();
      throw error;
    }
  }

  async #list(tasks: Iterable<unknown> | AsyncIterable<unknown>): Promise<unknown[]> {
    const { engine, finish, end } = await this.#start(tasks, "list");
    try {
      const values = await engine.all();
      finish(values.length);
      return values;
    } finally {
      await end();
    }
  }

  async *#generate(
    tasks: Iterable<unknown> | AsyncIterable<unknown>,
    mode: DispatchMode,
  ): AsyncGenerator<unknown, void, undefined> {
    const { engine, finish, end } = await this.#start(tasks, mode);
    try {
      let count = 0;
      while (true) {
        const values = await engine.next();
        if (values === undefined) break;
        count += values.length;
        yield* values;
      }
      finish(count);
    } finally {
      await end();
    }
  }
}
