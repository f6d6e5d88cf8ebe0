/**
 * The `worker` backend: each pool worker is a Deno Web Worker (its own V8 isolate on its own
 * OS thread) running the library's worker host.
 *
 * @module
 */

import type { Backend, WorkerEndpoint, WorkerEvents } from "./_backend.ts";
import type { WorkerIdentity } from "../_internal/protocol.ts";
import { startWorker } from "../_internal/start_worker.ts";

/** Starts workers as Web Workers. */
export const workerBackend: Backend = {
  name: "worker",
  start(identity: WorkerIdentity, events: WorkerEvents): WorkerEndpoint {
    return startWorker(identity, events);
  },
};
