/**
 * The scope of functions sent by value: the names the library's `mod.ts` exports, and the
 * module each comes from. A function sent by value has them in scope (as a Python worker that
 * imported `multiprocessing`), but importing the whole library into a worker costs milliseconds
 * at start, so the worker imports only the modules of the names a function's source uses.
 * `worker_scope_test.ts` keeps this table equal to `mod.ts`'s exports.
 *
 * It lives on the top floor, beside `mod.ts`, because it reaches every module of the library;
 * the worker's entry (`worker.ts`) hands it to the function resolver as its
 * {@linkcode FunctionScope}, so nothing below imports it.
 *
 * @module
 */

import type { FunctionScope } from "./_internal/function_transport.ts";

/** Every export of `mod.ts`, with the module (relative to this file) that defines it. */
export const libraryModules: Readonly<Record<string, string>> = {
  Array: "./shared/mod.ts",
  AsyncResult: "./pool/async_result.ts",
  Barrier: "./sync/barrier.ts",
  BaseProxy: "./manager/proxies.ts",
  BoundedSemaphore: "./sync/semaphore.ts",
  BrokenBarrierError: "./errors.ts",
  BrokenPoolError: "./errors.ts",
  BufferTooShortError: "./errors.ts",
  ClosedError: "./errors.ts",
  Condition: "./sync/condition.ts",
  Connection: "./ipc/connection.ts",
  DictProxy: "./manager/proxies.ts",
  EOFError: "./errors.ts",
  EmptyError: "./errors.ts",
  Event: "./sync/event.ts",
  FullError: "./errors.ts",
  FunctionTransportError: "./errors.ts",
  JoinableQueue: "./ipc/joinable_queue.ts",
  ListProxy: "./manager/proxies.ts",
  Lock: "./sync/lock.ts",
  Manager: "./manager/manager.ts",
  MpiError: "./errors.ts",
  MultiprocessingError: "./errors.ts",
  NamespaceProxy: "./manager/proxies.ts",
  Parallel: "./parallel/parallel.ts",
  ParallelRunningError: "./errors.ts",
  Pipe: "./ipc/pipe.ts",
  Pool: "./pool/pool.ts",
  PoolClosedError: "./errors.ts",
  Process: "./process/process.ts",
  ProgressBar: "./parallel/progress.ts",
  Queue: "./ipc/queue.ts",
  RLock: "./sync/rlock.ts",
  RawArray: "./shared/array.ts",
  RawValue: "./shared/value.ts",
  RemoteError: "./errors.ts",
  Semaphore: "./sync/semaphore.ts",
  SharedArray: "./shared/array.ts",
  SharedMemory: "./shared/shared_memory.ts",
  SharedTypedArray: "./shared/array.ts",
  SharedValue: "./shared/value.ts",
  ShutDownError: "./errors.ts",
  SimpleQueue: "./ipc/simple_queue.ts",
  SynchronizedArray: "./shared/array.ts",
  SynchronizedValue: "./shared/value.ts",
  Value: "./shared/value.ts",
  ValueProxy: "./manager/proxies.ts",
  WorkerCrashedError: "./errors.ts",
  activeChildren: "./process/active_children.ts",
  cpuCount: "./process/cpu_count.ts",
  currentProcess: "./process/current_process.ts",
  delayed: "./parallel/delayed.ts",
  parentProcess: "./process/parent_process.ts",
  progress: "./parallel/progress.ts",
  transfer: "./_internal/shareable.ts",
  wait: "./ipc/wait.ts",
};

/** Every export of `mod.ts`. */
export const libraryNames: ReadonlySet<string> = new Set(Object.keys(libraryModules));

/**
 * Whether a library export is put in the scope of by-value functions: all but those named
 * like a global (`Array`, `Event`), which would shadow the global there. By-value code uses
 * `SharedArray` for the first; an `Event` arrives as an argument.
 */
export function inScope(name: string): boolean {
  return !globalNames.has(name);
}

const globalNames = new Set(["Array", "Event"]);

/** The library exports that `source` mentions and that go in scope. */
export function usedLibraryNames(source: string): Set<string> {
  const used = new Set<string>();
  for (const word of source.matchAll(/[A-Za-z_$][\w$]*/g)) {
    if (libraryNames.has(word[0]) && inScope(word[0])) used.add(word[0]);
  }
  return used;
}

/** Whether `source` mentions any export of the library that goes in scope. */
export function usesLibrary(source: string): boolean {
  return usedLibraryNames(source).size > 0;
}

type Exports = Record<string, unknown>;

/**
 * Imports one of the library's modules. The specifier is computed on purpose: Deno loads every
 * module that a literal `import("…")` names as soon as the importing module loads, and this
 * one is in every worker's graph, so a table of literal imports made each worker load the
 * whole library (78 files) before its first task, where by-value code needs a module or two.
 */
function loadModule(module: string): Promise<Exports> {
  return import(new URL(module, import.meta.url).href);
}

/** The library exports `names`, imported from their own modules only. */
export async function importLibrary(names: Iterable<string>): Promise<Record<string, unknown>> {
  const byModule = new Map<string, string[]>();
  for (const name of names) {
    const module = libraryModules[name];
    if (module === undefined) continue;
    byModule.set(module, [...byModule.get(module) ?? [], name]);
  }
  const found: Record<string, unknown> = {};
  await Promise.all([...byModule].map(async ([module, list]) => {
    const exports = await loadModule(module);
    for (const name of list) found[name] = exports[name];
  }));
  return found;
}

/** The library's exports, as the scope a worker's function resolver compiles by-value code in. */
export const libraryScope: FunctionScope = {
  namesIn: usedLibraryNames,
  load: importLibrary,
};
