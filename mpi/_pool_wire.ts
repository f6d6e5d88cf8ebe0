/**
 * What rank 0's `MpiPool` and the serving ranks say to each other: the worker protocol
 * (`_internal/protocol.ts`) relayed over MPI, each message in an envelope naming the remote
 * worker (session) it is for. Rank 0 talks on {@linkcode DOWN}, the servers answer on
 * {@linkcode UP}; MPI keeps the order of messages between two ranks on one tag, and the
 * protocol needs no more than that.
 *
 * ```
 *  rank 0: scheduler ─ session.run ─▶ { id, run } ──DOWN──▶ rank r: local worker (Web Worker)
 *          events.message ◀── { id, m: done } ◀──UP── events.message ◀── worker host
 * ```
 *
 * @module
 */

import type { SerializedError, WorkerIdentity, WorkerToMain } from "../_internal/protocol.ts";
import type { RemoteInit } from "../_internal/relay.ts";
import type { RunPayload } from "../_internal/worker_session.ts";

/** Rank 0 → a serving rank. Tags near MPI's guaranteed maximum (32767), apart from users'. */
export const DOWN = 32_760;
/** A serving rank → rank 0. */
export const UP = 32_761;

/** Rank 0 → a serving rank. */
export type Down =
  /** Start a worker for session `id`. */
  | { id: number; start: WorkerIdentity }
  | { id: number; init: RemoteInit }
  | { id: number; run: RunPayload }
  /** Stop session `id`'s worker. */
  | { id: number; end: true }
  /** The pool is done: stop every worker, and leave `MpiPool.start()`. */
  | { stop: true };

/** A serving rank → rank 0. */
export type Up =
  | { id: number; m: WorkerToMain }
  /** Session `id`'s worker died without a word (it failed to load, or a message broke). */
  | { id: number; error: SerializedError };
