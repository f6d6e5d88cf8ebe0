/**
 * A serving rank of an `MpiPool` (every rank but 0): inside `MpiPool.start()` it starts a Web
 * Worker for each remote session rank 0 opens, relays rank 0's protocol messages to it and its
 * answers back (`_pool_wire.ts`), until rank 0 says `stop`.
 *
 * The worker is a local one (the `worker` backend), not this thread: it imports the program's
 * module to find functions by reference, which this thread, still inside the module's
 * top-level `await MpiPool.start()`, could not do without waiting for itself. Each worker gets
 * this rank's own ident counter and claim cells: rank 0 never takes a chunk back from a remote
 * worker, so each chunk relayed is offered and the worker claims it.
 *
 * @module
 */

import { ClaimCells } from "../_internal/claims.ts";
import { identCounter, nextIdentity } from "../_internal/identity.ts";
import { serializeError, type WorkerToMain } from "../_internal/protocol.ts";
import { relayMessage } from "../_internal/relay.ts";
import { workerBackend } from "../_internal/start_worker.ts";
import type { WorkerSession } from "../_internal/worker_session.ts";
import { sendValueNow, startRecvValue } from "./_p2p.ts";
import { progress, servePause } from "./_progress.ts";
import type { Runtime } from "./_runtime.ts";
import { DOWN, type Down, UP, type Up } from "./_pool_wire.ts";

/** Claim cells per worker: one per chunk in flight (rank 0's pipeline is 2 deep). */
const CELLS = 8;

interface Local {
  session: WorkerSession;
  claims: ClaimCells;
  /** Chunks relayed to it and not answered yet. */
  running: number;
}

/** Serves rank 0's pool until it says `stop`; then stops every worker it started. */
export async function serve(rt: Runtime): Promise<void> {
  const workers = new Map<number, Local>();
  let failure: unknown;
  /** When the last message came or went. */
  let heard = performance.now();
  /** Ends the loop's pause early: a worker answered (see `servePause`). */
  let wake: (() => void) | undefined;
  const idle = () => {
    for (const worker of workers.values()) if (worker.running > 0) return false;
    return true;
  };
  const sendUp = (message: Up) => {
    const pending = sendValueNow(rt, message, 0, UP, true);
    if (pending !== null) progress(pending.poll).catch((error) => failure ??= error);
  };
  const relay = (id: number, message: WorkerToMain) => {
    const worker = workers.get(id);
    if (worker === undefined) return;
    if (message.kind === "done" || message.kind === "failed") {
      worker.running--;
      heard = performance.now();
      wake?.();
    } else if (message.kind === "crashed") {
      worker.running = 0;
      wake?.();
    }
    relayMessage(message, (m) => sendUp({ id, m }), `rank ${rt.rank} to rank 0`);
  };
  try {
    for (;;) {
      if (failure !== undefined) throw failure;
      const operation = startRecvValue<Down>(rt, 0, DOWN, undefined);
      // Tested, then a pause: the workers here compute meanwhile, and get the cores; once
      // they are done, the next chunk is what this rank waits for, and it keeps testing.
      while (!operation.poll()) {
        await servePause(performance.now() - heard, idle(), (w) => wake = w);
      }
      heard = performance.now();
      const down = operation.result();
      if ("stop" in down) return;
      const { id } = down;
      if ("start" in down) {
        // This rank's own ident (idents are unique per process), rank 0's name.
        const identity = { ...down.start, ident: nextIdentity("MpiWorker").ident };
        const session = workerBackend.start(identity, {
          message: (message) => relay(id, message),
          error: (error) => {
            const worker = workers.get(id);
            if (worker === undefined) return;
            worker.running = 0;
            wake?.();
            sendUp({ id, error: serializeError(error) });
          },
        });
        workers.set(id, { session, claims: new ClaimCells(CELLS), running: 0 });
        continue;
      }
      const worker = workers.get(id);
      if (worker === undefined) continue;
      if ("init" in down) {
        worker.session.init({
          ...down.init,
          identCounter: identCounter(),
          claims: worker.claims.buffer,
        });
      } else if ("run" in down) {
        worker.running++;
        worker.claims.offer(down.run.cell, down.run.batch);
        worker.session.run(down.run, []);
      } else {
        workers.delete(id);
        worker.session.terminate();
      }
    }
  } finally {
    for (const { session } of workers.values()) session.terminate();
    workers.clear();
  }
}
