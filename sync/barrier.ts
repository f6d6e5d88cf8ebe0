/**
 * `Barrier`: Python's `multiprocessing.Barrier`, a meeting point for a fixed number of
 * threads across the main program and the workers.
 *
 * @module
 */

import { BrokenBarrierError, FunctionTransportError } from "../errors.ts";
import { fromShared, Revival, type SharedHandle, toShared } from "../_internal/shareable.ts";
import {
  assertMayBlock,
  checkWait,
  DONE,
  retry,
  runAsync,
  runSync,
  SYNC_WAIT_KEYS,
  type Waiting,
  type WaitOptions,
} from "../_internal/futex.ts";
import { checkOptionKeys } from "../_internal/option_keys.ts";
import { assertNumber, describeValue } from "../_internal/checks.ts";

/** The state of the instance being revived in this thread (see `[fromShared]`). */
const revival = new Revival<BarrierState>();

/** `generation << 16 | arrivals`: one atomic add tells each arrival its index. */
const STATE = 0;
/** The generation, with {@linkcode BROKEN}: the cell waiters sleep on. */
const GEN = 1;
/** How many times `reset()` was called: a waiter that sees it change was reset. */
const RESETS = 2;
const BROKEN = 0x1_0000;
const GENERATIONS = 0x7fff;
/** Generations ahead of an arrival's own that still count as "its round came" (wrap-around). */
const REACHED = 0x4000;
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

/** One arrival: its index in its round, the round, and the resets seen when it came. */
interface Arrival {
  index: number;
  generation: number;
  resets: number;
}

/** What the waiting returns to the arrival that completes its round. */
const LAST: unique symbol = Symbol("last");

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
 * As in Python, more threads than `parties` may use it: those that arrive while a round is
 * full wait for the next one. `waitSync()` does not wait for an async `action`.
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
  #cell: Int32Array;
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
   * @throws {TypeError} `action` is not a function, or an option is unknown.
   */
  constructor(parties: number, options: BarrierOptions = {}) {
    const revived = revival.take();
    const expected = `an integer from 1 to ${MAX_PARTIES}`;
    assertNumber(parties, `new Barrier(): "parties"`, expected);
    if (!Number.isInteger(parties) || parties < 1 || parties > MAX_PARTIES) {
      throw new RangeError(
        `new Barrier(): "parties" must be ${expected}, got ${describeValue(parties)}`,
      );
    }
    if (typeof options !== "object" || options === null) {
      throw new TypeError(
        `new Barrier(): "options" must be an object such as { action, timeout: 1000 }, got ${
          describeValue(options)
        }`,
      );
    }
    checkOptionKeys(options, ["action", "timeout"], "new Barrier()");
    if (options.action !== undefined && typeof options.action !== "function") {
      throw new TypeError(`new Barrier(): "action" must be a function`);
    }
    this.#parties = parties;
    this.#timeout = checkWait({ timeout: options.timeout ?? Infinity }, "new Barrier()");
    this.#action = options.action;
    if (revived === undefined) {
      this.#cell = new Int32Array(new SharedArrayBuffer(12));
      this.#source = options.action === undefined ? null : String(options.action);
    } else {
      this.#cell = new Int32Array(revived.cell);
      this.#source = revived.action;
    }
  }

  /** How many threads must call `wait`. */
  get parties(): number {
    return this.#parties;
  }

  /** How many threads wait right now (Python's `n_waiting`). */
  get nWaiting(): number {
    if (this.broken) return 0;
    // Arrivals beyond `parties` wait for the next round: not counted, as in Python.
    return Math.min(Atomics.load(this.#cell, STATE) & MAX_PARTIES, this.#parties - 1);
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
    const timeout = this.#timeoutOf(options, checkWait(options, "Barrier.wait"));
    const arrival = this.#arrive();
    let met: boolean | typeof LAST;
    try {
      met = await runAsync(this.#cell, GEN, this.#waiting(arrival, timeout), options?.signal);
    } catch (abort) {
      this.#break();
      throw abort;
    }
    if (met === LAST) {
      try {
        await this.#runAction();
      } catch (error) {
        this.#break();
        throw error;
      }
      return this.#release(arrival);
    }
    return this.#outcome(arrival);
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
    const timeout = this.#timeoutOf(
      options,
      checkWait(options, "Barrier.waitSync", SYNC_WAIT_KEYS),
    );
    if (this.#parties > 1) assertMayBlock("Barrier.waitSync", "barrier.wait", timeout);
    const arrival = this.#arrive();
    const met = runSync(this.#cell, GEN, this.#waiting(arrival, timeout));
    if (met === LAST) {
      try {
        this.#runAction();
      } catch (error) {
        this.#break();
        throw error;
      }
      return this.#release(arrival);
    }
    return this.#outcome(arrival);
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
    const next = ((Atomics.load(cell, GEN) & GENERATIONS) + 1) & GENERATIONS;
    Atomics.add(cell, RESETS, 1);
    Atomics.store(cell, STATE, next << 16);
    Atomics.store(cell, GEN, next);
    Atomics.notify(cell, GEN);
  }

  /** The call's timeout, or the barrier's default. */
  #timeoutOf(options: WaitOptions | undefined, checked: number): number {
    return options?.timeout === undefined ? this.#timeout : checked;
  }

  /**
   * Counts this arrival. Arrivals beyond `parties` in a round belong to a later round, as in
   * Python: they wait for the rounds before theirs to pass first.
   */
  #arrive(): Arrival {
    const cell = this.#cell;
    if (this.broken) throw this.#brokenError();
    const resets = Atomics.load(cell, RESETS);
    const state = Atomics.add(cell, STATE, 1);
    const count = state & MAX_PARTIES;
    if (count === MAX_PARTIES) {
      throw new BrokenBarrierError(`More than ${MAX_PARTIES} threads wait on the Barrier`);
    }
    const ahead = Math.floor(count / this.#parties);
    return {
      index: count % this.#parties,
      generation: (((state >>> 16) & GENERATIONS) + ahead) & GENERATIONS,
      resets,
    };
  }

  /**
   * Waits until this arrival's round is the current one; then, unless it is the last to
   * arrive (which returns {@linkcode LAST} to trip the round), until the round is over.
   */
  *#waiting(arrival: Arrival, timeout: number): Waiting<boolean | typeof LAST> {
    const cell = this.#cell;
    const { generation, resets } = arrival;
    const settled = () => Atomics.load(cell, RESETS) !== resets;
    const deadline = performance.now() + timeout;
    const current = yield* retry(cell, () => {
      const gen = Atomics.load(cell, GEN);
      // Its round has come, or already gone (the others of a round may all arrive and leave
      // before one of them looks): the distance, modulo the generations, is small.
      const reached = ((gen - generation) & GENERATIONS) < REACHED;
      return reached || (gen & BROKEN) !== 0 || settled() ? DONE : gen;
    }, timeout);
    if (!current) return false;
    const gen = Atomics.load(cell, GEN);
    if (gen === generation && arrival.index === this.#parties - 1 && !settled()) return LAST;
    const left = Math.max(0, deadline - performance.now());
    return yield* retry(cell, () => {
      return Atomics.load(cell, GEN) === generation && !settled() ? generation : DONE;
    }, left);
  }

  /** The last arrival, after the action: releases everyone into the next generation. */
  #release({ generation, index }: Arrival): number {
    const cell = this.#cell;
    const next = (generation + 1) & GENERATIONS;
    // Next round; arrivals beyond this round's parties stay counted, for it.
    for (;;) {
      const state = Atomics.load(cell, STATE);
      if (((state >>> 16) & GENERATIONS) !== generation) break; // a reset() came
      const moved = (next << 16) | ((state & MAX_PARTIES) - this.#parties);
      if (Atomics.compareExchange(cell, STATE, state, moved) === state) break;
    }
    // A waiter that timed out at this very moment has broken the round: then all fail.
    if (Atomics.compareExchange(cell, GEN, generation, next) !== generation) {
      throw this.#brokenError();
    }
    Atomics.notify(cell, GEN);
    return index;
  }

  #outcome(arrival: Arrival): number {
    const cell = this.#cell;
    if (Atomics.load(cell, RESETS) !== arrival.resets) {
      throw new BrokenBarrierError("The Barrier was reset while this thread waited on it");
    }
    // Released, even if a timeout raced the release or a later round broke since.
    if (this.#passed(arrival)) return arrival.index;
    if ((Atomics.load(cell, GEN) & BROKEN) !== 0) throw this.#brokenError();
    this.#break();
    throw new BrokenBarrierError(
      `The Barrier timed out waiting for ${this.#parties} parties, so it is broken now`,
    );
  }

  /** Whether the arrival's round is over, released (a timeout that raced the release). */
  #passed({ generation, resets }: Arrival): boolean {
    const distance = ((Atomics.load(this.#cell, GEN) & GENERATIONS) - generation) & GENERATIONS;
    return distance >= 1 && distance < REACHED && Atomics.load(this.#cell, RESETS) === resets;
  }

  /** Breaks the current round (Python: a timeout or abort breaks the barrier). */
  #break(): void {
    const cell = this.#cell;
    const gen = Atomics.load(cell, GEN);
    if ((gen & BROKEN) === 0 && Atomics.compareExchange(cell, GEN, gen, gen | BROKEN) === gen) {
      Atomics.notify(cell, GEN);
    }
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
    const revived = state as BarrierState;
    const { parties, timeout } = revived;
    return revival.revive(revived, () => new Barrier(parties, { timeout }));
  }
}
