/**
 * The backend seam: how the scheduler starts a worker, talks to it and stops it. `worker` runs
 * each worker in a Web Worker; `inline` runs the same task runner on the main thread, for
 * debugging and for one test suite shared by every backend; `mpi` will run them on MPI ranks.
 *
 * @module
 */

import type { MainToWorker, WorkerIdentity, WorkerToMain } from "../_internal/protocol.ts";

/** The backends a pool can run on. */
export type BackendName = "worker" | "inline";

/** What a backend reports about one worker. */
export interface WorkerEvents {
  /** A protocol message from the worker. */
  message(message: WorkerToMain): void;
  /** The worker died without saying so itself (it failed to load, or a message broke). */
  error(error: unknown): void;
}

/** One started worker, as the scheduler sees it. */
export interface WorkerEndpoint {
  /** Sends a protocol message; throws a `DataCloneError` for values that cannot be sent. */
  post(message: MainToWorker, transfer: Transferable[]): void;
  /** Stops the worker at once; it sends nothing more. */
  terminate(): void;
  /**
   * Whether the worker keeps the program running (`true`, the start), as any Web Worker does;
   * `false` lets the program end while it lives, as Python's daemonic pool workers do.
   */
  keepAlive(on: boolean): void;
}

/** A way to run workers. */
export interface Backend {
  readonly name: BackendName;
  start(identity: WorkerIdentity, events: WorkerEvents): WorkerEndpoint;
}
