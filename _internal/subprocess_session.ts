/**
 * The `subprocess` backend: each worker in an operating-system child process of its own (a
 * `deno run` of `subprocess.ts`, beside `mod.ts`), as Python's `spawn` start method runs each.
 * `terminate()` kills the process (`SIGKILL`), so a task stuck in a JavaScript loop, a native
 * crash or an out-of-memory death stops there, never in this program: what Deno 2.9's
 * `worker.terminate()` cannot do for a Web Worker (upstream denoland/deno#35657).
 *
 * The child relays the worker protocol (`protocol.ts`) between its stdin/stdout (as
 * `frames.ts` frames) and a Web Worker it starts with the `worker` backend, so the worker runs
 * as every worker of the library does. Processes share no memory: the sessions say
 * `sharesMemory: false` (a chunk sent is never taken back, and fails if the process dies), and
 * shared objects do not cross. The child gets the permissions this program holds in full
 * (`--allow-read`, `--allow-net`, …), read access to the library and to the main module's
 * folder, and `--no-prompt`.
 *
 * @module
 */

import { type ConsoleMessage, printForwarded } from "./console_forward.ts";
import type * as Frames from "./frames.ts";
import type { ConsoleMode, SerializedError, WorkerIdentity, WorkerToMain } from "./protocol.ts";
import { checkRemoteRun, type Elsewhere, type RemoteInit, remoteInit } from "./relay.ts";
import {
  type Backend,
  endSession,
  type RunPayload,
  type SessionEvents,
  type WorkerSession,
} from "./worker_session.ts";

/** The child's program (on the top floor: named by URL only, never imported from here). */
const childUrl = new URL("../subprocess.ts", import.meta.url);
const libraryRoot = new URL("../", import.meta.url);

/** This program → the child. */
export type ToChild =
  | { start: WorkerIdentity }
  | { init: RemoteInit }
  | { run: RunPayload };

/** The child → this program. */
export type FromChild = { m: WorkerToMain } | { error: SerializedError };

const KINDS = ["read", "write", "net", "env", "run", "ffi", "sys", "import"] as const;

/** The `deno run` flags that give the child what this program holds in full. */
export function childPermissionFlags(): string[] {
  const flags: string[] = ["--no-prompt"];
  for (const name of KINDS) {
    if (Deno.permissions.querySync({ name }).state === "granted") flags.push(`--allow-${name}`);
  }
  if (!flags.includes("--allow-read")) {
    const paths = [libraryRoot.pathname];
    const main = Deno.mainModule;
    if (main?.startsWith("file:")) paths.push(new URL(".", main).pathname);
    flags.push(`--allow-read=${paths.join(",")}`);
  }
  return flags;
}

let runChecked = false;

/** Starting `deno` needs run access to it: asked once, or one error that names the flag. */
function checkRunAccess(): void {
  if (runChecked) return;
  const descriptor = { name: "run", command: Deno.execPath() } as const;
  let state = Deno.permissions.querySync(descriptor).state;
  if (state === "prompt") state = Deno.permissions.requestSync(descriptor).state;
  if (state !== "granted") {
    throw new Deno.errors.NotCapable(
      `Cannot start a worker process: the "subprocess" backend runs each worker as a child ` +
        `"deno" process, and this program may not run ${Deno.execPath()}. Run it with ` +
        `--allow-run (or --allow-run=${Deno.execPath()}, or -A).`,
    );
  }
  runChecked = true;
}

/** The child is gone: its exit is reported by `closed`. */
function gone(): void {}

let codecLoading: Promise<typeof Frames> | undefined;
let codecLoaded: typeof Frames | undefined;

/**
 * The frames codec, loaded with the first child: it needs `node:v8`, which costs milliseconds
 * to load, and every program that imports the library would pay them at start (and so would
 * every worker that imports the program's module to find its task).
 */
function frames(): Promise<typeof Frames> {
  codecLoading ??= import("./frames.ts").then((module) => codecLoaded = module);
  return codecLoading;
}

/** A worker in a child process, as the errors name it. */
const ELSEWHERE: Elsewhere = {
  where: "a worker in another process: processes share no memory",
  instead: `use the "worker" backend for shared objects`,
};

/** Starts one worker in a child process: the `subprocess` backend's sessions. */
export function startSubprocess(identity: WorkerIdentity, events: SessionEvents): WorkerSession {
  checkRunAccess();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...childPermissionFlags(), childUrl.href],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  const codec = frames();
  /** Heard no more: terminated, or its process ended. */
  let stopped = false;
  let terminated = false;
  let consoleMode: ConsoleMode = "forward";
  /** Frames still to write, in order, while the codec loads. */
  let queued: Promise<void> | undefined;
  const send = (message: ToChild) => {
    // Serialized now: a value that cannot be cloned throws here, before anything is sent.
    const loaded = codecLoaded;
    if (loaded !== undefined && queued === undefined) {
      writer.write(loaded.encodeFrame(message)).catch(gone);
      return;
    }
    // The codec is loading: a clone is the same check, and what is sent is the value as it
    // is now, as postMessage does.
    const copy = structuredClone(message);
    queued = (queued ?? Promise.resolve()).then(async () => {
      const { encodeFrame } = await codec;
      writer.write(encodeFrame(copy)).catch(gone);
    });
    const mine = queued;
    mine.then(() => {
      if (queued === mine) queued = undefined;
    }, gone);
  };
  const reading = codec.then(({ readFrames }) =>
    readFrames(child.stdout, (value) => {
      if (stopped) return;
      const up = value as FromChild;
      if ("error" in up) {
        events.error(Object.assign(new Error(up.error.message), { name: up.error.name }));
      } else if (up.m.kind === "console") {
        printForwarded(
          up.m as ConsoleMessage,
          consoleMode === "tagged" ? identity.name : undefined,
        );
      } else {
        events.message(up.m);
      }
    })
  ).catch(() => {});
  const closed = Promise.all([reading, child.status]).then(([, status]) => {
    if (stopped) return;
    stopped = true;
    const how = status.signal === null ? `with code ${status.code}` : `on ${status.signal}`;
    events.error(new Error(`its process (pid ${child.pid}) ended ${how}`));
  });
  send({ start: identity });
  return {
    identity,
    sharesMemory: false,
    closed: closed.then(() => {}),
    init(payload) {
      consoleMode = payload.console;
      const init = remoteInit(payload, ELSEWHERE, events, () => !stopped);
      if (init !== undefined) send({ init });
    },
    run(task) {
      checkRemoteRun(task, ELSEWHERE);
      send({ run: task });
    },
    terminate() {
      if (terminated) return;
      terminated = true;
      stopped = true;
      // Waiting for the exit keeps the program running (briefly), so `join()` can wait on it.
      child.ref();
      endSession(identity, () => {
        try {
          child.kill("SIGKILL");
        } catch {
          // It had ended already.
        }
      });
      writer.close().catch(() => {});
    },
    keepAlive(on) {
      if (on) child.ref();
      else child.unref();
    },
  };
}

/** Runs each worker in a child process of its own: killable for real. */
export const subprocessBackend: Backend = { name: "subprocess", start: startSubprocess };
