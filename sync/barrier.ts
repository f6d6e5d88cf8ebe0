/**
 * `Barrier`: Python's `multiprocessing.Barrier`, a meeting point for a fixed number of
 * threads across the main program and the workers.
 *
 * @module
 */

import { BrokenBarrierError, FunctionTransportError } from "../errors.ts";
import { fromShared, type SharedHandle, toShared } from "../_internal/shareable.ts";
import {
  assertMayBlock,
  checkWait,
  DONE,
  retry,
  runAsync,
  runSync,
  type WaitOptions,
} from "./_futex.ts";

/** `generation << 16 | arrivals`: one atomic add tells each arrival its index. */
const STATE = 0;
/** The generation, with {@linkcode BROKEN}: the cell waiters sleep on. */
const GEN = 1;
/** One more than the generation last reset, so its waiters know why they woke. */
const RESET = 2;
const BROKEN = 0x1_0000;
const GENERATIONS = 0x7fff;
const MAX_PARTIES = 0xffff;

/** Options of {@linkcode Barrier}. */
export interface BarrierOptions {
  /**
   * Called by the last thread to arrive, before any is released (Python's `action`). If it
   * throws, the barrier breaks and that thread's `wait` rethrows the error. When the last
   * arrival is in a worker, the action runs there, compiled from its source: keep it
   * self-contained (no free variables).
   */
  action?: () => unknown;
  /**
   * The default timeout of {@linkcode Barrier.wait} in ms.
   * @default {Infinity}
   */
  timeout?: number;
}

interface BarrierState {
  cell: SharedArrayBuffer;
  parties: number;
  timeout: number;
  action: string | null;
}

/**
 * A barrier over shared memory (Python's `multiprocessing.Barrier`): each of `parties`
 * threads calls `wait()`, and all are released together when the last arrives. A timeout, an
 * `abort()` or a failing action breaks it: every waiter, and every later `wait`, rejects with
 * {@linkcode BrokenBarrierError} until `reset()`.
 *
 * Unlike Python's, it serves exactly `parties` threads per round: a thread that calls `wait()`
 * while `parties` others already wait in the same round gets a `BrokenBarrierError` (Python
 * would hold it for the next round). `waitSync()` does not wait for an async `action`.
 *
 * @example Two workers and the main program meet
 * ```ts
 * import { Barrier, Pool } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const meet = new Barrier(3);
 * await using pool = new Pool(2);
 * const workers = pool.map((b: Barrier) => b.waitSync({ timeout: 10_000 }), [meet, meet], 1);
 * const mine = await meet.wait({ timeout: 10_000 });
 * const indices = [mine, ...await workers].sort();
 * assert.deepEqual(indices, [0, 1, 2]);
 * ```
 */
export class Barrier {
  #cell: Int32Array = new Int32Array(new SharedArrayBuffer(12));
  #parties: number;
  #timeout: number;
  #action: (() => unknown) | undefined;
  #source: string | null;

  /**
   * A barrier for `parties` threads.
   *
   * @param parties How many threads must call `wait` (1 to 65,535).
   * @param options `action` and a default `timeout`.
   * @throws {RangeError} `parties` is not an integer from 1 to 65,535, or a bad timeout.
   * @throws {TypeError} `action` is not a function.
   */
  constructor(parties: number, options: BarrierOptions = {}) {
    if (!Number.isInteger(parties) || parties < 1 || parties > MAX_PARTIES) {
      throw new RangeError(
        `new Barrier(): "parties" must be an integer from 1 to ${MAX_PARTIES}, got ${parties}`,
      );
    }
    if (options.action !== undefined && typeof options.action !== "function") {
      throw new TypeError(`new Barrier(): "action" must be a function`);
    }
    this.#parties = parties;
    this.#timeout = checkWait({ timeout: options.timeout ?? Infinity }, "new Barrier()");
    this.#action = options.action;
    this.#source = options.action === undefined ? null : String(options.action);
  }

  /** How many threads must call `wait`. */
  get parties(): number {
    return this.#parties;
  }

  /** How many threads wait right now (Python's `n_waiting`). */
  get nWaiting(): number {
    if (this.broken) return 0;
    return Atomics.load(this.#cell, STATE) & MAX_PARTIES;
  }

  /** Whether the barrier is broken. */
  get broken(): boolean {
    return (Atomics.load(this.#cell, GEN) & BROKEN) !== 0;
  }

  /**
   * Waits, without blocking the thread, until all parties have arrived.
   *
   * @param options `timeout` in ms (default: the barrier's) and `signal`.
   * @returns This thread's arrival index, from 0 to `parties − 1`.
   * @throws {BrokenBarrierError} The barrier broke (or was broken, or reset) while waiting,
   * or the timeout passed (which breaks it).
   *
   * @example
   * ```ts
   * import { Barrier, BrokenBarrierError } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const b = new Barrier(2);
   * await assert.rejects(b.wait({ timeout: 5 }), BrokenBarrierError);
   * assert.equal(b.broken, true);
   * ```
   */
  async wait(options?: WaitOptions): Promise<number> {
    const timeout = checkWait(options, "Barrier.wait");
    const [index, generation] = this.#arrive();
    if (generation < 0) {
      const last = -generation - 1;
      try {
        await this.#runAction();
      } catch (error) {
        this.#break(last);
        throw error;
      }
      return this.#release(last, index);
    }
    let met: boolean;
    try {
      met = await runAsync(
        this.#cell,
        GEN,
        retry(this.#cell, () => this.#moved(generation), this.#timeoutOf(options, timeout)),
        options?.signal,
      );
    } catch (abort) {
      this.#break(generation);
      throw abort;
    }
    return this.#outcome(met, index, generation);
  }

  /**
   * {@linkcode Barrier.wait} for worker code: blocks the thread while it waits.
   *
   * @param options `timeout` in ms (default: the barrier's).
   * @returns This thread's arrival index, from 0 to `parties − 1`.
   * @throws {BrokenBarrierError} The barrier broke while waiting, or the timeout passed.
   * @throws {DOMException} `InvalidStateError` when it would block the main program's thread.
   *
   * @example
   * ```ts
   * import { Barrier } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new Barrier(1).waitSync(), 0); // one party: passes at once
   * ```
   */
  waitSync(options?: Omit<WaitOptions, "signal">): number {
    const timeout = this.#timeoutOf(options, checkWait(options, "Barrier.waitSync"));
    if (this.#parties > 1) assertMayBlock("Barrier.waitSync", "barrier.wait", timeout);
    const [index, generation] = this.#arrive();
    if (generation < 0) {
      const last = -generation - 1;
      try {
        this.#runAction();
      } catch (error) {
        this.#break(last);
        throw error;
      }
      return this.#release(last, index);
    }
    const met = runSync(
      this.#cell,
      GEN,
      retry(this.#cell, () => this.#moved(generation), timeout),
    );
    return this.#outcome(met, index, generation);
  }

  /**
   * Breaks the barrier: every waiter, and every later `wait`, fails with
   * {@linkcode BrokenBarrierError} until {@linkcode Barrier.reset}.
   *
   * @example
   * ```ts
   * import { Barrier } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const b = new Barrier(2);
   * b.abort();
   * assert.equal(b.broken, true);
   * ```
   */
  abort(): void {
    Atomics.or(this.#cell, GEN, BROKEN);
    Atomics.notify(this.#cell, GEN);
  }

  /**
   * Returns the barrier to its empty, unbroken state. Threads waiting on it fail with
   * {@linkcode BrokenBarrierError}.
   *
   * @example
   * ```ts
   * import { Barrier } from "@workers/multiprocessing/sync";
   * import assert from "node:assert/strict";
   *
   * const b = new Barrier(2);
   * b.abort();
   * b.reset();
   * assert.equal(b.broken, false);
   * ```
   */
  reset(): void {
    const cell = this.#cell;
    const generation = Atomics.load(cell, GEN) & GENERATIONS;
    const next = (generation + 1) & GENERATIONS;
    Atomics.store(cell, RESET, generation + 1);
    Atomics.store(cell, STATE, next << 16);
    Atomics.store(cell, GEN, next);
    Atomics.notify(cell, GEN);
  }

  /** Counts this arrival: its index, and its generation (negative − 1 for the last). */
  #arrive(): [number, number] {
    const cell = this.#cell;
    if (this.broken) throw this.#brokenError();
    const state = Atomics.add(cell, STATE, 1);
    const generation = state >>> 16;
    const index = state & MAX_PARTIES;
    if (index >= this.#parties) {
      throw new BrokenBarrierError(
        `More than ${this.#parties} threads called Barrier.wait() in one round`,
      );
    }
    return [index, index === this.#parties - 1 ? -generation - 1 : generation];
  }

  /** The call's timeout, or the barrier's default. */
  #timeoutOf(options: WaitOptions | undefined, checked: number): number {
    return options?.timeout === undefined ? this.#timeout : checked;
  }

  /** The last arrival, after the action: releases everyone into the next generation. */
  #release(generation: number, index: number): number {
    const cell = this.#cell;
    const next = (generation + 1) & GENERATIONS;
    // Only if no reset() came meanwhile (it has begun a generation of its own); then a reset
    // mark 32,768 generations old must not be read as this generation's.
    const full = (generation << 16) | this.#parties;
    if (Atomics.compareExchange(cell, STATE, full, next << 16) === full) {
      Atomics.compareExchange(cell, RESET, generation + 1, 0);
    }
    // A waiter that timed out at this very moment has broken the generation: then all fail.
    if (Atomics.compareExchange(cell, GEN, generation, next) !== generation) {
      throw this.#brokenError();
    }
    Atomics.notify(cell, GEN);
    return index;
  }

  #runAction(): unknown {
    if (this.#action === undefined && this.#source !== null) {
      try {
        this.#action = new Function(`"use strict"; return (${this.#source});`)();
      } catch (error) {
        throw new FunctionTransportError(
          `The Barrier's action cannot be compiled in this worker from its source; make it a ` +
            `self-contained arrow function: ${(error as Error).message}`,
        );
      }
    }
    try {
      return this.#action?.();
    } catch (error) {
      if (error instanceof ReferenceError) {
        throw new FunctionTransportError(
          `The Barrier's action ran in a worker, compiled from its source, and uses a name ` +
            `it does not define: ${error.message}. Make the action self-contained.`,
        );
      }
      throw error;
    }
  }

  /** Whether the waited generation is over (met, broken or reset): then stop waiting. */
  #moved(generation: number): typeof DONE | number {
    return Atomics.load(this.#cell, GEN) === generation ? generation : DONE;
  }

  #outcome(met: boolean, index: number, generation: number): number {
    if (!met) {
      this.#break(generation);
      throw new BrokenBarrierError(
        `The Barrier timed out waiting for ${this.#parties} parties, so it is broken now`,
      );
    }
    const now = Atomics.load(this.#cell, GEN);
    if (now === (generation | BROKEN)) throw this.#brokenError();
    if (Atomics.load(this.#cell, RESET) === generation + 1) {
      throw new BrokenBarrierError("The Barrier was reset while this thread waited on it");
    }
    return index;
  }

  /** Breaks the generation, if it is still the current one. */
  #break(generation: number): void {
    if (Atomics.compareExchange(this.#cell, GEN, generation, generation | BROKEN) === generation) {
      Atomics.notify(this.#cell, GEN);
    }
  }

  #brokenError(): BrokenBarrierError {
    return new BrokenBarrierError(
      "The Barrier is broken (aborted, timed out, or its action failed); reset() it to reuse it",
    );
  }

  /** @internal What crosses into a worker. */
  [toShared](): SharedHandle {
    const state: BarrierState = {
      cell: this.#cell.buffer as SharedArrayBuffer,
      parties: this.#parties,
      timeout: this.#timeout,
      action: this.#source,
    };
    return { module: import.meta.url, export: "Barrier", state };
  }

  /** @internal Rebuilds the barrier in a worker. */
  static [fromShared](state: unknown): Barrier {
    const { cell, parties, timeout, action } = state as BarrierState;
    const barrier = new Barrier(parties, { timeout });
    barrier.#cell = new Int32Array(cell);
    barrier.#source = action;
    return barrier;
  }
}
