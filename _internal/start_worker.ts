/**
 * The `worker` backend: starting one worker host in a Web Worker, the way every worker of the
 * library (pool workers and processes, at any depth) is started outside `inline` pools. It wires the worker's events, gives the
 * worker its line to the registry of named shared memory (closed when the worker is stopped),
 * and prints the console output the worker forwards (see `console_forward.ts`).
 *
 * @module
 */

import { type ConsoleMessage, printForwarded } from "./console_forward.ts";
import type { ConsoleMode, WorkerIdentity, WorkerToMain } from "./protocol.ts";
import { Lane } from "./lane.ts";
import { openRegistryLink } from "./registry.ts";
import {
  type Backend,
  endSession,
  type RunPayload,
  type SessionEvents,
  type WorkerSession,
} from "./worker_session.ts";

// The worker program lives on the top floor (`worker.ts`, beside `mod.ts`): it reaches every
// module of the library, so it is named here by URL only, never imported.
const hostUrl = new URL("../worker.ts", import.meta.url);
const wokenHostUrl = new URL("../woken_worker.ts", import.meta.url);

const libraryRoot = new URL("../", import.meta.url);
let readable = false;

/**
 * Workers load the library's own files, so a program run without read access to them could
 * start no worker: each would die loading its entry (Deno prints one "Requires read access"
 * per worker) and the pool give up after three. Asked once, before the first worker: granted,
 * or asked for where Deno may prompt; otherwise one clear error that names the flag.
 */
function checkReadAccess(): void {
  if (readable || libraryRoot.protocol !== "file:") return;
  const descriptor = { name: "read", path: libraryRoot } as const;
  let state = Deno.permissions.querySync(descriptor).state;
  if (state === "prompt") state = Deno.permissions.requestSync(descriptor).state;
  if (state !== "granted") {
    throw new Deno.errors.NotCapable(
      `Cannot start a worker: workers load the library's files from ${libraryRoot.pathname}, ` +
        `and this program has no read access there. Run it with --allow-read (or ` +
        `--allow-read=${libraryRoot.pathname}, or -A); the workers inherit the program's ` +
        `permissions, so grant too what the tasks themselves use.`,
    );
  }
  readable = true;
}

/**
 * Starts a worker host named after `identity`: the `worker` backend's sessions. The `init`
 * message gets the worker's registry line added, and its `console` mode is heeded.
 */
export function startWorker(identity: WorkerIdentity, events: SessionEvents): WorkerSession {
  checkReadAccess();
  const entry = startsWaitingWorkers() ? wokenHostUrl : hostUrl;
  const worker = new Worker(entry, { type: "module", name: identity.name });
  let stopped = false;
  let consoleMode: ConsoleMode = "forward";
  let referenced = true;
  worker.onmessage = (event: MessageEvent<WorkerToMain>) => {
    if (stopped) return;
    const message = event.data;
    if (message.kind === "console" && events.console !== undefined) {
      events.console(message);
    } else if (message.kind === "console") {
      printForwarded(
        message as ConsoleMessage,
        consoleMode === "tagged" ? identity.name : undefined,
      );
    } else {
      events.message(message);
    }
  };
  worker.onerror = (event: ErrorEvent) => {
    // Handled here: never re-thrown into the program.
    event.preventDefault();
    if (!stopped) events.error(event.error ?? new Error(event.message));
  };
  worker.onmessageerror = () => {
    if (!stopped) events.error(new Error("a message from the worker could not be deserialized"));
  };
  // The worker's line to the registry of named shared memory, sent with `init`.
  const registry = openRegistryLink();
  /** A pool worker's fast lane (`lane.ts`); `undefined` for a `Process`'s worker. */
  let lane: Lane | undefined;
  /** The messages posted to the worker (see `Lane.offer`). */
  let posted = 0;
  return {
    identity,
    sharesMemory: true,
    init(payload) {
      consoleMode = payload.console;
      if (payload.role === "pool") lane = new Lane();
      posted++;
      worker.postMessage({
        kind: "init",
        identity,
        ...payload,
        registry: registry.link,
        ...(lane === undefined ? {} : { lane: lane.buffer }),
      }, [registry.link.port]);
    },
    run(task, transfer, mayLane = false) {
      const message = { kind: "run", ...task } as const;
      if (lane !== undefined) {
        // Through the lane where it can (the worker is idle, spinning for it), else by
        // message, once the worker left its spin.
        if (mayLane && laneable(task, transfer) && lane.offer(message, posted)) return true;
        lane.wake();
      }
      worker.postMessage(message, transfer);
      posted++;
      return false;
    },
    collect(ms) {
      return lane?.collect(ms) as WorkerToMain | undefined;
    },
    terminate() {
      if (stopped) return;
      stopped = true;
      endSession(identity, () => worker.terminate());
      registry.close();
    },
    keepAlive(on) {
      if (on === referenced || stopped) return;
      const ref = refMethod(worker);
      if (ref === undefined) return;
      referenced = on;
      ref.call(worker, on);
    },
  };
}

/**
 * Whether a chunk may go through a lane: one call (the sequential `apply`), no buffer moved,
 * no shared object.
 */
function laneable(task: RunPayload, transfer: Transferable[]): boolean {
  return transfer.length === 0 && !task.shared && task.separate !== true &&
    task.calls.length === 1;
}

/** Runs workers as Web Workers, each its own V8 isolate on its own OS thread. */
export const workerBackend: Backend = { name: "worker", start: startWorker };

let waiting: boolean | undefined;

/**
 * Whether Deno makes the workers this thread starts wait for a debugger (see
 * `inspector_wake.ts`): it does when this thread has an inspector session, which every worker
 * has (Deno opens one for it from the main thread), and so does the main thread of `deno repl`
 * and `deno jupyter` (the REPL evaluates code through one). Those workers get the entry that
 * wakes them; the others do without its cost. Where this guesses wrong, a worker just waits as
 * it would without the library's help.
 */
function startsWaitingWorkers(): boolean {
  if (waiting !== undefined) return waiting;
  if ("WorkerGlobalScope" in globalThis) {
    waiting = true;
  } else {
    // The REPL's main module (`deno/cli/tools/repl/session.rs`, `cli/tools/jupyter/mod.rs`).
    const main = Deno.mainModule ?? "";
    const file = main.slice(main.lastIndexOf("/") + 1);
    waiting = file === "$deno$repl.mts" || file === "$deno$jupyter_repl.mts";
  }
  return waiting;
}

type RefMethod = (this: Worker, ref: boolean) => void;

/**
 * Whether this Deno offers the switch `keepAlive(false)` uses (see {@linkcode refMethod}): a
 * Web Worker has no public `unref()`, so the switch is found by its shape, and the test
 * `deno_internals_test.ts` pins it, failing loudly on the Deno version where it is gone.
 */
export function workerRefSwitchFound(worker: Worker): boolean {
  return refMethod(worker) !== undefined;
}
let foundRef: RefMethod | null | undefined;

/**
 * Deno's own switch for whether a worker keeps the program running: the unnamed method its
 * `node:worker_threads` uses for `unref()`, which `Worker` does not expose by name. Looked up
 * once; `undefined` where it is missing, and daemonic workers then keep the program running.
 */
function refMethod(worker: Worker): RefMethod | undefined {
  if (foundRef !== undefined) return foundRef ?? undefined;
  foundRef = null;
  for (
    let proto = Object.getPrototypeOf(worker);
    proto !== null;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const key of Object.getOwnPropertySymbols(proto)) {
      const value = Object.getOwnPropertyDescriptor(proto, key)?.value;
      if (
        typeof value === "function" && value.length === 1 &&
        /refCount/.test(Function.prototype.toString.call(value)) &&
        /unrefOpPromise/.test(Function.prototype.toString.call(value))
      ) {
        foundRef = value as RefMethod;
        return foundRef;
      }
    }
  }
  return undefined;
}
