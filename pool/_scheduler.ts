/**
 * The pool's scheduler: one FIFO of chunks, a set of worker slots, and the lifecycle of each
 * worker (start, retire after `maxTasksPerChild` or past `maxMemoryPerChild`, replace after a
 * crash).
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
 * - When a worker says, with an answer, that it holds more memory than `maxMemoryPerChild`, it
 *   gets no more chunks, the chunk waiting in it is taken back to the front of the FIFO (unless
 *   the worker claimed it first: then it runs there), and once its last answer is in it is
 *   retired and replaced, as after `maxTasksPerChild`.
 *
 * @module
 */

import { BrokenPoolError, PoolClosedError, WorkerCrashedError } from "../errors.ts";
import { ClaimCells, type Claims, sentForGood } from "../_internal/claims.ts";
import { Fifo } from "../_internal/fifo.ts";
import { COLLECT_MS } from "../_internal/lane.ts";
import { identCounter, nextIdentity } from "../_internal/identity.ts";
import { packNumbers } from "../_internal/number_pack.ts";
import type { WorkerIdentity, WorkerToMain } from "../_internal/protocol.ts";
import { reviveValue } from "../_internal/shareable.ts";
import { type Chunk, type Outcome, remoteToError } from "./_chunk.ts";
import { coalesce, Coalesced } from "./_coalesce.ts";
import {
  type Backend,
  type InitPayload,
  unsendableArguments,
  type WorkerSession,
} from "../_internal/worker_session.ts";

/** Chunks in flight per worker. */
export const PIPELINE = 2;
/** Batch numbers count up to this, then start again at 1 (they live in `Int32` cells). */
const MAX_BATCH = 0x7fffffff;
/**
 * The longest a pool's next worker waits to be created after the last one was created or
 * became ready (milliseconds), however busy the first workers are (see `Scheduler`'s
 * constructor).
 */
export const LATE_BIRTH_MS = 20;
/**
 * Workers dying before they ran a task, in a row (no task answered in between), that break the
 * pool: before they were ready (the initializer exited, or the worker could not load), or
 * after, idle (the initializer left behind a timer that throws, or a rejection nobody
 * handles). Python's pool starts such workers for ever; so would this one, without the bound.
 */
const MAX_START_FAILURES = 3;

export type { Chunk, Outcome };
export { remoteToError };

interface Inflight {
  batch: number;
  /** Its claim cell. */
  cell: number;
  chunk: Chunk;
}

interface Slot {
  identity: WorkerIdentity;
  session: WorkerSession;
  /** `sentForGood` for a worker that shares no memory (another MPI rank). */
  claims: Claims;
  /** Oldest first: the order the worker runs (or skips) them in. */
  inflight: Inflight[];
  known: Set<number>;
  tasksLeft: number;
  ready: boolean;
  /** Whether it answered a chunk: its start is proven. */
  answered: boolean;
  dead: boolean;
  /**
   * An aborted chunk the worker runs (or is about to: the answers of the chunks before it are
   * on their way): the worker gets nothing more, and is stopped once that chunk is next.
   */
  doomed: Inflight | undefined;
}

/** Options of {@linkcode Scheduler}. */
export interface SchedulerOptions {
  processes: number;
  backend: Backend;
  /** Worker names are `${prefix}-N`. */
  prefix: string;
  maxTasksPerChild: number;
  /**
   * Bytes a worker may hold after a chunk (its heap and `ArrayBuffer`s) before it is retired;
   * `Infinity` for no limit. Heard only from workers started with `init.reportMemory`.
   */
  maxMemoryPerChild: number;
  /** What every worker of the pool is started with, but its claim cells and the counter. */
  init: Omit<InitPayload, "identCounter" | "claims">;
}

type State = "running" | "closed" | "terminated" | "broken";

/** Runs chunks on workers. */
export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #slots = new Set<Slot>();
  readonly #queue = new Fifo<Chunk>();
  #state: State = "running";
  #failure: Error | undefined;
  #nextBatch = 1;
  #startFailures = 0;
  readonly #joined = Promise.withResolvers<void>();
  #finished = false;
  /** Whether the workers keep the program running now (see `#holdWhileBusy`). */
  #referenced = true;
  #daemon = false;
  /**
   * Workers still to start (see the constructor), named already so that names follow the
   * order of creation as in Python, and the timer that starts the next.
   */
  #unborn: WorkerIdentity[] = [];
  /** Stopped workers that have yet to end (child processes exiting). */
  readonly #closing = new Set<Promise<void>>();
  #birth: ReturnType<typeof setTimeout> | undefined;
  /**
   * Whether `#birth` is due at once (else it is a late birth), and when the last worker was
   * created or became ready.
   */
  #birthSoon = false;
  #lastBirth = 0;

  /**
   * Starts the first worker now and the others later, one per turn of the event loop, each
   * when it is wanted: creating a Web Worker blocks this thread for milliseconds (~8–10 ms
   * here, inside Deno), and a result that arrives meanwhile waits for it. So the next worker
   * is created when a chunk waits behind another one (an idle worker takes back what waits
   * behind a busy one, so a late worker gets its share), when the pool is idle (it costs no
   * one anything then), or at the latest {@linkcode LATE_BIRTH_MS} after the last one was
   * created or became ready (the first worker's task is a long one, then); not
   * while the only work is a task the first worker is about to answer (`new Pool(2)` then
   * one `apply` gets its result without waiting behind the second constructor).
   */
  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.#unborn = Array.from({ length: options.processes }, () => nextIdentity(options.prefix));
    this.#spawn(this.#unborn.shift());
    this.#lastBirth = performance.now();
    // Decided once the code that made the pool has run (its first map or apply is then
    // queued), and off the first chunk's way: a program's first timer costs ~3.5 ms in
    // Deno 2.9 (its timers load then).
    queueMicrotask(() => {
      // Wanted at once (the first map's second chunk waits): now, not after a timer's ~1–3.5 ms.
      this.#bearIfWanted();
      this.#scheduleBirth();
    });
    this.#holdWhileBusy();
  }

  /** Whether starting the next worker now helps, or costs no one: see the constructor. */
  #birthWanted(): boolean {
    if (performance.now() - this.#lastBirth >= LATE_BIRTH_MS) return true;
    let waiting = this.#queue.length, idle = 0, busy = false;
    for (const slot of this.#slots) {
      if (slot.inflight.length === 0) idle++;
      else busy = true;
      waiting += Math.max(0, slot.inflight.length - 1);
      // Separate applies travelling together: an idle worker would take half of them.
      const first = slot.inflight[0]?.chunk;
      if (first instanceof Coalesced && first.parts.length - first.answered > 1) waiting++;
    }
    return waiting > idle || (!busy && this.#queue.length === 0);
  }

  /** Creates the next worker, if one is left to start, the pool runs and it is wanted now. */
  #bearIfWanted(): void {
    if (this.#unborn.length === 0 || this.#state === "terminated" || this.#state === "broken") {
      return;
    }
    if (!this.#birthWanted()) return;
    this.#spawn(this.#unborn.shift());
    this.#lastBirth = performance.now();
    this.#pump();
  }

  #scheduleBirth(): void {
    if (this.#unborn.length === 0) return;
    const wanted = this.#birthWanted();
    if (this.#birth !== undefined) {
      if (!wanted || this.#birthSoon) return;
      clearTimeout(this.#birth); // a late birth, wanted now
    }
    this.#birthSoon = wanted;
    const delay = wanted ? 0 : LATE_BIRTH_MS - (performance.now() - this.#lastBirth);
    const timer = setTimeout(() => {
      if (this.#birth !== timer) return; // replaced
      this.#birth = undefined;
      if (this.#state === "terminated" || this.#state === "broken") return;
      this.#bearIfWanted();
      this.#scheduleBirth();
    }, Math.max(0, delay));
    // Deno 2.9 runs pending microtasks inside a program's first setTimeout (as it loads its
    // timers), so a queued `#scheduleBirth` may have set a timer of its own meanwhile: this
    // one replaces it (two births at once started a worker more than the pool has).
    if (this.#birth !== undefined) clearTimeout(this.#birth);
    this.#birth = timer;
  }

  /** No worker is left to start (the pool ended first). */
  #abortBirths(): void {
    this.#unborn = [];
    clearTimeout(this.#birth);
    this.#birth = undefined;
  }

  /**
   * Lets the program end whatever the workers do (a manager's server, whose one task never
   * ends: pending callers keep it running by their own waits); `false` undoes it.
   */
  detach(on: boolean): void {
    this.#daemon = on;
    this.#holdWhileBusy();
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
    this.#queue.remove((chunk) => chunk.owner === owner);
    this.#maybeFinish();
    this.#holdWhileBusy();
  }

  /**
   * Ends a job's chunks at once, each settling with `reason`: the queued ones are withdrawn,
   * those waiting in a worker behind other work are taken back, and a worker running one is
   * stopped (as far as the platform can stop it) and replaced, once the answers of the chunks
   * it ran before are in, so that no other job's chunk fails or runs twice.
   */
  abort(owner: object, reason: Error): void {
    const ended: Chunk[] = [];
    this.#queue.remove((chunk) => {
      if (chunk.owner !== owner) return false;
      ended.push(chunk);
      return true;
    });
    for (const slot of [...this.#slots]) {
      if (!slot.inflight.some((entry) => entry.chunk.owner === owner)) continue;
      // Take back what the worker has not claimed: the owner's end, the others run elsewhere.
      const requeue: Chunk[] = [];
      for (let i = slot.inflight.length - 1; i >= 0; i--) {
        const entry = slot.inflight[i]!;
        if (!slot.claims.takeBack(entry.cell, entry.batch)) break;
        slot.inflight.splice(i, 1);
        if (entry.chunk.owner === owner) ended.push(entry.chunk);
        else if (entry.chunk.transfer.length === 0) requeue.push(entry.chunk);
        else {
          // Its transfer() buffers moved to this worker: it cannot be sent to another.
          entry.chunk.settle({
            ok: false,
            error: new WorkerCrashedError(
              `${slot.identity.name} was stopped for an aborted call before it ran this task, ` +
                `and the buffers moved to it with transfer() went with it`,
            ),
            values: [],
          });
        }
      }
      this.#queue.pushFront(requeue.reverse());
      // What is left was claimed: the last one runs, those before it have answered.
      const running = slot.inflight.at(-1);
      if (running !== undefined && running.chunk.owner === owner) {
        // It settles now; whatever the worker answers for it later is not heard.
        ended.push(running.chunk);
        running.chunk = { ...running.chunk, settle: ignore };
        slot.doomed = running;
        if (slot.inflight.length === 1) this.#stopDoomed(slot);
      }
    }
    for (const chunk of ended) chunk.settle({ ok: false, error: reason, values: [] });
    this.#pump();
  }

  /** Stops a worker running an aborted chunk, and starts another in its place. */
  #stopDoomed(slot: Slot): void {
    slot.inflight = [];
    this.#kill(slot);
    if (this.#state === "running" || this.#queue.length > 0) this.#spawn();
  }

  /** No more work will come: the workers stop once the queued work is done. */
  close(): void {
    if (this.#state !== "running") return;
    this.#state = "closed";
    this.#maybeFinish();
    this.#holdWhileBusy();
  }

  /** Stops every worker now; every queued and running chunk fails with `PoolClosedError`. */
  terminate(): void {
    if (this.#state === "terminated" || this.#state === "broken") return;
    this.#state = "terminated";
    this.#abortBirths();
    this.#failAll(this.#refusal());
  }

  #refusal(): Error {
    return this.#failure ??
      new PoolClosedError("The pool was terminated before this task finished");
  }

  #failAll(error: Error): void {
    const queued = this.#queue.clear();
    const running: Chunk[] = [];
    for (const slot of this.#slots) {
      for (const { chunk } of slot.inflight) running.push(chunk);
      slot.inflight = [];
      this.#kill(slot);
    }
    for (const chunk of [...running, ...queued]) chunk.settle({ ok: false, error, values: [] });
    this.#finish();
  }

  #break(error: Error): void {
    if (this.#state === "terminated" || this.#state === "broken") return;
    this.#state = "broken";
    this.#failure = error;
    this.#abortBirths();
    this.#failAll(error);
  }

  #spawn(identity = nextIdentity(this.#options.prefix)): void {
    // Sessions call their events from the next task on, when `slot` is made.
    const session = this.#options.backend.start(identity, {
      message: (message) => this.#onMessage(slot, message),
      error: (error) => this.#onCrash(slot, "stopped with an error", error),
    });
    const slot: Slot = {
      identity,
      session,
      claims: session.sharesMemory ? new ClaimCells(PIPELINE) : sentForGood,
      inflight: [],
      known: new Set(),
      tasksLeft: this.#options.maxTasksPerChild,
      ready: false,
      answered: false,
      dead: false,
      doomed: undefined,
    };
    this.#slots.add(slot);
    if (!this.#referenced) session.keepAlive(false);
    const claims = slot.claims.buffer;
    session.init({
      ...this.#options.init,
      identCounter: identCounter(),
      ...(claims === undefined ? {} : { claims }),
    });
  }

  #kill(slot: Slot): void {
    if (slot.dead) return;
    slot.dead = true;
    this.#slots.delete(slot);
    slot.session.terminate();
    const closed = slot.session.closed;
    if (closed !== undefined) {
      this.#closing.add(closed);
      closed.finally(() => this.#closing.delete(closed));
    }
  }

  /** Every worker was stopped: `join()` resolves once each has really ended (a process). */
  #finish(): void {
    this.#finished = true;
    if (this.#closing.size === 0) this.#joined.resolve();
    else Promise.allSettled([...this.#closing]).then(() => this.#joined.resolve());
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const slot = this.#pick();
      if (slot === undefined) break;
      this.#send(slot, this.#queue.shift()!);
    }
    if (this.#queue.length === 0) this.#rebalance();
    this.#scheduleBirth();
    this.#maybeFinish();
    this.#holdWhileBusy();
  }

  /**
   * The queue is empty: each idle worker takes over the oldest chunk that waits behind a busy
   * worker's task (or in a worker still starting), if one does.
   */
  #rebalance(): void {
    for (const idle of this.#slots) {
      if (!idle.ready || idle.inflight.length > 0 || idle.tasksLeft <= 0) continue;
      if (idle.doomed !== undefined) continue;
      const chunk = this.#takeBackWaiting(idle) ?? this.#splitRunning(idle);
      if (chunk === undefined) return;
      this.#send(idle, chunk);
    }
  }

  /**
   * Takes the later half of the calls not yet started of the chunk of separate calls another
   * worker runs (the one with most calls left), so an idle worker shares them: a chunk of 256
   * long calls does not keep one worker busy while the other idles.
   */
  #splitRunning(except: Slot): Chunk | undefined {
    let found: Inflight | undefined;
    let claims: Claims | undefined;
    let most = 1;
    for (const slot of this.#slots) {
      if (slot === except) continue;
      const entry = slot.inflight[0];
      if (!(entry?.chunk instanceof Coalesced)) continue;
      const left = entry.chunk.parts.length - entry.chunk.answered;
      if (left > most) {
        most = left;
        found = entry;
        claims = slot.claims;
      }
    }
    if (found === undefined) return undefined;
    const keep = claims!.split(found.cell);
    if (keep === undefined) return undefined;
    return (found.chunk as Coalesced).split(keep);
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
      if (load >= PIPELINE || load >= slot.tasksLeft || slot.doomed !== undefined) continue;
      if (best === undefined || load < best.inflight.length) best = slot;
      if (load === 0) break;
    }
    return best;
  }

  /**
   * Separate `apply` calls queued behind `head` go with it, when there are more queued than the
   * workers take at once, and the worker shares this program's memory (see `_coalesce.ts`).
   * Not with `maxTasksPerChild`, which counts messages, nor `maxMemoryPerChild`, which a worker
   * is held to after each message.
   */
  #coalesce(slot: Slot, head: Chunk): Chunk {
    const { maxTasksPerChild, maxMemoryPerChild } = this.#options;
    if (
      maxTasksPerChild !== Infinity || maxMemoryPerChild !== Infinity ||
      slot.claims.buffer === undefined
    ) return head;
    const limit = Math.ceil(this.#queue.length / (PIPELINE * Math.max(1, this.#slots.size)));
    return limit <= 1 ? head : coalesce(head, this.#queue, limit);
  }

  #send(slot: Slot, chunk: Chunk): void {
    if (chunk.coalesce === true && this.#queue.length > 0) chunk = this.#coalesce(slot, chunk);
    const separate = chunk instanceof Coalesced;
    const first = !slot.known.has(chunk.fn.id);
    const batch = this.#nextBatch;
    this.#nextBatch = batch === MAX_BATCH ? 1 : batch + 1;
    let used = 0;
    for (const entry of slot.inflight) used |= 1 << entry.cell;
    let cell = 0;
    while ((used & (1 << cell)) !== 0) cell++;
    const transfer = chunk.transfer.slice();
    const calls = chunk.pack ? packNumbers(chunk.calls, transfer) : chunk.calls;
    slot.claims.offer(cell, batch, separate ? chunk.calls.length : 0);
    let laned: boolean | void;
    // The lane only to a worker whose earlier answers are all in: its answer must not pass
    // theirs (or console output they come after).
    const mayLane = slot.inflight.length === 0;
    try {
      laned = slot.session.run(
        {
          batch,
          cell,
          fn: chunk.fn.id,
          def: first ? chunk.fn : null,
          mode: chunk.mode,
          calls,
          shared: chunk.shared,
          ...(separate ? { separate } : {}),
        },
        transfer,
        mayLane,
      );
    } catch (error) {
      if (chunk instanceof Coalesced) {
        // One call's arguments cannot be sent: each goes alone, and only that one fails.
        for (const part of chunk.parts) part.coalesce = false;
        this.#queue.pushFront(chunk.parts);
        queueMicrotask(() => this.#pump());
        return;
      }
      chunk.settle({
        ok: false,
        error: unsendableArguments("An argument", error),
        values: [],
      });
      return;
    }
    if (first) slot.known.add(chunk.fn.id);
    slot.inflight.push({ batch, cell, chunk });
    if (laned === true) {
      // Through the worker's fast lane (`lane.ts`): when it is the pool's only work (one
      // `await pool.apply()` after another), the answer is waited for by spinning a little,
      // once the code that queued it has run; else it is asked to come as a message.
      const alone = this.#queue.length === 0 && this.#inflightCount() === 1;
      queueMicrotask(() => this.#collect(slot, batch, alone ? COLLECT_MS : 0));
    }
  }

  /** The answer of a chunk sent through the lane, if it comes there (see `#send`). */
  #collect(slot: Slot, batch: number, ms: number): void {
    const answer = slot.session.collect?.(ms);
    if (answer !== undefined && !slot.dead && slot.inflight[0]?.batch === batch) {
      this.#onMessage(slot, answer);
    }
  }

  #inflightCount(): number {
    let n = 0;
    for (const slot of this.#slots) n += slot.inflight.length;
    return n;
  }

  #onMessage(slot: Slot, message: WorkerToMain): void {
    if (slot.dead) return;
    switch (message.kind) {
      case "ready":
        slot.ready = true;
        this.#lastBirth = Math.max(this.#lastBirth, performance.now());
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
      case "settled": {
        const entry = slot.inflight[0];
        const chunk = entry?.chunk;
        if (entry === undefined || entry.batch !== message.batch || !(chunk instanceof Coalesced)) {
          this.#onCrash(slot, "answered out of order", undefined);
          return;
        }
        chunk.answer(message);
        this.#heardAnswer(slot);
        if (!message.last) return;
        // Calls the worker did not start (it was cut) run again.
        const rest = chunk.parts.slice(chunk.answered);
        chunk.end(chunk.answered, ignore, ignore);
        this.#queue.pushFront(rest);
        this.#answered(slot, message.memory);
        return;
      }
      case "done":
      case "failed": {
        const entry = slot.inflight[0];
        if (
          entry === undefined || entry.batch !== message.batch || entry.chunk instanceof Coalesced
        ) {
          this.#onCrash(slot, "answered out of order", undefined);
          return;
        }
        deliver(entry.chunk, message);
        this.#answered(slot, message.memory);
      }
    }
  }

  /** The worker answered a task: it is no start failure (see `MAX_START_FAILURES`). */
  #heardAnswer(slot: Slot): void {
    slot.answered = true;
    this.#startFailures = 0;
  }

  /** The worker answered its oldest chunk in flight for good. */
  #answered(slot: Slot, memory: number | undefined): void {
    this.#heardAnswer(slot);
    slot.inflight.shift();
    slot.tasksLeft--;
    if (memory !== undefined && memory > this.#options.maxMemoryPerChild) this.#retire(slot);
    if (slot.doomed !== undefined) {
      // The answers before the aborted chunk are in: stop the worker running it (or, if
      // it answered too, just retire the worker, which takes no more work).
      if (slot.inflight[0] === slot.doomed) {
        this.#stopDoomed(slot);
      } else if (slot.inflight.length === 0) {
        this.#kill(slot);
        if (this.#state === "running" || this.#queue.length > 0) this.#spawn();
      }
      this.#pump();
      return;
    }
    if (slot.tasksLeft <= 0 && slot.inflight.length === 0) {
      // maxTasksPerChild reached: retire the worker and start a fresh one.
      this.#kill(slot);
      if (this.#state === "running" || this.#queue.length > 0) this.#spawn();
    }
    this.#pump();
  }

  /**
   * A worker went past `maxMemoryPerChild`: it takes no new chunk (`tasksLeft` 0, as if its
   * `maxTasksPerChild` were spent), and the chunks waiting in it that it has not claimed go
   * back to the front of the queue, in order, for the others or its replacement; those it
   * claimed (or that moved buffers to it) run there. The caller retires it once its last answer
   * is in.
   */
  #retire(slot: Slot): void {
    slot.tasksLeft = 0;
    const requeue: Chunk[] = [];
    for (let i = slot.inflight.length - 1; i >= 0; i--) {
      const entry = slot.inflight[i]!;
      if (entry.chunk.transfer.length > 0) continue;
      if (!slot.claims.takeBack(entry.cell, entry.batch)) break;
      slot.inflight.splice(i, 1);
      requeue.push(entry.chunk);
    }
    this.#queue.pushFront(requeue.reverse());
  }

  /**
   * A worker died. Its chunks it had claimed (at most one: the one it ran) fail; those it had
   * not go back to the front of the queue, unless they moved buffers to it. Of a claimed chunk
   * of separate calls, only the call that was running fails (and calls whose results went
   * with the worker, if it died without a word): the answered ones stay answered, and those
   * that never started go back to the queue's front too (see `_coalesce.ts`).
   */
  #onCrash(slot: Slot, how: string, cause: unknown): void {
    if (slot.dead) return;
    const inflight = slot.inflight;
    slot.inflight = [];
    this.#kill(slot);
    const requeue: Chunk[] = [];
    // Killed by a task it ran (it claimed one): the task's doing, not the worker's start.
    let ranTask = false;
    const fail = (chunk: Chunk, message: string) =>
      chunk.settle({
        ok: false,
        error: new WorkerCrashedError(message, cause === undefined ? undefined : { cause }),
        values: [],
      });
    for (const { batch, cell, chunk } of inflight) {
      if (chunk instanceof Coalesced) {
        if (slot.claims.takeBack(cell, batch)) {
          requeue.push(...chunk.parts);
          continue;
        }
        const started = slot.claims.cut(cell);
        if (started > 0) ranTask = true;
        const unrun = chunk.end(
          started,
          (part) =>
            fail(
              part,
              `${slot.identity.name} ${how} while running a task: the task failed, and the ` +
                `pool replaced the worker`,
            ),
          (part) =>
            fail(
              part,
              `${slot.identity.name} ${how} after it ran this task and before its result was ` +
                `sent (it died without a word, and the results of a message's calls go back ` +
                `after every 0.2 ms of calls): the result was lost, the task is not run again, ` +
                `and the pool replaced the worker`,
            ),
        );
        requeue.push(...unrun);
        continue;
      }
      if (!slot.claims.takeBack(cell, batch)) {
        ranTask = true;
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
    this.#queue.pushFront(requeue);
    if (!slot.answered && !ranTask && ++this.#startFailures >= MAX_START_FAILURES) {
      const why = cause instanceof Error
        ? `: ${cause.message}`
        : cause === undefined
        ? ""
        : `: ${String(cause)}`;
      const when = slot.ready ? "after it was ready, before it ran a task" : "before it was ready";
      this.#break(
        new BrokenPoolError(
          `${MAX_START_FAILURES} workers in a row died before they ran a task (the last ` +
            `${how} ${when}${why}), so the pool gave up rather than start workers for ever: ` +
            `the pool's initializer, if it has one, exits or leaves an error behind (a timer ` +
            `that throws, a promise rejected and never handled)`,
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
    if (this.#state !== "closed" || this.#queue.length > 0 || this.#unborn.length > 0) return;
    for (const slot of this.#slots) if (slot.inflight.length > 0 || !slot.ready) return;
    for (const slot of [...this.#slots]) this.#kill(slot);
    this.#finish();
  }

  /**
   * Python's pool workers are daemonic: a program whose pool is idle ends, unclosed. Here the
   * workers keep the program running only while there is work for them (queued or running), or
   * while a closed pool finishes; an idle pool lets it end. (A pending promise alone does not
   * keep a Deno program running, so the work has to.)
   */
  #holdWhileBusy(): void {
    let busy = !this.#daemon && !this.#finished &&
      (this.#queue.length > 0 || this.#state === "closed");
    if (!busy && !this.#daemon && !this.#finished) {
      for (const slot of this.#slots) {
        if (slot.inflight.length > 0) {
          busy = true;
          break;
        }
      }
    }
    if (busy === this.#referenced) return;
    this.#referenced = busy;
    for (const slot of this.#slots) slot.session.keepAlive(busy);
  }
}

function ignore(): void {}

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
