/**
 * What the backends whose workers share no memory with this program (`subprocess`, `mpi`)
 * have in common: the `init` message as it crosses (without this process's memory and ports),
 * the refusal of shared objects, and, on the far side, relaying a worker's answers when its
 * results cannot be serialized.
 *
 * @module
 */

import { serializeError, type WorkerToMain } from "./protocol.ts";
import type { InitPayload, RunPayload, SessionEvents } from "./worker_session.ts";

/** The `init` message as it crosses to a worker that shares no memory with this program. */
export type RemoteInit = Omit<InitPayload, "identCounter" | "claims" | "registry">;

/** Where a worker that shares no memory is, for the errors: its words and the way out. */
export interface Elsewhere {
  /** e.g. `a worker on another MPI rank: ranks share no memory`. */
  where: string;
  /** e.g. `use Pool for shared objects on one machine`. */
  instead: string;
}

/** The error message of shared objects that cannot go `elsewhere`. */
export function crossingMessage(what: string, elsewhere: Elsewhere): string {
  return `${what} holds shared objects of this library (Lock, Value, Array, Queue, ` +
    `SharedMemory…), which cannot cross to ${elsewhere.where}. Send plain values, or ` +
    `${elsewhere.instead}`;
}

/**
 * The `init` payload for a worker `elsewhere`, or `undefined` when it holds shared objects:
 * then the worker's `initFailed` is reported to `events` (on a later turn, as a worker would
 * answer) unless `live()` says the session has ended.
 */
export function remoteInit(
  payload: InitPayload,
  elsewhere: Elsewhere,
  events: SessionEvents,
  live: () => boolean,
): RemoteInit | undefined {
  const { identCounter: _counter, claims: _claims, registry: _registry, ...rest } = payload;
  if (!rest.context.shared && !rest.initargsShared) return rest;
  queueMicrotask(() => {
    if (!live()) return;
    events.message({
      kind: "initFailed",
      error: serializeError(
        new TypeError(crossingMessage("The pool's context or initargs", elsewhere)),
      ),
    });
  });
  return undefined;
}

/** Throws the `DataCloneError` of a chunk with shared objects, which cannot go `elsewhere`. */
export function checkRemoteRun(task: RunPayload, elsewhere: Elsewhere): void {
  if (task.shared) {
    throw new DOMException(crossingMessage("An argument", elsewhere), "DataCloneError");
  }
}

/**
 * Passes a worker's message on with `send`. Results that `send` cannot serialize (shared
 * objects, say) fail their chunk instead, saying they could not cross `from` where they are.
 */
export function relayMessage(
  message: WorkerToMain,
  send: (message: WorkerToMain) => void,
  from: string,
): void {
  try {
    send(message);
  } catch (error) {
    if (message.kind !== "done" && message.kind !== "failed") throw error;
    send({
      kind: "failed",
      batch: message.batch,
      error: serializeError(
        new TypeError(
          `A result cannot cross from ${from} (${String(error)}): results must be ` +
            `structured-cloneable, without shared objects`,
        ),
      ),
      values: [],
      shared: false,
    });
  }
}
