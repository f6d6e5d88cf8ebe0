/**
 * Waking a new worker from Deno's debugger waits. Deno 2.9 makes a worker wait for a debugger
 * whenever the thread that starts it has an inspector session (`deno/runtime/ops/worker_host.rs`
 * `should_wait_for_page_wait_for_debugger_on_worker_start`): the REPL's session on the main
 * thread of `deno repl` and `deno jupyter`, and on every worker the session Deno opens for it
 * from the main thread. Such a worker then waits twice, polling every millisecond
 * (`deno/libs/core/inspector.rs`): 500 ms before its first module loads
 * (`wait_for_page_wait_for_debugger`), which nothing in the worker can shorten, and 500 ms more
 * when its first message arrives (`wait_for_debugger_enabled_for_worker_message`), unless an
 * inspector session of the worker has enabled the debugger by then. {@linkcode armInspectorWake}
 * spares the second wait: it enables the debugger in a session of the worker's own until the
 * first message has arrived, then closes that session.
 *
 * Only `woken_worker.ts` (beside `mod.ts`) imports this module: loading `node:inspector` costs a few
 * milliseconds that workers which do not wait should not pay.
 *
 * @module
 */

import { Session } from "node:inspector";

/**
 * The first wait lasts 500 ms from before the worker's clock starts, so a worker whose first
 * module runs this late has waited (a worker that did not wait gets there in ~10–50 ms). A busy
 * machine can bring one that did not wait this late too; it then just pays the wake-up, ~25 ms.
 */
const WAITED_MS = 450;

/** What {@linkcode armInspectorWake} did in this worker. */
export interface InspectorWake {
  /** `performance.now()` when the debugger was enabled, before any message arrived. */
  readonly armedAt: number;
  /** `performance.now()` when the first message arrived and the session was closed. */
  releasedAt: number | undefined;
}

let wake: InspectorWake | undefined;

/**
 * Enables the debugger in an inspector session of this worker until its first message arrives,
 * if the worker waited for a debugger before it loaded (see the module notes). Call it while the
 * worker's first module runs, before any message can arrive. Does nothing where the worker did
 * not wait or may not open an inspector session (without `--allow-sys`); it then waits as before.
 */
export function armInspectorWake(): void {
  if (wake !== undefined || performance.now() < WAITED_MS) return;
  let session: Session | undefined;
  try {
    // Never a permission prompt: only where `Session.connect()` is allowed already.
    const sys = { name: "sys", kind: "inspector" } as unknown as Deno.PermissionDescriptor;
    if (Deno.permissions.querySync(sys).state !== "granted") return;
    session = new Session();
    session.connect();
    session.post("Debugger.enable");
  } catch {
    // Without the wake-up the worker waits as it would without the library.
    closeSession(session);
    return;
  }
  const armed: InspectorWake = { armedAt: performance.now(), releasedAt: undefined };
  wake = armed;
  const opened = session;
  self.addEventListener("message", () => {
    armed.releasedAt = performance.now();
    closeSession(opened);
  }, { once: true });
}

/** Disables the debugger and closes the session, if it is open. */
function closeSession(session: Session | undefined): void {
  try {
    session?.post("Debugger.disable");
    session?.disconnect();
  } catch {
    // Not connected: nothing to close.
  }
}

/** What {@linkcode armInspectorWake} did in this worker: `undefined` when it did nothing. */
export function inspectorWake(): Readonly<InspectorWake> | undefined {
  return wake;
}
