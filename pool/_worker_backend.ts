/**
 * The `worker` backend: each pool worker is a Deno Web Worker (its own V8 isolate on its own
 * OS thread) running the library's worker host.
 *
 * @module
 */

import type { Backend, WorkerEndpoint, WorkerEvents } from "./_backend.ts";
import type { WorkerIdentity, WorkerToMain } from "../_internal/protocol.ts";

const hostUrl = new URL("../_internal/worker_host.ts", import.meta.url);

/** Starts workers as Web Workers. */
export const workerBackend: Backend = {
  name: "worker",
  start(identity: WorkerIdentity, events: WorkerEvents): WorkerEndpoint {
    const worker = new Worker(hostUrl, { type: "module", name: identity.name });
    worker.onmessage = (event: MessageEvent<WorkerToMain>) => events.message(event.data);
    worker.onerror = (event: ErrorEvent) => {
      // Handled here: never re-thrown into the main program.
      event.preventDefault();
      events.error(event.error ?? new Error(event.message));
    };
    worker.onmessageerror = () => {
      events.error(new Error("a message from the worker could not be deserialized"));
    };
    return {
      post: (message, transfer) => worker.postMessage(message, transfer),
      terminate: () => worker.terminate(),
    };
  },
};
