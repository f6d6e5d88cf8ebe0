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
  "AsyncResult",
  "BrokenBarrierError",
  "BrokenPoolError",
  "EmptyError",
  "FullError",
  "FunctionTransportError",
  "MultiprocessingError",
  "Pool",
  "PoolClosedError",
  "RemoteError",
  "WorkerCrashedError",
  "cpuCount",
  "currentProcess",
  "transfer",
]);

/** Whether `source` mentions any export of the library. */
export function usesLibrary(source: string): boolean {
  for (const word of source.matchAll(/[A-Za-z_$][\w$]*/g)) {
    if (libraryNames.has(word[0])) return true;
  }
  return false;
}
