/**
 * {@linkcode Request}: a non-blocking MPI operation in flight, as mpi4py's `MPI.Request`.
 *
 * @module
 */

import { progress } from "./_progress.ts";

/**
 * How a {@linkcode Request} is driven: what `Comm`'s non-blocking calls (`isend`, `irecv`,
 * `Isend`, `Irecv`) hand to it. `poll` makes one non-blocking attempt (one `MPI_Test`, or one
 * `MPI_Improbe` then a receive) and says whether the operation is complete; `result` gives
 * its value once it is; `cancel`, when present, asks MPI to cancel it.
 */
export interface RequestOperation<T> {
  /** One non-blocking attempt: `true` once the operation is complete. May throw `MpiError`. */
  poll(): boolean;
  /** The operation's value, once `poll()` returned `true`. */
  result(): T;
  /** Asks MPI to cancel the operation (`MPI_Cancel`); `poll()` then completes it. */
  cancel?(): void;
  /**
   * The memory MPI reads or writes until the operation completes: held here so that the
   * collector cannot free it meanwhile (a value's serialized bytes have no other owner).
   */
  keepAlive?: unknown;
}

/**
 * A pending non-blocking operation. `test()` checks without waiting (mpi4py's
 * `flag, value = req.test()` is `const [done, value] = req.test()`), `wait()` (or `await req`)
 * settles with the value: the received value for `irecv`, the filled buffer for `Irecv`,
 * `undefined` for sends. Waiting never freezes the event loop: it tests in a tight loop for
 * 0.25 ms, then yields to the event loop and spins again by turns, and once it has waited
 * 20 ms it sleeps 1 ms between tests.
 * A failure (an `MpiError`) rejects `wait()` and is thrown by `test()`.
 *
 * @typeParam T What the operation gives when it completes.
 *
 * @example Receive from yourself without blocking
 * ```ts
 * import { Comm } from "@workers/multiprocessing/mpi";
 * import assert from "node:assert/strict";
 *
 * const comm = Comm.world;
 * const incoming = comm.irecv<number[]>({ source: comm.rank, tag: 1 });
 * assert.deepEqual(incoming.test(), [false, undefined]); // nothing sent yet
 * await comm.isend([1, 2, 3], { dest: comm.rank, tag: 1 });
 * assert.deepEqual(await incoming, [1, 2, 3]);
 * ```
 */
export class Request<T = void> implements PromiseLike<T> {
  #operation: RequestOperation<T>;
  #state: "pending" | "done" | "failed" = "pending";
  #value: T | undefined;
  #error: unknown;
  #waiting: Promise<T> | undefined;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;

  /**
   * Wraps an operation that `Comm` started. Users get requests from `Comm`'s non-blocking
   * calls rather than making them.
   *
   * @param operation How to drive it.
   * @param options `signal`: cancels the operation when aborted (a receive that matched no
   *   message yet then rejects with the signal's reason).
   */
  constructor(operation: RequestOperation<T>, options: { signal?: AbortSignal | undefined } = {}) {
    this.#operation = operation;
    const { signal } = options;
    if (signal !== undefined) {
      signal.throwIfAborted();
      this.#signal = signal;
      this.#onAbort = () => this.cancel();
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  /** Whether the operation has completed (or failed), as far as the last test saw. */
  get done(): boolean {
    return this.#state !== "pending";
  }

  #poll(): boolean {
    if (this.#state === "pending") {
      try {
        if (!this.#operation.poll()) return false;
        this.#value = this.#operation.result();
        this.#state = "done";
      } catch (error) {
        const aborted = this.#signal?.aborted && error instanceof DOMException &&
          error.name === "AbortError";
        this.#error = aborted ? this.#signal!.reason : error;
        this.#state = "failed";
      }
      if (this.#onAbort !== undefined) {
        this.#signal!.removeEventListener("abort", this.#onAbort);
      }
    }
    if (this.#state === "failed") throw this.#error;
    return true;
  }

  /**
   * Tests once, without waiting (`MPI_Test`).
   *
   * @returns `[true, value]` when complete, `[false, undefined]` otherwise.
   * @throws {MpiError} When the operation failed.
   */
  test(): [true, T] | [false, undefined] {
    return this.#poll() ? [true, this.#value as T] : [false, undefined];
  }

  /**
   * Waits for the operation, testing it as described on the class.
   *
   * @returns The operation's value.
   */
  wait(): Promise<T> {
    this.#waiting ??= progress(() => this.#poll()).then(() => this.#value as T);
    return this.#waiting;
  }

  /**
   * Makes the request awaitable: `await req` is `await req.wait()`.
   *
   * @param onfulfilled Called with the value.
   * @param onrejected Called with the error.
   * @returns The chained promise.
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.wait().then(onfulfilled, onrejected);
  }

  /**
   * Cancels a pending receive (`MPI_Cancel`): if no message was matched yet, the request
   * completes as cancelled (its `wait()` rejects with an `AbortError` `DOMException`);
   * otherwise it completes normally. Sends cannot be cancelled here.
   *
   * @throws {TypeError} For a send.
   */
  cancel(): void {
    if (this.#state !== "pending") return;
    if (this.#operation.cancel === undefined) {
      throw new TypeError("Cannot cancel a send request: wait for it instead");
    }
    this.#operation.cancel();
  }

  /**
   * Waits for every request (mpi4py's `Request.waitall`).
   *
   * @param requests The requests.
   * @returns Their values, in order.
   */
  static waitAll<T>(requests: Iterable<Request<T>>): Promise<T[]> {
    return Promise.all([...requests].map((request) => request.wait()));
  }
}
