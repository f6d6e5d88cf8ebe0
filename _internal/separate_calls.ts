/**
 * The worker's side of a chunk of *separate* calls (`apply` calls of one function travelling in
 * one message, see `pool/_coalesce.ts`): each call settles on its own, as if it had come alone.
 *
 * - Each call starts only once the chunk's progress cell counts it (`claims.ts`): the main
 *   program can cut the chunk, and knows after any death which call was running.
 * - A call that throws is that call's error alone; the next call runs.
 * - A result is made safe to send as soon as its call returns: shared objects replaced by
 *   handles and structured-cloned, so getters and the like run now, while the call still
 *   counts as running (a getter that kills the worker kills it in its own call, and one that
 *   throws is that call's error). Sending the answers later runs no code of the task's.
 *   A result that moves buffers (`transfer()`) is sent at once, alone, after the answers
 *   before it.
 * - Answers go back when the chunk ends, after a call that ends more than
 *   {@linkcode FLUSH_AFTER_MS} after the last answer, and, through
 *   {@linkcode SeparateCalls.halt}, when the worker dies with a word (`Deno.exit()`,
 *   `self.close()`, an uncaught error). A result is lost with its worker only when the worker
 *   dies without a word (it is terminated, or its process killed): then the results not sent
 *   are those of the calls of the last 0.2 ms (at most) before the call that was running
 *   started. Such a call fails with `WorkerCrashedError`, saying it ran, and is not run again.
 *
 * @module
 */

import type { ClaimCells } from "./claims.ts";
import type { AnyFunction } from "./function_transport.ts";
import { packNumbers } from "./number_pack.ts";
import type { CallMode, SerializedError, WorkerToMain } from "./protocol.ts";
import { encodeValue } from "./shareable.ts";

/** The longest the answers of finished calls wait in the worker (a bound on what is lost). */
export const FLUSH_AFTER_MS = 0.2;

type Settled = Extract<WorkerToMain, { kind: "settled" }>;

/** What a chunk of separate calls needs from its runner. */
export interface SeparateHost {
  /** Sends an answer; throws when it cannot be cloned. Sends nothing once the worker is dying. */
  send(message: WorkerToMain, transfer: Transferable[]): void;
  /** A call's error as the main program sees it (explained where the function is at fault). */
  explain(error: unknown): Promise<SerializedError>;
  /** The error of a result that cannot be cloned. */
  cloneError(error: unknown): SerializedError;
  /** The memory figure for the last answer, when asked. */
  memory(): number | undefined;
}

/** One chunk of separate calls being run, and its answers not yet sent. */
export class SeparateCalls {
  readonly #batch: number;
  readonly #cell: number;
  readonly #claims: ClaimCells | undefined;
  readonly #host: SeparateHost;
  /** The index of the first call whose answer is not sent yet. */
  #from = 0;
  #values: unknown[] = [];
  #errors: [number, SerializedError][] = [];
  #shared = false;
  #since = performance.now();
  #halted = false;

  constructor(batch: number, cell: number, claims: ClaimCells | undefined, host: SeparateHost) {
    this.#batch = batch;
    this.#cell = cell;
    this.#claims = claims;
    this.#host = host;
  }

  /** Counts the next call as started; `false` when it must not run (the chunk was cut). */
  begin(): boolean {
    if (this.#halted) return false;
    return this.#claims === undefined || this.#claims.begin(this.#cell);
  }

  /** Runs calls `first…` in turn (call `first` already begun), each settling on its own. */
  async run(fn: AnyFunction, mode: CallMode, calls: ArrayLike<unknown>, first = 0): Promise<void> {
    for (let i = first; i < calls.length; i++) {
      if (i > first && !this.begin()) break;
      let value: unknown;
      try {
        value = mode === "one" ? fn(calls[i]) : fn(...calls[i] as unknown[]);
        if (isThenable(value)) value = await value;
      } catch (error) {
        this.fail(i, await this.#host.explain(error));
        continue;
      }
      this.#keep(i, value);
    }
  }

  /** Call `i` failed with `error` (its own error: the others go on). */
  fail(i: number, error: SerializedError): void {
    this.#values.push(undefined);
    this.#errors.push([i, error]);
    this.#flushIfDue();
  }

  /** Sends the answers not yet sent, as the chunk's last answer. */
  end(): void {
    this.#send(true);
  }

  /**
   * The worker is dying (with a word): no call starts any more, and the answers of the calls
   * that finished go now, before the worker's `crashed` message.
   */
  halt(): void {
    if (this.#halted) return;
    this.#claims?.cut(this.#cell);
    this.#halted = true;
    this.#send(false);
  }

  /** Makes call `i`'s result safe to send (see the module's notes), and keeps it. */
  #keep(i: number, value: unknown): void {
    if (typeof value !== "object" || value === null) {
      if (typeof value === "function" || typeof value === "symbol") {
        const error = new DOMException(`${String(value)} could not be cloned.`, "DataCloneError");
        this.fail(i, this.#host.cloneError(error));
        return;
      }
      this.#values.push(value);
      this.#flushIfDue();
      return;
    }
    const transfer: Transferable[] = [];
    let kept: unknown;
    let shared: boolean;
    try {
      const encoded = encodeValue(value, transfer);
      shared = encoded.shared;
      if (transfer.length > 0) {
        this.#alone(i, encoded.value, shared, transfer);
        return;
      }
      kept = structuredClone(encoded.value);
    } catch (error) {
      this.fail(i, this.#host.cloneError(error));
      return;
    }
    this.#values.push(kept);
    if (shared) this.#shared = true;
    this.#flushIfDue();
  }

  /** Sends call `i`'s result, which moves buffers, on its own, after the answers before it. */
  #alone(i: number, value: unknown, shared: boolean, transfer: Transferable[]): void {
    this.#send(false);
    try {
      this.#host.send({
        kind: "settled",
        batch: this.#batch,
        from: i,
        values: [value],
        shared,
        errors: [],
        last: false,
      }, transfer);
    } catch (error) {
      this.fail(i, this.#host.cloneError(error));
      return;
    }
    this.#from = i + 1;
  }

  #flushIfDue(): void {
    if (performance.now() - this.#since > FLUSH_AFTER_MS) this.#send(false);
  }

  #send(last: boolean): void {
    this.#since = performance.now();
    const values = this.#values;
    if (values.length === 0 && !last) return;
    const transfer: Transferable[] = [];
    const answer: Settled = {
      kind: "settled",
      batch: this.#batch,
      from: this.#from,
      values: this.#shared ? values : packNumbers(values, transfer),
      shared: this.#shared,
      errors: this.#errors,
      last,
    };
    if (last) {
      const memory = this.#host.memory();
      if (memory !== undefined) answer.memory = memory;
    }
    this.#from += values.length;
    this.#values = [];
    this.#errors = [];
    this.#shared = false;
    // The values were cloned once already: they clone again (nothing of the task's runs).
    this.#host.send(answer, transfer);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function";
}
