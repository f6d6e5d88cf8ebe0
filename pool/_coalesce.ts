/**
 * Separate `apply` calls of one function queued behind each other travel together, up to
 * {@linkcode MAX_COALESCED} to a message, when there is a backlog: 100,000 calls awaited
 * together cost a few hundred messages instead of 100,000. Each call still settles on its own,
 * as if it had travelled alone:
 *
 * ```
 *  queue: apply₁ apply₂ … apply₂₅₆ ──▶ one run message (separate: true), progress cell = 256
 *  worker: begin(1) call₁ begin(2) call₂ …    each begin counts the call in the progress cell
 *          settled(from 0: values, errors) …  when done, after 0.2 ms of calls, or as it dies
 *  main:   each call settles with its own value or RemoteError, as its answer comes
 *  death:  cut the progress cell ─▶ started = k: answered calls stay answered; call k−1 fails
 *          (WorkerCrashedError: it was running); calls k… never ran ─▶ front of the queue
 * ```
 *
 * Only workers that share this program's memory get such messages (the progress cell lives in
 * it, `_internal/claims.ts`): for a worker in another process, a death without a word would
 * leave unknown which calls ran. Calls with a signal or a timeout travel alone (an abort stops
 * the worker running the call), as do calls that move buffers, and none coalesce under
 * `maxTasksPerChild` (which counts messages) or `maxMemoryPerChild` (checked after each
 * message). An idle worker takes the later half of the calls not yet started of a message
 * another worker runs (`Scheduler.#splitRunning`). The worker's side is
 * `_internal/separate_calls.ts`.
 *
 * @module
 */

import type { Fifo } from "../_internal/fifo.ts";
import type { WorkerToMain } from "../_internal/protocol.ts";
import { reviveValue } from "../_internal/shareable.ts";
import { type Chunk, type Outcome, remoteToError } from "./_chunk.ts";

/** The most separate calls one message carries. */
export const MAX_COALESCED = 256;

type Settled = Extract<WorkerToMain, { kind: "settled" }>;

/**
 * `head` with the single calls of the same function that wait behind it at the front of
 * `queue`, taken from it, up to `limit` calls in all; `head` itself when none can join it.
 */
export function coalesce(head: Chunk, queue: Fifo<Chunk>, limit: number): Chunk {
  const parts = [head];
  const max = Math.min(limit, MAX_COALESCED);
  for (let next = queue.first(); parts.length < max; next = queue.first()) {
    if (
      next === undefined || next.coalesce !== true || next.fn.id !== head.fn.id ||
      next.mode !== head.mode
    ) break;
    parts.push(queue.shift()!);
  }
  return parts.length === 1 ? head : new Coalesced(parts);
}

/** Separate single-call chunks sent as one message; each part settles on its own. */
export class Coalesced implements Chunk {
  readonly fn: Chunk["fn"];
  readonly mode: Chunk["mode"];
  calls: unknown[];
  readonly pack: boolean;
  readonly shared: boolean;
  readonly transfer: Transferable[] = [];
  /** Its own: a job withdraws its part from the queue, never from here (no part can abort). */
  readonly owner: object = {};
  #parts: Chunk[];
  #answered = 0;

  constructor(parts: Chunk[]) {
    const head = parts[0]!;
    this.fn = head.fn;
    this.mode = head.mode;
    this.#parts = parts;
    this.calls = parts.map((part) => part.calls[0]);
    this.pack = parts.every((part) => part.pack);
    this.shared = parts.some((part) => part.shared);
  }

  /** The single calls, in the order they run. */
  get parts(): readonly Chunk[] {
    return this.#parts;
  }

  /**
   * Gives up the calls from `keep` on (the worker was told not to start them, see
   * `ClaimCells.split`), to run elsewhere: as one chunk again, or the one call.
   */
  split(keep: number): Chunk {
    const taken = this.#parts.splice(keep);
    this.calls = this.calls.slice(0, keep);
    return taken.length === 1 ? taken[0]! : new Coalesced(taken);
  }

  /** How many calls, from the first, have their answer. */
  get answered(): number {
    return this.#answered;
  }

  /**
   * The chunk as a whole ended so (the pool was terminated or broke, or the message could not
   * be sent): every call without its answer yet ends so.
   */
  settle(outcome: Outcome): void {
    const values = outcome.ok ? Array.from(outcome.values) : [];
    for (let i = this.#answered; i < this.#parts.length; i++) {
      this.#parts[i]!.settle(
        outcome.ok
          ? { ok: true, values: [values[i]] }
          : { ok: false, error: outcome.error, values: [] },
      );
    }
    this.#answered = this.#parts.length;
  }

  /** Settles the calls a worker's `settled` answer covers, each with its value or error. */
  answer(message: Settled): void {
    const { from, errors } = message;
    const parts = this.#parts.slice(from, from + message.values.length);
    this.#answered = Math.max(this.#answered, from + parts.length);
    const failed = new Map(errors);
    const finish = (values: ArrayLike<unknown>): void => {
      for (let k = 0; k < parts.length; k++) {
        const error = failed.get(from + k);
        parts[k]!.settle(
          error === undefined
            ? { ok: true, values: [values[k]] }
            : { ok: false, error: remoteToError(error), values: [] },
        );
      }
    };
    if (!message.shared) {
      finish(message.values);
      return;
    }
    reviveValue(message.values).then(
      (values) => finish(values as unknown[]),
      (error: unknown) => {
        const reason = error instanceof Error ? error : new Error(String(error));
        for (const part of parts) part.settle({ ok: false, error: reason, values: [] });
      },
    );
  }

  /**
   * The worker stopped for good after `started` calls started (its progress cell, cut: see
   * `claims.ts`). Of the calls without an answer, the last that started fails with `running`
   * (it was running, or had just returned), those before it with `lost` (they ran; their
   * results went with the worker); the calls that never started are returned, to run again.
   */
  end(
    started: number,
    running: (part: Chunk) => void,
    lost: (part: Chunk) => void,
  ): Chunk[] {
    const last = Math.min(started, this.#parts.length);
    const answered = this.#answered;
    for (let i = answered; i < last; i++) (i === last - 1 ? running : lost)(this.#parts[i]!);
    this.#answered = this.#parts.length;
    return this.#parts.slice(Math.max(last, answered));
  }
}
