/**
 * The `mpi` backend, on rank 0: each worker a pool starts is placed on the rank with the
 * fewest (rank 0 first on a tie), up to `workersPerRank` each. A worker on rank 0 is a Web
 * Worker, as with the `worker` backend; one on another rank is a remote session: its protocol
 * messages are relayed over MPI (`_pool_wire.ts`) to a Web Worker that the rank's server
 * (`_pool_serve.ts`) starts there.
 *
 * A remote worker shares no memory with rank 0, so its sessions say `sharesMemory: false`:
 * the scheduler never takes a chunk back from it (each chunk sent counts as claimed: if the
 * worker dies, the chunk fails and never runs twice), and shared objects cannot be sent there.
 *
 * One receive loop serves every remote session. It tests for a message without blocking and,
 * when none is there, pauses (`#pause`): it keeps testing while only remote workers compute
 * (their answer is what the job waits for), sleeps while rank 0's own workers compute (their
 * answers wake it), and otherwise sleeps 1 ms between tests; its timers keep the program alive
 * only while a remote worker is busy, so an idle pool lets the program end, as `Pool` does.
 * The pool's end, or the program's, sends every server `stop`.
 *
 * @module
 */

import { checkRemoteRun, type Elsewhere, remoteInit } from "../_internal/relay.ts";
import { workerBackend } from "../_internal/start_worker.ts";
import type {
  Backend,
  InitPayload,
  RunPayload,
  SessionEvents,
  WorkerSession,
} from "../_internal/worker_session.ts";
import type { WorkerIdentity } from "../_internal/protocol.ts";
import { sendValueNow, startRecvValue } from "./_p2p.ts";
import {
  progress,
  RELAY_BUSY_MS,
  RELAY_IDLE_MS,
  relayPause,
  SLEEP_MS,
  wakeableSleep,
} from "./_progress.ts";
import { beforeFinalize, type Runtime } from "./_runtime.ts";
import { ANY_SOURCE } from "./constants.ts";
import { DOWN, type Down, UP, type Up } from "./_pool_wire.ts";
import type { RequestOperation } from "./request.ts";

/** A remote worker, as the errors name it. */
const ELSEWHERE: Elsewhere = {
  where: "a worker on another MPI rank: ranks share no memory",
  instead: "use Pool for shared objects on one machine",
};

interface Remote {
  rank: number;
  events: SessionEvents;
  referenced: boolean;
}

/** The `mpi` backend of one job (rank 0). */
export class MpiBackend implements Backend {
  readonly name = "mpi";
  readonly #rt: Runtime;
  readonly #perRank: number;
  /** Live workers per rank. */
  readonly #load: number[];
  readonly #remote = new Map<number, Remote>();
  #nextId = 1;
  #referenced = 0;
  /** When each remote chunk not answered yet was sent, by session id and batch. */
  readonly #sent = new Map<number, Map<number, number>>();
  /** A typical remote chunk's time from send to answer (milliseconds), or 0 before any. */
  #typical = 0;
  /** The chunks sent to each of rank 0's own workers and not answered (see `#startLocal`). */
  readonly #localPending = new Set<Set<number>>();
  /** When one of rank 0's own workers last answered. */
  #localAnswer = 0;
  /** Ends the receive loop's sleep early (`#pause`). */
  #wake: (() => void) | undefined;
  #listening = false;
  #stopped = false;

  /**
   * @param rt This rank's MPI (rank 0).
   * @param perRank How many workers each rank runs.
   */
  constructor(rt: Runtime, perRank: number) {
    this.#rt = rt;
    this.#perRank = perRank;
    this.#load = new Array<number>(rt.size).fill(0);
    beforeFinalize(() => this.stop());
  }

  /** Every rank's workers: the pool's size. */
  readonly places = (): number => this.#rt.size * this.#perRank;

  /** Whether the servers were told to stop. */
  get stopped(): boolean {
    return this.#stopped;
  }

  start(identity: WorkerIdentity, events: SessionEvents): WorkerSession {
    if (this.#stopped) {
      throw new Error("The MPI pool has ended: its ranks serve no more workers");
    }
    const rank = this.#pickRank();
    this.#load[rank]!++;
    return rank === 0
      ? this.#startLocal(identity, events)
      : this.#startRemote(rank, identity, events);
  }

  /** Tells every serving rank to stop its workers and leave `MpiPool.start()`. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    // The pool has stopped its workers, or the program is ending: nobody listens any more.
    this.#remote.clear();
    const pending: RequestOperation<void>[] = [];
    for (let rank = 1; rank < this.#rt.size; rank++) {
      const send = sendValueNow(this.#rt, { stop: true } satisfies Down, rank, DOWN, true);
      if (send !== null) pending.push(send);
    }
    // Small messages leave at once; give any other a moment, as this may run at the very end.
    const until = performance.now() + 1_000;
    while (pending.some((send) => !send.poll()) && performance.now() < until);
  }

  #pickRank(): number {
    let best = 0;
    for (let rank = 1; rank < this.#load.length; rank++) {
      if (this.#load[rank]! < this.#load[best]!) best = rank;
    }
    return best;
  }

  #startLocal(identity: WorkerIdentity, events: SessionEvents): WorkerSession {
    /**
     * The batches sent to it and not answered yet. A worker runs its chunks in order, so an
     * answer of batch `b` also clears those before it (chunks the scheduler took back from it
     * before it claimed them, which it never answers).
     */
    const pending = new Set<number>();
    const answered = (batch: number) => {
      for (const sent of pending) if (sent <= batch) pending.delete(sent);
      this.#localAnswer = performance.now();
      // Rank 0's own worker answered: a remote answer that came meanwhile may be what the
      // job waits for now.
      this.#wake?.();
    };
    const session = workerBackend.start(identity, {
      message: (message) => {
        events.message(message);
        if (message.kind === "done" || message.kind === "failed") answered(message.batch);
        else if (message.kind === "settled" && message.last) answered(message.batch);
      },
      error: (error) => {
        events.error(error);
        pending.clear();
        this.#wake?.();
      },
    });
    this.#localPending.add(pending);
    let ended = false;
    return {
      identity,
      sharesMemory: true,
      init: (payload) => session.init(payload),
      run: (task, transfer) => {
        session.run(task, transfer);
        pending.add(task.batch);
      },
      terminate: () => {
        if (!ended) this.#load[0]!--;
        ended = true;
        this.#localPending.delete(pending);
        session.terminate();
      },
      keepAlive: (on) => session.keepAlive(on),
    };
  }

  #startRemote(rank: number, identity: WorkerIdentity, events: SessionEvents): WorkerSession {
    const id = this.#nextId++;
    const remote: Remote = { rank, events, referenced: true };
    this.#remote.set(id, remote);
    this.#referenced++;
    this.#send(rank, { id, start: identity });
    this.#listen();
    const live = () => this.#remote.get(id) === remote;
    return {
      identity,
      sharesMemory: false,
      init: (payload: InitPayload) => {
        const init = remoteInit(payload, ELSEWHERE, events, live);
        if (init !== undefined) this.#send(rank, { id, init });
      },
      run: (task: RunPayload) => {
        checkRemoteRun(task, ELSEWHERE);
        this.#send(rank, { id, run: task });
        let sent = this.#sent.get(id);
        if (sent === undefined) this.#sent.set(id, sent = new Map());
        sent.set(task.batch, performance.now());
      },
      terminate: () => {
        if (!live()) return;
        this.#remote.delete(id);
        this.#sent.delete(id);
        if (remote.referenced) this.#referenced--;
        this.#load[rank]!--;
        if (!this.#stopped) this.#send(rank, { id, end: true });
      },
      keepAlive: (on) => {
        if (on === remote.referenced || !live()) return;
        remote.referenced = on;
        this.#referenced += on ? 1 : -1;
      },
    };
  }

  /** Sends now (a value that cannot be serialized throws here, before anything left). */
  #send(rank: number, message: Down): void {
    const pending = sendValueNow(this.#rt, message, rank, DOWN, true);
    if (pending !== null) progress(pending.poll).catch((error) => this.#fail(error));
  }

  /** The receive loop, started with the first remote worker, until the servers stop. */
  async #listen(): Promise<void> {
    if (this.#listening) return;
    this.#listening = true;
    let operation = startRecvValue<Up>(this.#rt, ANY_SOURCE, UP, undefined);
    let heard = performance.now();
    try {
      while (!this.#stopped) {
        while (operation.poll()) {
          this.#deliver(operation.result());
          operation = startRecvValue<Up>(this.#rt, ANY_SOURCE, UP, undefined);
          heard = performance.now();
        }
        await this.#pause(performance.now() - heard);
      }
      operation.cancel?.();
    } catch (error) {
      this.#fail(error);
    }
  }

  /**
   * The receive loop's pause. While remote chunks run and rank 0's own workers are idle, a
   * turn of the event loop within {@linkcode RELAY_IDLE_MS} of the last answer (a remote
   * answer is what the job waits for, and the core is free).
   * While both run, and remote chunks typically take long, a sleep of a quarter of that time
   * (at most {@linkcode RELAY_BUSY_MS}), which an answer of rank 0's own workers ends early:
   * testing every ~2 ms took its share of the core that mpirun binds rank 0 to with its
   * worker. Else `relayPause`: a turn of the event loop right after traffic, then 1 ms sleeps.
   */
  #pause(quietMs: number): Promise<void> {
    let outstanding = false, localBusy = false;
    for (const sent of this.#sent.values()) if (sent.size > 0) outstanding = true;
    for (const pending of this.#localPending) if (pending.size > 0) localBusy = true;
    const referenced = this.#referenced > 0;
    // Rank 0's workers are idle and a remote answer is what the job waits for: test on, for
    // a while after the last answer from anyone.
    const quiet = Math.min(quietMs, performance.now() - this.#localAnswer);
    if (outstanding && !localBusy && referenced && quiet < RELAY_IDLE_MS) {
      return relayPause(0, true);
    }
    const sleep = Math.min(RELAY_BUSY_MS, this.#typical / 4);
    if (!outstanding || sleep < 2 * SLEEP_MS) return relayPause(quietMs, referenced);
    return wakeableSleep(sleep, referenced, (wake) => this.#wake = wake);
  }

  /** Notes how long a remote chunk took, from its answer. */
  #timed(id: number, message: Up): void {
    if (!("m" in message)) return;
    const m = message.m;
    if (m.kind !== "done" && m.kind !== "failed") return;
    const sent = this.#sent.get(id);
    const at = sent?.get(m.batch);
    if (at === undefined) return;
    sent!.delete(m.batch);
    const took = performance.now() - at;
    this.#typical = this.#typical === 0 ? took : 0.75 * this.#typical + 0.25 * took;
  }

  #deliver(up: Up): void {
    const remote = this.#remote.get(up.id);
    if (remote === undefined) return; // a worker that was stopped meanwhile
    this.#timed(up.id, up);
    if ("m" in up) remote.events.message(up.m);
    else remote.events.error(Object.assign(new Error(up.error.message), { name: up.error.name }));
  }

  /** MPI itself failed: every remote worker fails with the error (their chunks with them). */
  #fail(error: unknown): void {
    for (const [id, remote] of this.#remote) {
      this.#remote.delete(id);
      remote.events.error(error);
    }
  }
}
