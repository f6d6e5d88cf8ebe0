/**
 * The `inline` backend: the task runner every worker runs, driven on the main thread. Messages
 * are structured-cloned both ways, so arguments and results behave exactly as with workers, but
 * functions are the very objects given (closures work, breakpoints hit): a backend for
 * debugging, and for running one test suite against every backend.
 *
 * @module
 */

import type { Backend, WorkerEndpoint, WorkerEvents } from "./_backend.ts";
import type { FunctionDescriptor, WorkerIdentity } from "../_internal/protocol.ts";
import { functionById, type ResolvedFunction } from "../_internal/function_transport.ts";
import { type Resolver, TaskRunner } from "../_internal/task_runner.ts";

class InlineResolver implements Resolver {
  readonly #descriptors = new Map<number, FunctionDescriptor>();

  define(descriptor: FunctionDescriptor): void {
    this.#descriptors.set(descriptor.id, descriptor);
  }

  cached(): ResolvedFunction | undefined {
    return undefined;
  }

  resolve(id: number): Promise<ResolvedFunction> {
    const fn = functionById(id);
    const descriptor = this.#descriptors.get(id);
    if (fn === undefined || descriptor === undefined) {
      return Promise.reject(new Error(`Internal error: function #${id} is gone`));
    }
    return Promise.resolve({ fn, byValue: false, descriptor });
  }

  explain(): Promise<Error | undefined> {
    return Promise.resolve(undefined);
  }
}

/** Runs workers' task runners on the main thread. */
export const inlineBackend: Backend = {
  name: "inline",
  start(_identity: WorkerIdentity, events: WorkerEvents): WorkerEndpoint {
    let alive = true;
    const runner = new TaskRunner({
      send(message, transfer) {
        const copy = structuredClone(message, { transfer });
        queueMicrotask(() => alive && events.message(copy));
      },
      start: () => new InlineResolver(),
    });
    return {
      post(message, transfer) {
        const copy = structuredClone(message, { transfer });
        queueMicrotask(() => alive && runner.receive(copy));
      },
      terminate() {
        alive = false;
        runner.stopped = true;
      },
      keepAlive() {
        // Nothing to hold: the tasks run on this thread.
      },
    };
  },
};
