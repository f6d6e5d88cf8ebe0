/**
 * The pool's scheduler: one FIFO of chunks, a set of worker slots, and the lifecycle of each
 * worker (start, retire after `maxTasksPerChild`, replace after a crash).
 *
 * Dispatch keeps up to {@linkcode PIPELINE} chunks in flight per worker, so a worker finds its
 * next chunk waiting when it finishes one (a `postMessage` round trip costs ~80 µs on a busy VM,
 * a pipelined message ~5 µs). Each chunk in flight is offered in one of the worker's claim
 * cells (`claims.ts`), which the worker claims just before it runs the chunk. Two things
 * follow, both exact:
 *
 * - When the queue is empty and a worker is idle, it takes over a chunk still waiting behind
 *   another worker's task (the main program takes it back, winning the swap, and sends it
 *   again), so no worker idles while work waits behind a long task.
 * - When a worker dies, the chunk it claimed and did not answer fails with
 *   `WorkerCrashedError` (it may have run: it is never run twice), and those it had not
 *   claimed go back to the front of the FIFO, for its replacement.
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
import { ClaimCells } from "../_internal/claims.ts";
import { identCounter, markEnded, markStopping, nextIdentity } from "../_internal/identity.ts";
import { packNumbers } from "../_internal/number_pack.ts";
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
/** Batch numbers count up to this, then start again at 1 (they live in `Int32` cells). */
const MAX_BATCH = 0x7fffffff;
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
  /** Encoded calls (shared objects replaced by handles). */
  calls: unknown[];
  /** Whether plain numbers travel packed (see `number_pack.ts`), packed anew at each send. */
  pack: boolean;
  shared: boolean;
  /**
   * Buffers the caller marked with `transfer()`, moved with the first send: a chunk with any
   * cannot be sent again (to another worker).
   */
  transfer: Transferable[];
  /** The job it belongs to, so a failed or abandoned job can withdraw its queued chunks. */
  owner: object;
  settle(outcome: Outcome): void;
}

interface Inflight {
  batch: number;
  /** Its claim cell. */
  cell: number;
  chunk: Chunk;
}

interface Slot {
  identity: WorkerIdentity;
  endpoint: WorkerEndpoint;
  claims: ClaimCells;
  /** Oldest first: the order the worker runs (or skips) them in. */
  inflight: Inflight[];
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
      claims: new ClaimCells(PIPELINE),
      inflight: [],
      known: new Set(),
      tasksLeft: this.#options.maxTasksPerChild,
      ready: false,
      dead: false,
    };
    slot.endpoint = this.#options.backend.start(identity, {
      message: (message) => this.#onMessage(slot, message),
      error: (error) => this.#onCrash(slot, "stopped with an error", error),
    });
    this.#slots.add(slot);
    slot.endpoint.post({
      kind: "init",
      identity,
      identCounter: identCounter(),
      claims: slot.claims.buffer,
      ...this.#options.init,
    }, []);
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
    if (this.#head === this.#queue.length) this.#rebalance();
    this.#maybeFinish();
  }

  /**
   * The queue is empty: each idle worker takes over the oldest chunk that waits behind a busy
   * worker's task (or in a worker still starting), if one does.
   */
  #rebalance(): void {
    for (const idle of this.#slots) {
      if (!idle.ready || idle.inflight.length > 0 || idle.tasksLeft <= 0) continue;
      const chunk = this.#takeBackWaiting(idle);
      if (chunk === undefined) return;
      this.#send(idle, chunk);
    }
  }

  /** Takes back the oldest chunk offered to another worker and waiting there; removes it. */
  #takeBackWaiting(except: Slot): Chunk | undefined {
    for (;;) {
      let found: { slot: Slot; index: number } | undefined;
      let oldest = Infinity;
      for (const slot of this.#slots) {
        if (slot === except) continue;
        // A ready worker's first chunk is the one it runs next (its message may be on its way).
        for (let i = slot.ready ? 1 : 0; i < slot.inflight.length; i++) {
          const { batch, cell, chunk } = slot.inflight[i]!;
          if (chunk.transfer.length > 0 || !slot.claims.offered(cell, batch)) continue;
          if (batch < oldest) {
            oldest = batch;
            found = { slot, index: i };
          }
          break;
        }
      }
      if (found === undefined) return undefined;
      const { slot, index } = found;
      const entry = slot.inflight[index]!;
      // Lost the race: the worker claimed it meanwhile, so it is no longer offered; look again.
      if (!slot.claims.takeBack(entry.cell, entry.batch)) continue;
      slot.inflight.splice(index, 1);
      return entry.chunk;
    }
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
    const batch = this.#nextBatch;
    this.#nextBatch = batch === MAX_BATCH ? 1 : batch + 1;
    let used = 0;
    for (const entry of slot.inflight) used |= 1 << entry.cell;
    let cell = 0;
    while ((used & (1 << cell)) !== 0) cell++;
    const transfer = chunk.transfer.slice();
    const calls = chunk.pack ? packNumbers(chunk.calls, transfer) : chunk.calls;
    slot.claims.offer(cell, batch);
    try {
      slot.endpoint.post({
        kind: "run",
        batch,
        cell,
        fn: chunk.fn.id,
        def: first ? chunk.fn : null,
        mode: chunk.mode,
        calls,
        shared: chunk.shared,
      }, transfer);
    } catch (error) {
      chunk.settle({ ok: false, error: cloneError(error), values: [] });
      return;
    }
    if (first) slot.known.add(chunk.fn.id);
    slot.inflight.push({ batch, cell, chunk });
  }

  #onMessage(slot: Slot, message: WorkerToMain): void {
    if (slot.dead) return;
    switch (message.kind) {
      case "ready":
        slot.ready = true;
        this.#startFailures = 0;
        this.#pump();
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
          message.how,
          message.error === null ? undefined : remoteToError(message.error),
        );
        return;
      case "done":
      case "failed": {
        const entry = slot.inflight[0];
        if (entry === undefined || entry.batch !== message.batch) {
          this.#onCrash(slot, "answered out of order", undefined);
          return;
        }
        slot.inflight.shift();
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
   * A worker died. Its chunks it had claimed (at most one: the one it ran) fail; those it had
   * not go back to the front of the queue, unless they moved buffers to it.
   */
  #onCrash(slot: Slot, how: string, cause: unknown): void {
    if (slot.dead) return;
    const inflight = slot.inflight;
    slot.inflight = [];
    this.#kill(slot);
    const requeue: Chunk[] = [];
    const fail = (chunk: Chunk, message: string) =>
      chunk.settle({
        ok: false,
        error: new WorkerCrashedError(message, cause === undefined ? undefined : { cause }),
        values: [],
      });
    for (const { batch, cell, chunk } of inflight) {
      if (!slot.claims.takeBack(cell, batch)) {
        fail(
          chunk,
          `${slot.identity.name} ${how} while running a task: the task failed, and the pool ` +
            `replaced the worker`,
        );
      } else if (chunk.transfer.length > 0) {
        fail(
          chunk,
          `${slot.identity.name} ${how} before it ran this task, and the buffers moved to it ` +
            `with transfer() went with it, so the task cannot be sent to another worker`,
        );
      } else {
        requeue.push(chunk);
      }
    }
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

  /**
   * After `close()`: stops the workers once the queue is empty, nothing is in flight, and every
   * worker has initialised (as CPython's, which run their initializer even if no task comes).
   */
  #maybeFinish(): void {
    if (this.#state !== "closed" || this.#queue.length > this.#head) return;
    for (const slot of this.#slots) if (slot.inflight.length > 0 || !slot.ready) return;
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
