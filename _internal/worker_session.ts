/**
 * One worker session: the main program's side of one worker, whoever started it. A pool's
 * scheduler starts one per worker slot, a `Process` one for its target; both through a
 * {@linkcode Backend}, so every backend (`worker`, `inline`, and `mpi` to come) serves both.
 *
 * ```
 *  backend.start(identity, events) ─▶ session
 *  session.init(payload)             ─▶  worker: adopt identity, resolver, initializer ─▶ ready
 *  session.run(task, transfer)       ─▶  worker: claim, call, answer ─▶ done / failed
 *  events.message(…)                 ◀─  ready / initFailed / done / failed / crashed
 *  events.error(…)                   ◀─  the worker died without a word (load error, bad message)
 *  session.terminate()                   marks it stopping, stops it, marks it ended
 * ```
 *
 * @module
 */

import { markEnded, markStopping } from "./identity.ts";
import type { MainToWorker, WorkerIdentity, WorkerToMain } from "./protocol.ts";

/**
 * The backends a pool can run on: `mpi` once `MpiPool.start()` has registered it (see
 * `backends.ts`).
 */
export type BackendName = "worker" | "inline" | "subprocess" | "mpi";

/** What the starter of a session hears from its worker. Never called during `start()`. */
export interface SessionEvents {
  /** A protocol message from the worker (`console` messages are printed, not passed on). */
  message(message: WorkerToMain): void;
  /** The worker died without saying so itself (it failed to load, or a message broke). */
  error(error: unknown): void;
  /**
   * Where the worker's forwarded `console` output goes, if not to this thread's console (a
   * relay that passes it on: the `subprocess` backend's child).
   */
  console?(message: Extract<WorkerToMain, { kind: "console" }>): void;
}

/** What a worker is initialised with, besides its identity. */
export type InitPayload = Omit<Extract<MainToWorker, { kind: "init" }>, "kind" | "identity">;

/** One chunk of calls, as it is sent. */
export type RunPayload = Omit<Extract<MainToWorker, { kind: "run" }>, "kind">;

/** The main program's side of one started worker. */
export interface WorkerSession {
  /** The name and `ident` the worker was started with. */
  readonly identity: WorkerIdentity;
  /**
   * Whether the worker shares this program's memory (a thread of this process): claims,
   * shared objects and `transfer()` work. `false` for a worker on another MPI rank, whose
   * chunks cannot be taken back once sent (see `claims.ts`).
   */
  readonly sharesMemory: boolean;
  /**
   * Settles once the worker has really ended after `terminate()` (a child process has exited),
   * for `join()` to wait on; absent where ending is immediate (a Web Worker).
   */
  readonly closed?: Promise<void>;
  /** Sends the `init` message; the worker answers `ready` or `initFailed`. */
  init(payload: InitPayload): void;
  /**
   * Sends one chunk; the worker answers `done` or `failed`. Throws a `DataCloneError` when
   * the calls cannot be sent (see {@linkcode unsendableArguments}). With `lane`, it may go
   * through the worker's fast lane (`lane.ts`), and then returns `true`: its answer must be
   * asked for with `collect`, which gives it, or says it comes as a message.
   */
  run(task: RunPayload, transfer: Transferable[], lane?: boolean): boolean | void;
  /**
   * After a `run` that went through the lane, and once only: spins up to `ms` for the answer
   * and gives it, or `undefined` when it comes as a message instead. Absent without a lane.
   */
  collect?(ms: number): WorkerToMain | undefined;
  /**
   * Stops the worker at once; it is heard no more. Its `ident` is marked stopping first, so
   * the library's waits in it unwind (Deno 2.9's `terminate()` alone does not stop a worker
   * busy or blocked), and ended after. Idempotent.
   */
  terminate(): void;
  /**
   * Whether the worker keeps the program running (`true`, the start), as any Web Worker does;
   * `false` lets the program end while it lives, as Python's daemonic workers do. Where Deno
   * offers no way to do that, the worker keeps the program running.
   */
  keepAlive(on: boolean): void;
}

/** A way to run workers. */
export interface Backend {
  readonly name: BackendName;
  /**
   * How many workers it runs well, where that is not one per CPU of this machine (`mpi`: the
   * ranks' workers): a pool's default size and `Parallel`'s `nJobs: -1`.
   */
  readonly places?: () => number;
  /** Starts a worker named after `identity`; `events` are heard from the next task on. */
  start(identity: WorkerIdentity, events: SessionEvents): WorkerSession;
}

/**
 * What a backend's `terminate()` does around stopping its worker: marks the `ident` stopping
 * (the library's waits in the worker unwind), stops it, marks it ended.
 */
export function endSession(identity: WorkerIdentity, stop: () => void): void {
  markStopping(identity.ident);
  stop();
  markEnded(identity.ident);
}

/**
 * The error for arguments that could not be sent to a worker (the `DataCloneError` of
 * {@linkcode WorkerSession.run}), as every caller says it.
 *
 * @param subject What could not be sent, e.g. `An argument` or `The "args" of Process-3`.
 */
export function unsendableArguments(subject: string, error: unknown): TypeError {
  const reason = error instanceof Error ? error.message : String(error);
  return new TypeError(
    `${subject} cannot be sent to a worker (${reason}): arguments must be structured-` +
      `cloneable (numbers, strings, arrays, plain objects, typed arrays, Maps, Sets…) or ` +
      `shared objects of this library, not functions or class instances`,
    { cause: error },
  );
}
