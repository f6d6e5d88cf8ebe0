/**
 * The names the library's `mod.ts` exports. A function sent by value has them in scope (as a
 * Python worker that imported `multiprocessing`), but importing the whole library into a
 * worker costs milliseconds at start, so the worker imports it only when a function's source
 * uses one of these names. `library_names_test.ts` keeps this list equal to `mod.ts`'s exports.
 *
 * @module
 */

/** Every export of `mod.ts`. */
export const libraryNames: ReadonlySet<string> = new Set([
  "Array",
  "AsyncResult",
  "Barrier",
  "BaseProxy",
  "BoundedSemaphore",
  "BrokenBarrierError",
  "BrokenPoolError",
  "ClosedError",
  "Condition",
  "Connection",
  "DictProxy",
  "EOFError",
  "EmptyError",
  "Event",
  "FullError",
  "FunctionTransportError",
  "JoinableQueue",
  "ListProxy",
  "Lock",
  "Manager",
  "MultiprocessingError",
  "NamespaceProxy",
  "Parallel",
  "Pipe",
  "Pool",
  "PoolClosedError",
  "Process",
  "ProgressBar",
  "Queue",
  "RLock",
  "RawArray",
  "RawValue",
  "RemoteError",
  "Semaphore",
  "SharedArray",
  "SharedMemory",
  "SharedTypedArray",
  "SharedValue",
  "SimpleQueue",
  "SynchronizedArray",
  "SynchronizedValue",
  "Value",
  "ValueProxy",
  "WorkerCrashedError",
  "activeChildren",
  "cpuCount",
  "currentProcess",
  "delayed",
  "progress",
  "transfer",
]);

/**
 * Whether a library export is put in the scope of by-value functions: all but those named
 * like a global (`Array`, `Event`), which would shadow the global there. By-value code uses
 * `SharedArray` for the first; an `Event` arrives as an argument.
 */
export function inScope(name: string): boolean {
  return !globalNames.has(name);
}

const globalNames = new Set(["Array", "Event"]);

/** Whether `source` mentions any export of the library that goes in scope. */
export function usesLibrary(source: string): boolean {
  for (const word of source.matchAll(/[A-Za-z_$][\w$]*/g)) {
    if (libraryNames.has(word[0]) && inScope(word[0])) return true;
  }
  return false;
}
