/**
 * The engine of one `Parallel` call: reads the delayed calls, groups them into batches, sends
 * each batch to the pool as one chunk, and hands the results over in input order or as they
 * finish.
 *
 * Reading follows joblib's `dispatch_one_batch`: when no batch is ready, it reads
 * `size × nJobs` calls (`size` from the batcher) and cuts them into `nJobs` batches, so that
 * every worker gets a share; when that read reaches the end of the input short of
 * `size × nJobs`, the last calls are cut ten times finer, so that no worker is left with a long
 * tail while the others idle; except when the automatic batch size knows those batches to be
 * quicker than its 0.2 s minimum, when no tail can be long and a finer cut would only add
 * messages (~30 µs to post each, a round trip per wave). A batch holds calls of one function
 * only (a pool chunk runs one function), so a change of function ends a batch early.
 *
 * Backpressure, as joblib's `pre_dispatch`: calls are read only while fewer than `preDispatch`
 * batches are dispatched and not yet consumed (for a `"list"`, consumed means finished), and a
 * read takes no more calls than the batches it has room for, so that what is read and not yet
 * consumed never exceeds `preDispatch` batches: an endless generator is read only as fast as
 * its results are taken. With a `timeout`, at most `nJobs` batches are in the pool at once, so
 * each starts as it is sent and its clock is honest.
 *
 * `nJobs: 1` is sequential, as joblib's `n_jobs=1` is whatever the backend: one batch at a
 * time, read when the one before it has been consumed, so the input's producer and the calls
 * alternate (`batchSize` calls read, those calls run, the next ones read…).
 *
 * @module
 */

import { Fifo } from "../_internal/fifo.ts";
import type { Pool } from "../pool/mod.ts";
import type { Batcher } from "./_auto_batch.ts";
import { BatchResults, type DispatchMode } from "./_results.ts";
import { type Delayed, isDelayed } from "./delayed.ts";

export type { DispatchMode } from "./_results.ts";

/** Counts reported after each completed batch. */
export interface BatchCounts {
  /** Calls in the batch that completed. */
  size: number;
  /** Calls completed so far. */
  completedTasks: number;
  /** Batches dispatched so far. */
  dispatchedBatches: number;
  /** Calls dispatched so far, or every call once the input is exhausted. */
  dispatchedTasks: number;
  /** Whether the input has been read to its end. */
  exhausted: boolean;
}

/** What {@linkcode Dispatcher} needs. */
export interface DispatchOptions {
  pool: Pool;
  /** The delayed calls: an array is read by index, anything else through its iterator. */
  input: Iterable<unknown> | AsyncIterable<unknown>;
  nJobs: number;
  batcher: Batcher;
  /** Batches dispatched and not yet consumed, at most. */
  preDispatch: number;
  /** Milliseconds each call may take (a batch of `k` calls gets `k` times as long). */
  timeout: number;
  mode: DispatchMode;
  /** Told after each completed batch. */
  onBatch?: (counts: BatchCounts) => void;
}

interface Batch {
  index: number;
  fn: Delayed["fn"];
  /** Whether every call has one argument: then `calls` holds the arguments themselves. */
  single: boolean;
  /** The calls' arguments: one value each when `single`, else argument lists. */
  calls: unknown[];
  sent: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Why a call ended early: an error, or the consumer's leaving (`cancelled`). */
interface Stop {
  error: unknown;
  cancelled: boolean;
}

/** The longest delay `setTimeout` takes (longer ones fire at once). */
const MAX_DELAY = 2 ** 31 - 1;

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return value instanceof Promise;
}

/** Runs the calls of one `Parallel` call on a pool. */
export class Dispatcher {
  readonly #options: DispatchOptions;
  /** `nJobs: 1`: one batch at a time, each read when the one before it is consumed. */
  readonly #sequential: boolean;
  /** Batches dispatched and not yet consumed, at most (1 when sequential). */
  readonly #preDispatch: number;
  /** Batches in the pool at once, at most. */
  readonly #submitLimit: number;
  readonly #array: readonly unknown[] | undefined;
  readonly #iterator: Iterator<unknown> | AsyncIterator<unknown> | undefined;
  /** Batches read and not yet sent. */
  readonly #ready = new Fifo<Batch>();
  #exhausted = false;
  /** Set while `#fill()` runs, so that what it calls cannot start it again. */
  #filling = false;
  /** Set while a slice of an async input is being read; `#fill()` waits for it. */
  #reading = false;
  /** Calls read so far (the position of the next one, for error messages). */
  #read = 0;
  #dispatched = 0;
  #dispatchedTasks = 0;
  #consumed = 0;
  #completedTasks = 0;
  readonly #inPool = new Set<Batch>();
  readonly #results: BatchResults;
  #stop: Stop | undefined;
  #timedOut = false;
  #wake: (() => void) | undefined;

  constructor(options: DispatchOptions) {
    this.#options = options;
    this.#results = new BatchResults(options.mode);
    const sequential = this.#sequential = options.nJobs === 1;
    this.#preDispatch = sequential ? 1 : options.preDispatch;
    this.#submitLimit = sequential
      ? 1
      : Number.isFinite(options.timeout)
      ? options.nJobs
      : Infinity;
    const { input } = options;
    if (Array.isArray(input)) {
      this.#array = input;
    } else {
      const sync = (input as Partial<Iterable<unknown>>)[Symbol.iterator];
      this.#iterator = typeof sync === "function"
        ? sync.call(input)
        : (input as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    }
  }

  /** Batches sent to the pool and not yet answered. */
  get running(): number {
    return this.#inPool.size;
  }

  /** Whether a batch ran out of time (its worker must be stopped). */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** Every list's results, in input order; rejects with the first error. */
  async all(): Promise<unknown[]> {
    this.#fill();
    while (this.#stop === undefined && !this.#finished()) await this.#sleep();
    if (this.#stop !== undefined) {
      if (this.#stop.cancelled) return [];
      throw this.#stop.error;
    }
    return this.#results.all(this.#completedTasks);
  }

  /** The next batch's results (`"ordered"`/`"unordered"`), or `undefined` after the last. */
  async next(): Promise<readonly unknown[] | undefined> {
    this.#fill();
    while (true) {
      if (this.#stop !== undefined) {
        if (this.#stop.cancelled) return undefined;
        throw this.#stop.error;
      }
      const values = this.#results.take();
      if (values !== undefined) {
        this.#consumed++;
        // Sequential: the next batch is read and run when it is asked for, not before.
        if (!this.#sequential) this.#fill();
        return values;
      }
      if (this.#finished()) return undefined;
      await this.#sleep();
    }
  }

  /** Abandons the call: reads no more, drops what is queued; `running` tells what is left. */
  cancel(): void {
    this.#end({ error: undefined, cancelled: true });
  }

  #finished(): boolean {
    return this.#exhausted && this.#ready.length === 0 && this.#consumed === this.#dispatched;
  }

  #sleep(): Promise<void> {
    return new Promise<void>((resolve) => this.#wake = resolve);
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Sends batches while there is room, reading more when none is ready. */
  #fill(): void {
    if (this.#filling || this.#reading) return;
    this.#filling = true;
    try {
      this.#sendWhileRoom();
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#filling = false;
    }
  }

  #sendWhileRoom(): void {
    while (
      this.#stop === undefined &&
      this.#dispatched - this.#consumed < this.#preDispatch &&
      this.#inPool.size < this.#submitLimit
    ) {
      const batch = this.#ready.shift();
      if (batch !== undefined) {
        this.#send(batch);
        continue;
      }
      if (this.#exhausted) return;
      const reading = this.#readSlice();
      if (reading !== undefined) {
        // An async input: carry on once the slice is in.
        this.#reading = true;
        reading.then(
          () => {
            this.#reading = false;
            this.#fill();
            this.#notify();
          },
          (error: unknown) => {
            this.#reading = false;
            this.#fail(error);
          },
        );
        return;
      }
    }
  }

  /**
   * Reads up to `size × nJobs` calls into ready batches, but no more than the batches that
   * `preDispatch` leaves room for; a promise for async inputs.
   */
  #readSlice(): Promise<void> | undefined {
    const size = this.#options.batcher.next();
    const full = size * this.#options.nJobs;
    // At least `size`: reading happens only while a batch more may be dispatched.
    const room = (this.#preDispatch - (this.#dispatched - this.#consumed)) * size;
    const wanted = Math.min(full, room);
    // A read cut short by preDispatch is cut into batches of the full size.
    const share = wanted < full ? size : undefined;
    const calls: Delayed[] = [];
    const array = this.#array;
    if (array !== undefined) {
      const end = Math.min(this.#read + wanted, array.length);
      while (this.#read < end) calls.push(this.#check(array[this.#read]));
      if (end === array.length) this.#exhausted = true;
      this.#cut(calls, wanted, share);
      return undefined;
    }
    const iterator = this.#iterator!;
    while (calls.length < wanted) {
      const step = iterator.next();
      if (isPromise(step)) return this.#readAsync(step, calls, wanted, share);
      if (step.done === true) {
        this.#exhausted = true;
        break;
      }
      calls.push(this.#check(step.value));
    }
    this.#cut(calls, wanted, share);
    return undefined;
  }

  async #readAsync(
    first: Promise<IteratorResult<unknown>>,
    calls: Delayed[],
    wanted: number,
    share: number | undefined,
  ): Promise<void> {
    let step = await first;
    while (true) {
      if (this.#stop !== undefined) return;
      if (step.done === true) {
        this.#exhausted = true;
        break;
      }
      calls.push(this.#check(step.value));
      if (calls.length >= wanted) break;
      step = await (this.#iterator!.next() as Promise<IteratorResult<unknown>>);
    }
    this.#cut(calls, wanted, share);
  }

  #check(value: unknown): Delayed {
    const position = this.#read++;
    if (!isDelayed(value)) {
      const what = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
      throw new TypeError(
        `Parallel runs delayed calls, but item ${position} of the input is ${what}: write each ` +
          `call as delayed(f)(...args), e.g. xs.map((x) => delayed(f)(x))`,
      );
    }
    return value;
  }

  /**
   * Cuts a slice into batches: by function, then into `nJobs` shares; a short last slice ten
   * times finer (joblib's rule), unless its batches are known to be quicker than the ideal
   * minimum, when a finer cut only adds messages. `share`: the batch size of a read that
   * `preDispatch` cut short (else a slice's `nJobs`-th).
   */
  #cut(calls: Delayed[], wanted: number, share: number | undefined): void {
    const n = calls.length;
    if (n === 0) return;
    const { nJobs, batcher } = this.#options;
    const coarse = share ?? Math.max(1, Math.ceil(n / nJobs));
    const cut = this.#exhausted && n < wanted && !batcher.quick(coarse)
      ? Math.max(1, Math.floor(n / (10 * nJobs)))
      : coarse;
    let start = 0;
    while (start < n) {
      const fn = calls[start]!.fn;
      let end = start + 1;
      let single = calls[start]!.args.length === 1;
      while (end < n && end - start < cut && calls[end]!.fn === fn) {
        if (calls[end]!.args.length !== 1) single = false;
        end++;
      }
      // One argument each: the pool's `map` path, where plain numbers travel packed.
      const batchCalls = new Array<unknown>(end - start);
      for (let i = start; i < end; i++) {
        const { args } = calls[i]!;
        batchCalls[i - start] = single ? args[0] : args;
      }
      this.#ready.push({ index: -1, fn, single, calls: batchCalls, sent: 0, timer: undefined });
      start = end;
    }
  }

  #send(batch: Batch): void {
    const { pool, timeout } = this.#options;
    const n = batch.calls.length;
    batch.index = this.#dispatched++;
    this.#dispatchedTasks += n;
    const fn = batch.fn as (...args: unknown[]) => unknown;
    batch.sent = performance.now();
    this.#inPool.add(batch);
    const answer = batch.single
      ? pool.map(fn, batch.calls, n)
      : pool.starmap(fn, batch.calls as unknown[][], n);
    if (Number.isFinite(timeout)) {
      batch.timer = setTimeout(() => this.#timeUp(batch), Math.min(timeout * n, MAX_DELAY));
    }
    answer.then(
      (values) => this.#completed(batch, values),
      (error: unknown) => this.#failed(batch, error),
    );
  }

  #settle(batch: Batch): boolean {
    if (!this.#inPool.delete(batch)) return false;
    if (batch.timer !== undefined) clearTimeout(batch.timer);
    return this.#stop === undefined;
  }

  #completed(batch: Batch, values: readonly unknown[]): void {
    if (!this.#settle(batch)) return;
    const size = batch.calls.length;
    this.#options.batcher.completed(size, performance.now() - batch.sent);
    this.#completedTasks += size;
    this.#results.add(batch.index, values);
    // A list's batch is consumed when it finishes; the others when they are taken.
    if (this.#options.mode === "list") this.#consumed++;
    // Refill before reporting, so that the workers stay busy.
    this.#fill();
    try {
      this.#options.onBatch?.({
        size,
        completedTasks: this.#completedTasks,
        dispatchedBatches: this.#dispatched,
        dispatchedTasks: this.#exhausted ? this.#read : this.#dispatchedTasks,
        exhausted: this.#exhausted,
      });
    } catch (error) {
      // A progress display that throws fails the call rather than going unheard.
      this.#fail(error);
    }
    this.#notify();
  }

  #failed(batch: Batch, error: unknown): void {
    if (!this.#settle(batch)) return;
    this.#fail(error);
  }

  #fail(error: unknown): void {
    this.#end({ error, cancelled: false });
  }

  #timeUp(batch: Batch): void {
    batch.timer = undefined;
    if (this.#stop !== undefined || !this.#inPool.has(batch)) return;
    this.#timedOut = true;
    const n = batch.calls.length;
    const name = batch.fn.name || "(anonymous)";
    this.#fail(
      new DOMException(
        `A delayed call of ${name} ran longer than the timeout of ${this.#options.timeout} ms` +
          (n > 1 ? ` (its batch of ${n} calls was given ${n} × that)` : "") +
          `: the worker running it was stopped`,
        "TimeoutError",
      ),
    );
  }

  /** Stops the call: no more reading or sending; the input is closed. */
  #end(stop: Stop): void {
    if (this.#stop !== undefined) return;
    this.#stop = stop;
    for (const batch of this.#inPool) {
      if (batch.timer !== undefined) clearTimeout(batch.timer);
      batch.timer = undefined;
    }
    this.#ready.clear();
    if (!this.#exhausted) {
      this.#exhausted = true;
      try {
        const closing = this.#iterator?.return?.();
        if (isPromise(closing)) closing.catch(() => {});
      } catch {
        // The input's own clean-up failed: the call already has its outcome.
      }
    }
    this.#notify();
  }
}
