/**
 * The pool's scheduler: one FIFO of chunks, a set of worker slots, and the lifecycle of each
 * worker (start, retire after `maxTasksPerChild`, replace after a crash).
 *
 * Dispatch keeps up to {@linkcode PIPELINE} chunks in flight per worker, so a worker finds its
 * next chunk waiting when it finishes one (a `postMessage` round trip costs ~80 µs on a busy VM,
 * a pipelined message ~5 µs). A worker answers its chunks in the order sent, so the oldest
 * unanswered chunk of a worker is the one it is running: when it dies, that chunk fails with
 * `WorkerCrashedError` and the chunks queued behind it go back to the front of the FIFO.
 *
 * @module
 */

import {
  BrokenPoolError,
  FunctionTransportError,
  PoolClosedError,
  RemoteError,
  WorkerCrashedError,
} from "../errors.ts";
import { identCounter, markEnded, markStopping, nextIdentity } from "../_internal/identity.ts";
import type {
  CallMode,
  FunctionDescriptor,
  MainToWorker,
  SerializedError,
  WorkerIdentity,
  WorkerToMain,
} from "../_internal/protocol.ts";
import { reviveValue } from "../_internal/shareable.ts";
import type { Backend, WorkerEndpoint } from "./_backend.ts";

/** Chunks in flight per worker. */
export const PIPELINE = 2;
/** Workers dying before they are ready, in a row, that break the pool. */
const MAX_START_FAILURES = 3;

/** How a chunk ended: its values, or an error and the values computed before it. */
export type Outcome =
  | { ok: true; values: ArrayLike<unknown> & Iterable<unknown> }
  | { ok: false; error: Error; values: unknown[] };

/** A run of calls of one function, sent to one worker as one message. */
export interface Chunk {
  fn: FunctionDescriptor;
  mode: CallMode;
  /** Encoded calls (shared objects replaced by handles, plain numbers packed). */
  calls: unknown[] | Float64Array;
  shared: boolean;
  transfer: Transferable[];
  /** The job it belongs to, so a failed or abandoned job can withdraw its queued chunks. */
  owner: object;
  settle(outcome: Outcome): void;
}

interface Slot {
  identity: WorkerIdentity;
  endpoint: WorkerEndpoint;
  inflight: { batch: number; chunk: Chunk }[];
  known: Set<number>;
  tasksLeft: number;
  ready: boolean;
  dead: boolean;
}

/** What every worker of a pool is started with. */
export type InitPayload = Omit<Extract<MainToWorker, { kind: "init" }>, "kind" | "identity">;

/** Options of {@linkcode Scheduler}. */
export interface SchedulerOptions {
  processes: number;
  backend: Backend;
  /** Worker names are `${prefix}-N`. */
  prefix: string;
  maxTasksPerChild: number;
  init: Omit<InitPayload, "identCounter">;
}

type State = "running" | "closed" | "terminated" | "broken";

/** Turns a worker's serialized error into the error the caller sees. */
export function remoteToError(error: SerializedError): Error {
  if (error.transport === true) return new FunctionTransportError(error.message);
  return new RemoteError(error);
}

/** Runs chunks on workers. */
export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #slots = new Set<Slot>();
  #queue: Chunk[] = [];
  #head = 0;
  #state: State = "running";
  #failure: Error | undefined;
  #nextBatch = 1;
  #startFailures = 0;
  readonly #joined = Promise.withResolvers<void>();

  constructor(options: SchedulerOptions) {
    this.#options = options;
    for (let i = 0; i < options.processes; i++) this.#spawn();
  }

  /** `running`, `closed`, `terminated` or `broken`. */
  get state(): State {
    return this.#state;
  }

  /** Why the pool is broken, if it is. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Resolves once every worker has stopped, after `close()` or `terminate()`. */
  get joined(): Promise<void> {
    return this.#joined.promise;
  }

  /** Queues a chunk; it settles with an error at once if the pool cannot run it. */
  submit(chunk: Chunk): void {
    if (this.#state === "broken" || this.#state === "terminated") {
      chunk.settle({ ok: false, error: this.#refusal(), values: [] });
      return;
    }
    this.#queue.push(chunk);
    this.#pump();
  }

  /** Withdraws the queued chunks of a job (those already sent finish, unheeded). */
  cancel(owner: object): void {
    const kept: Chunk[] = [];
    for (let i = this.#head; i < this.#queue.length; i++) {
      const chunk = this.#queue[i]!;
      if (chunk.owner !== owner) kept.push(chunk);
    }
    this.#queue = kept;
    this.#head = 0;
    this.#maybeFinish();
  }

  /** No more work will come: the workers stop once the queued work is done. */
  close(): void {
    if (this.#state !== "running") return;
    this.#state = "closed";
    this.#maybeFinish();
  }

  /** Stops every worker now; every queued and running chunk fails with `PoolClosedError`. */
  terminate(): void {
    if (this.#state === "terminated" || this.#state === "broken") return;
    this.#state = "terminated";
    this.#failAll(this.#refusal());
  }

  #refusal(): Error {
    return this.#failure ??
      new PoolClosedError("The pool was terminated before this task finished");
  }

  #failAll(error: Error): void {
    const queued = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    const running: Chunk[] = [];
    for (const slot of this.#slots) {
      for (const { chunk } of slot.inflight) running.push(chunk);
      slot.inflight = [];
      this.#kill(slot);
    }
    for (const chunk of [...running, ...queued]) chunk.settle({ ok: false, error, values: [] });
    this.#joined.resolve();
  }

  #break(error: Error): void {
    if (this.#state === "terminated" || this.#state === "broken") return;
    this.#state = "broken";
    this.#failure = error;
    this.#failAll(error);
  }

  #spawn(): void {
    const identity = nextIdentity(this.#options.prefix);
    const slot: Slot = {
      identity,
      endpoint: undefined as unknown as WorkerEndpoint,
      inflight: [],
      known: new Set(),
      tasksLeft: this.#options.maxTasksPerChild,
      ready: false,
      dead: false,
    };
    slot.endpoint = this.#options.backend.start(identity, {
      message: (message) => this.#onMessage(slot, message),
      error: (error) => this.#onCrash(slot, undefined, "stopped with an error", error),
    });
    this.#slots.add(slot);
    slot.endpoint.post(
      { kind: "init", identity, identCounter: identCounter(), ...this.#options.init },
      [],
    );
  }

  #kill(slot: Slot): void {
    if (slot.dead) return;
    slot.dead = true;
    this.#slots.delete(slot);
    // Deno 2.9.6's terminate() does not stop a worker blocked in a wait: the mark makes the
    // library's waits in it unwind.
    markStopping(slot.identity.ident);
    slot.endpoint.terminate();
    markEnded(slot.identity.ident);
  }

  #pump(): void {
    while (this.#head < this.#queue.length) {
      const slot = this.#pick();
      if (slot === undefined) break;
      const chunk = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as unknown as Chunk;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      this.#send(slot, chunk);
    }
    this.#maybeFinish();
  }

  /** The live worker with the fewest chunks in flight and room for one more. */
  #pick(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.#slots) {
      const load = slot.inflight.length;
      if (load >= PIPELINE || load >= slot.tasksLeft) continue;
      if (best === undefined || load < best.inflight.length) best = slot;
      if (load === 0) break;
    }
    return best;
  }

  #send(slot: Slot, chunk: Chunk): void {
    const first = !slot.known.has(chunk.fn.id);
    const batch = this.#nextBatch++;
    try {
      slot.endpoint.post({
        kind: "run",
        batch,
        fn: chunk.fn.id,
        def: first ? chunk.fn : null,
        mode: chunk.mode,
        calls: chunk.calls,
        shared: chunk.shared,
      }, chunk.transfer);
    } catch (error) {
      chunk.settle({ ok: false, error: cloneError(error), values: [] });
      return;
    }
    if (first) slot.known.add(chunk.fn.id);
    slot.inflight.push({ batch, chunk });
  }

  #onMessage(slot: Slot, message: WorkerToMain): void {
    if (slot.dead) return;
    switch (message.kind) {
      case "ready":
        slot.ready = true;
        this.#startFailures = 0;
        return;
      case "initFailed":
        this.#break(
          new BrokenPoolError(
            `The pool's initializer failed in ${slot.identity.name}, so no worker can run ` +
              `tasks: ${message.error.name}: ${message.error.message}`,
            { cause: remoteToError(message.error) },
          ),
        );
        return;
      case "crashed":
        this.#onCrash(
          slot,
          message.batch,
          message.how,
          message.error === null ? undefined : remoteToError(message.error),
        );
        return;
      case "done":
      case "failed": {
        const entry = slot.inflight.shift();
        if (entry === undefined || entry.batch !== message.batch) {
          this.#onCrash(slot, undefined, "answered out of order", undefined);
          return;
        }
        slot.tasksLeft--;
        deliver(entry.chunk, message);
        if (slot.tasksLeft <= 0 && slot.inflight.length === 0) {
          // maxTasksPerChild reached: retire the worker and start a fresh one.
          this.#kill(slot);
          if (this.#state === "running" || this.#queue.length > this.#head) this.#spawn();
        }
        this.#pump();
      }
    }
  }

  /**
   * A worker died. `batch` is the chunk it reported running (`null`: none), or `undefined` when
   * it could not say, and then the oldest chunk in flight is taken as the running one.
   */
  #onCrash(slot: Slot, batch: number | null | undefined, how: string, cause: unknown): void {
    if (slot.dead) return;
    const inflight = slot.inflight;
    slot.inflight = [];
    this.#kill(slot);
    const runningIndex = batch === undefined
      ? (slot.ready && inflight.length > 0 ? 0 : -1)
      : inflight.findIndex((entry) => entry.batch === batch);
    const requeue: Chunk[] = [];
    inflight.forEach(({ chunk }, i) => {
      if (i !== runningIndex) {
        requeue.push(chunk);
        return;
      }
      chunk.settle({
        ok: false,
        error: new WorkerCrashedError(
          `${slot.identity.name} ${how} while running a task: the task failed, and the pool ` +
            `replaced the worker`,
          cause === undefined ? undefined : { cause },
        ),
        values: [],
      });
    });
    this.#queue = [...requeue, ...this.#queue.slice(this.#head)];
    this.#head = 0;
    if (!slot.ready && ++this.#startFailures >= MAX_START_FAILURES) {
      this.#break(
        new BrokenPoolError(
          `${MAX_START_FAILURES} workers in a row died before they were ready (the last ` +
            `${how}), so the pool gave up`,
          cause === undefined ? undefined : { cause },
        ),
      );
      return;
    }
    if (this.#state === "running" || this.#queue.length > 0) this.#spawn();
    this.#pump();
  }

  #maybeFinish(): void {
    if (this.#state !== "closed" || this.#queue.length > this.#head) return;
    for (const slot of this.#slots) if (slot.inflight.length > 0) return;
    for (const slot of [...this.#slots]) this.#kill(slot);
    this.#joined.resolve();
  }
}

function deliver(chunk: Chunk, message: Extract<WorkerToMain, { kind: "done" | "failed" }>): void {
  const finish = (values: unknown[] | Float64Array): void => {
    chunk.settle(
      message.kind === "done"
        ? { ok: true, values }
        : { ok: false, error: remoteToError(message.error), values: values as unknown[] },
    );
  };
  if (!message.shared) {
    finish(message.values);
    return;
  }
  reviveValue(message.values).then(
    (values) => finish(values as unknown[]),
    (error: unknown) => chunk.settle({ ok: false, error: asError(error), values: [] }),
  );
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function cloneError(error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new TypeError(
    `An argument cannot be sent to a worker (${reason}): arguments must be structured-` +
      `cloneable (numbers, strings, arrays, plain objects, typed arrays, Maps, Sets…), not ` +
      `functions or class instances`,
    { cause: error },
  );
}
