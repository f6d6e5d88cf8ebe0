/**
 * Who this thread is (what `currentProcess()` answers), and the program-wide counters that
 * number workers. The counters live in a `SharedArrayBuffer` handed to every worker at start,
 * so workers started by workers are numbered in the same sequence, as Python numbers processes.
 *
 * @module
 */

import type { WorkerIdentity } from "./protocol.ts";

const IDENT = 0;
const NUMBER = 1;
/** After the counters: one bit per ident, set when that worker has ended. */
const ENDED = 2;
/** Idents whose end is recorded; later ones count as alive (they are never reached in practice). */
const TRACKED = 1 << 18;
/** After those: one bit per ident, set when its parent asks it to stop (before `terminate()`). */
const STOPPING = ENDED + TRACKED / 32;

let identity: WorkerIdentity = { name: "MainProcess", ident: Deno.pid };
/**
 * This thread's `ident`, as a live binding: the owner mark the locks of `sync/` write, read on
 * their hot path.
 */
export let selfIdent: number = identity.ident;
let counters: Int32Array | undefined;
/** Where this worker's stopping mark is (word and bit), read on every take: `-1` in the main. */
let stopWord = -1;
let stopBit = 0;
let bootstrapping = 0;

/** This thread's identity: `MainProcess` with the process id, or the worker's. */
export function currentIdentity(): WorkerIdentity {
  return identity;
}

/** Adopts the identity and the shared counters a worker is started with. */
export function adoptIdentity(own: WorkerIdentity, counter: SharedArrayBuffer): void {
  identity = own;
  selfIdent = own.ident;
  counters = new Int32Array(counter);
  const word = STOPPING + (own.ident >>> 5);
  if (own.ident > 0 && own.ident < TRACKED && word < counters.length) {
    stopWord = word;
    stopBit = 1 << (own.ident & 31);
  }
}

/**
 * The shared counters, made on first use in the main program, with the record of which
 * workers have ended (see {@linkcode hasEnded}).
 */
export function identCounter(): SharedArrayBuffer {
  counters ??= new Int32Array(new SharedArrayBuffer((STOPPING + TRACKED / 32) * 4));
  return counters.buffer as SharedArrayBuffer;
}

/**
 * Records that the worker with `ident` has ended (terminated, crashed or closed), for every
 * thread of the program to see: a manager's clients stop waiting for a server that ended.
 * (Locks are not taken over: a terminated worker may still be running, see `markStopping`.)
 */
export function markEnded(ident: number): void {
  if (ident <= 0 || ident >= TRACKED) return;
  identCounter();
  const word = ENDED + (ident >>> 5);
  if (word < counters!.length) Atomics.or(counters!, word, 1 << (ident & 31));
}

/**
 * Asks the worker with `ident` to stop, before its parent calls `terminate()`. In Deno 2.9.6
 * `terminate()` does not stop a worker that is busy in JavaScript or blocked in `Atomics.wait`
 * (the program then never ends); the library's blocking waits look at this mark and unwind.
 */
export function markStopping(ident: number): void {
  if (ident <= 0 || ident >= TRACKED) return;
  identCounter();
  const word = STOPPING + (ident >>> 5);
  if (word < counters!.length) Atomics.or(counters!, word, 1 << (ident & 31));
}

/**
 * Whether this thread's parent has asked it to stop (never in the main program): one atomic
 * load, cheap enough for every take of a queue or pipe.
 */
export function stopRequested(): boolean {
  return stopWord >= 0 && (Atomics.load(counters!, stopWord) & stopBit) !== 0;
}

/**
 * Throws the `AbortError` a thread asked to stop gets from the library's waits, takes and
 * puts, so that a killed worker's loop ends instead of taking messages meant for others.
 *
 * @param what What ends, e.g. `"its wait ends"`.
 */
export function throwIfStopping(what: string): void {
  if (stopWord >= 0 && (Atomics.load(counters!, stopWord) & stopBit) !== 0) {
    throw new DOMException(`The worker is being terminated: ${what}`, "AbortError");
  }
}

/** Whether the worker with `ident` has ended. The main program (its pid) never has. */
export function hasEnded(ident: number): boolean {
  if (ident <= 0 || ident >= TRACKED || ident === Deno.pid || counters === undefined) {
    return false;
  }
  const word = ENDED + (ident >>> 5);
  return word < counters.length && (Atomics.load(counters, word) & (1 << (ident & 31))) !== 0;
}

/**
 * A new identity: `${prefix}-N` with N from the program-wide sequence, and a unique ident; its
 * parent is this thread, which starts the worker.
 */
export function nextIdentity(prefix: string): WorkerIdentity {
  identCounter();
  const n = Atomics.add(counters!, NUMBER, 1) + 1;
  let ident = Atomics.add(counters!, IDENT, 1) + 1;
  if (ident === Deno.pid) ident = Atomics.add(counters!, IDENT, 1) + 1;
  return { name: `${prefix}-${n}`, ident, parent: parentOfNext() };
}

/** This thread, as the parent of a worker it starts. */
export function parentOfNext(): { name: string; ident: number } {
  return { name: identity.name, ident: identity.ident };
}

/** The number of processors, as `os.cpu_count()`. */
export function processorCount(): number {
  return navigator.hardwareConcurrency || 1;
}

/** Runs `load` while flagged as importing task modules (Python's bootstrapping phase). */
export async function whileBootstrapping<T>(load: () => Promise<T>): Promise<T> {
  bootstrapping++;
  try {
    return await load();
  } finally {
    bootstrapping--;
  }
}

/**
 * Throws when a worker is importing a task module whose top-level code starts workers: the
 * code of the main program must sit under `if (import.meta.main)`, or every worker would start
 * workers of its own, without end.
 */
export function assertNotBootstrapping(what: string): void {
  if (bootstrapping > 0) {
    throw unguarded(
      new DOMException(
        `Cannot start ${what} while ${identity.name} is importing a module to find its task ` +
          `functions: the module's top-level code starts workers, so every worker would start ` +
          `more. Put the main program's code under if (import.meta.main) { … }, as Python's ` +
          `under if __name__ == "__main__".`,
        "InvalidStateError",
      ),
    );
  }
}

const unguardedStarts = new WeakSet<object>();

function unguarded(error: DOMException): DOMException {
  unguardedStarts.add(error);
  return error;
}

/** Whether `error` is the one {@linkcode assertNotBootstrapping} throws. */
export function isUnguardedStart(error: unknown): boolean {
  return typeof error === "object" && error !== null && unguardedStarts.has(error);
}
