/**
 * The child program of the `subprocess` backend (`_internal/subprocess_session.ts`): one
 * worker in an operating-system process of its own. It reads the parent's messages from stdin
 * (`_internal/frames.ts`), starts a Web Worker with the `worker` backend, relays to it, and
 * writes the worker's answers and console output to stdout; when stdin ends (the parent is
 * gone, even killed) it exits, stopping a worker stuck in a loop too. The parent ends it with `SIGKILL`. Not for direct use.
 *
 * @module
 */

import { ClaimCells } from "./_internal/claims.ts";
import { encodeFrame, readFrames } from "./_internal/frames.ts";
import { identCounter, nextIdentity } from "./_internal/identity.ts";
import { serializeError, type WorkerToMain } from "./_internal/protocol.ts";
import { relayMessage } from "./_internal/relay.ts";
import { workerBackend } from "./_internal/start_worker.ts";
import type { FromChild, ToChild } from "./_internal/subprocess_session.ts";
import type { WorkerSession } from "./_internal/worker_session.ts";

/** One per chunk in flight (the parent's pipeline is 2 deep). */
const CELLS = 8;

function write(message: FromChild): void {
  const frame = encodeFrame(message);
  for (let done = 0; done < frame.length;) done += Deno.stdout.writeSync(frame.subarray(done));
}

function relay(message: WorkerToMain): void {
  relayMessage(message, (m) => write({ m }), "the worker's process");
}

if (import.meta.main) {
  let session: WorkerSession | undefined;
  const claims = new ClaimCells(CELLS);
  await readFrames(Deno.stdin.readable, (value) => {
    const down = value as ToChild;
    if ("start" in down) {
      // The parent's name and ident (unique among the program's workers; this process's own
      // counter is moved past it, so workers started in here never reuse it).
      const identity = down.start;
      while (nextIdentity("SubprocessWorker").ident < identity.ident);
      session = workerBackend.start(identity, {
        message: relay,
        console: relay,
        error: (error) => write({ error: serializeError(error) }),
      });
    } else if ("init" in down) {
      session?.init({ ...down.init, identCounter: identCounter(), claims: claims.buffer });
    } else {
      claims.offer(down.run.cell, down.run.batch);
      session?.run(down.run, []);
    }
  });
  // The parent is gone (or closed the line): end the process, whatever the worker is doing
  // (a worker busy in a loop would otherwise keep it alive).
  session?.terminate();
  Deno.exit(0);
}
