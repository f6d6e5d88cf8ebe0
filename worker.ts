/**
 * The worker program's `main`, as `mod.ts` is the user's: the entry file of every worker the
 * library starts (through `woken_worker.ts` where Deno makes new workers wait for a debugger).
 * It sits on the top floor because it gives the function resolver the library's exports as the
 * scope of by-value functions (`worker_scope.ts`). It runs a {@linkcode TaskRunner} on the messages of
 * the main program and watches for the ways a worker can die that Deno does not report to the
 * main program — `self.close()` and `Deno.exit()` raise no event there at all — or reports only
 * as a bare error: an uncaught error or unhandled rejection. Each is reported as a `crashed`
 * message naming the batch that was running, before the worker goes (after the answers of the
 * calls of that batch that finished, when it is a chunk of separate calls).
 * Unless started with `console: "inherit"`, it forwards the worker's console output to the
 * thread that started it (see `_internal/console_forward.ts`).
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { forwardConsole } from "./_internal/console_forward.ts";
import { FunctionResolver } from "./_internal/function_transport.ts";
import { adoptIdentity } from "./_internal/identity.ts";
import type { MainToWorker, WorkerToMain } from "./_internal/protocol.ts";
import { serializeError } from "./_internal/protocol.ts";
import { adoptRegistry } from "./_internal/registry.ts";
import { TaskRunner } from "./_internal/task_runner.ts";
import { libraryScope } from "./worker_scope.ts";

const closeWorker = self.close.bind(self);
let dead = false;
/** Console messages posted so far (see `RunnerHost.sentOfItsOwn`). */
let printed = 0;

const runner = new TaskRunner({
  send(message: WorkerToMain, transfer: Transferable[]): void {
    self.postMessage(message, transfer);
  },
  sentOfItsOwn: () => printed,
  start(init) {
    adoptIdentity(init.identity, init.identCounter);
    if (init.registry !== undefined) adoptRegistry(init.registry);
    if (init.console !== "inherit") {
      forwardConsole((message) => {
        printed++;
        if (!dead) self.postMessage(message);
      });
    }
    return new FunctionResolver(init.imports, init.context, libraryScope);
  },
});

function die(how: string, error: unknown, exitCode: number): void {
  if (dead) return;
  dead = true;
  const batch = runner.running;
  // The answers of the separate calls that finished go first; no other call starts.
  runner.halt();
  const message: WorkerToMain = {
    kind: "crashed",
    batch,
    how,
    error: error === undefined ? null : serializeError(error),
    exitCode,
  };
  try {
    self.postMessage(message);
  } finally {
    closeWorker();
  }
}

self.close = () => die("called self.close()", undefined, 0);
Object.defineProperty(Deno, "exit", {
  configurable: true,
  writable: true,
  value: (code?: number): never => {
    die(`called Deno.exit(${code ?? ""})`, undefined, exitCodeOf(code));
    // Unwind the task that called it, as Python's sys.exit() raises SystemExit.
    throw new Error(`Deno.exit(${code ?? ""}) was called in a worker`);
  },
});
self.addEventListener("error", (event) => {
  event.preventDefault();
  die("had an uncaught error", event.error ?? new Error(event.message), 1);
});
self.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  die("had an unhandled promise rejection", event.reason, 1);
});
/** The code `Deno.exit(code)` ends a `Process` with: a whole number, `0` when left out. */
function exitCodeOf(code: unknown): number {
  const n = Math.trunc(Number(code ?? 0));
  return Number.isFinite(n) ? n : 1;
}

self.onmessage = (event: MessageEvent<MainToWorker>) => runner.receive(event.data);
