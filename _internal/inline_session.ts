/**
 * The `inline` backend: the task runner every worker runs, driven on the main thread. Messages
 * are structured-cloned both ways, so arguments and results behave exactly as with workers, but
 * functions are the very objects given (closures work, breakpoints hit): a backend for
 * debugging, and for running one test suite against every backend.
 *
 * @module
 */

import { functionById } from "./describe_function.ts";
import type { ResolvedFunction } from "./function_transport.ts";
import type { FunctionDescriptor, MainToWorker, WorkerIdentity } from "./protocol.ts";
import { type Resolver, TaskRunner } from "./task_runner.ts";
import {
  type Backend,
  endSession,
  type SessionEvents,
  type WorkerSession,
} from "./worker_session.ts";

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
  start(identity: WorkerIdentity, events: SessionEvents): WorkerSession {
    let alive = true;
    const runner = new TaskRunner({
      send(message, transfer) {
        const copy = structuredClone(message, { transfer });
        queueMicrotask(() => alive && events.message(copy));
      },
      start: () => new InlineResolver(),
    });
    const post = (message: MainToWorker, transfer: Transferable[]) => {
      const copy = structuredClone(message, { transfer });
      queueMicrotask(() => alive && runner.receive(copy));
    };
    return {
      identity,
      sharesMemory: true,
      init(payload) {
        post({ kind: "init", identity, ...payload }, []);
      },
      run(task, transfer) {
        post({ kind: "run", ...task }, transfer);
      },
      terminate() {
        if (!alive) return;
        alive = false;
        endSession(identity, () => runner.halt());
      },
      keepAlive() {
        // Nothing to hold: the tasks run on this thread.
      },
    };
  },
};
