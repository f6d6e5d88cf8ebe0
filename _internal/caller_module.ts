/**
 * Finds the module that called into the library, as Python finds `__main__`: the first frame
 * of the call stack outside the library's own source files.
 *
 * @module
 */

const libraryRoot = new URL("../", import.meta.url).href;
const libraryFolders = new Set([
  "_internal",
  "pool",
  "process",
  "sync",
  "shared",
  "ipc",
  "manager",
  "parallel",
  "mpi",
]);
const libraryFiles = new Set(["mod.ts", "errors.ts"]);
const FRAME_URL = /((?:file|https?):\/\/[^\s()]+?):\d+:\d+\)?\s*$/;

function isLibraryFile(url: string): boolean {
  if (!url.startsWith(libraryRoot)) return false;
  const rest = url.slice(libraryRoot.length);
  if (/_(test|bench)\.ts$/.test(rest)) return false;
  const slash = rest.indexOf("/");
  return slash === -1 ? libraryFiles.has(rest) : libraryFolders.has(rest.slice(0, slash));
}

/**
 * The URL of the calling module, or `undefined` when it cannot be imported by a worker (a
 * REPL or Jupyter cell, whose module is named `$deno$…`).
 */
export function callerModule(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  for (const line of stack.split("\n").slice(1)) {
    const url = FRAME_URL.exec(line)?.[1];
    if (url === undefined || isLibraryFile(url)) continue;
    return url.includes("$deno$") ? undefined : url;
  }
  return undefined;
}
