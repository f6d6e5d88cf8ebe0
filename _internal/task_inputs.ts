/**
 * Checks shared by everything that sends functions to workers (`Pool`, `Process`): where the
 * workers import task modules from, and whether a value can be sent at all.
 *
 * @module
 */

import type { ConsoleMode } from "./protocol.ts";

/**
 * The `file:` URL of an absolute path (what `node:url`'s `pathToFileURL` does, without loading
 * `node:url` into every worker, which costs several milliseconds at start).
 */
export function fileUrl(path: string): string {
  let slashed = path.replace(/\\/g, "/");
  if (/^[A-Za-z]:/.test(slashed)) slashed = `/${slashed}`; // C:\dir → /C:/dir
  const encoded = slashed.split("/").map((part) =>
    /^[A-Za-z]:$/.test(part) ? part : encodeURIComponent(part)
  ).join("/");
  return new URL(`file://${encoded}`).href;
}

/**
 * The module URLs a worker imports to find functions by reference: `imports` resolved against
 * the calling module (or the working directory, in a notebook), or the calling module alone.
 */
export function resolveImports(imports: unknown, caller: string | undefined): string[] {
  if (imports === undefined) return caller === undefined ? [] : [caller];
  if (!Array.isArray(imports)) {
    throw new TypeError(`"imports" must be an array of module URLs or paths`);
  }
  const base = caller ?? fileUrl(`${Deno.cwd()}/`);
  return imports.map((spec: unknown, i) => {
    if (spec instanceof URL) return spec.href;
    if (typeof spec !== "string" || spec === "") {
      throw new TypeError(`"imports[${i}]" must be a module URL or path, got ${typeof spec}`);
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(spec)) return spec;
    if (spec.startsWith("/")) return fileUrl(spec);
    return new URL(spec, base).href;
  });
}

/** Throws a `TypeError` naming `argument` when `value` cannot be structured-cloned. */
export function checkCloneable(value: unknown, argument: string): void {
  try {
    structuredClone(value);
  } catch (error) {
    throw new TypeError(
      `"${argument}" cannot be sent to the workers (${(error as Error).message}): use ` +
        `structured-cloneable values`,
      { cause: error },
    );
  }
}

const consoleModes: readonly ConsoleMode[] = ["forward", "tagged", "inherit"];

/** Checks the `console` option of a `Pool` or `Process`; `"forward"` when left out. */
export function checkConsoleMode(mode: unknown): ConsoleMode {
  if (mode === undefined) return "forward";
  if (!consoleModes.includes(mode as ConsoleMode)) {
    throw new RangeError(
      `"console" must be "forward", "tagged" or "inherit", got ${describe(mode)}: "forward" ` +
        `prints the workers' output here, "tagged" prefixes it with the worker's name, ` +
        `"inherit" lets the workers write to stdout themselves`,
    );
  }
  return mode as ConsoleMode;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  return typeof value === "object" && value !== null ? "an object" : String(value);
}
