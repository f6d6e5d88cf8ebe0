/**
 * The `worker` backend: each pool worker is a Deno Web Worker (its own V8 isolate on its own
 * OS thread) running the library's worker host.
 *
 * @module
 */

import type { Backend, WorkerEndpoint, WorkerEvents } from "./_backend.ts";
import type { WorkerIdentity, WorkerToMain } from "../_internal/protocol.ts";
import { openRegistryLink } from "../_internal/registry.ts";

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
    // The worker's line to the registry of named shared memory, sent with `init`.
    const registry = openRegistryLink();
    return {
      post(message, transfer) {
        if (message.kind !== "init") return worker.postMessage(message, transfer);
        worker.postMessage({ ...message, registry: registry.link }, [
          ...transfer,
          registry.link.port,
        ]);
      },
      terminate() {
        worker.terminate();
        registry.close();
      },
    };
  },
};
