/**
 * Console forwarding: a worker's `console` output, printed by the thread that started it.
 *
 * In the Deno Jupyter kernel only the main program's console reaches the notebook cell; what a
 * worker prints is lost. So in a worker started with `console: "forward"` or `"tagged"`, the
 * worker host replaces the methods of the global `console` ({@linkcode forwardConsole}) with
 * those of a console that formats exactly as Deno's does (it is Deno's own `Console` class,
 * given a print function of ours; colors follow the process's stdout and `NO_COLOR`, as they
 * would) and posts each finished line to the parent as a `console` message. The parent prints
 * it with its own console ({@linkcode printForwarded}): in a worker that forwards too, this
 * sends it on up, so output from any depth reaches the main program.
 *
 * Ordering: the lines travel on the worker's one message channel, so they arrive in the order
 * printed and before the answer of the task that printed them; they are posted at once (never
 * buffered across calls), so a worker that dies right after printing loses nothing.
 *
 * @module
 */

import type { WorkerToMain } from "./protocol.ts";

/** A `console` message. */
export type ConsoleMessage = Extract<WorkerToMain, { kind: "console" }>;

/** What Deno's `Console` class calls with each piece of output: the text, and its level. */
type PrintFunction = (text: string, level: number) => void;

type ConsoleMethods = Record<string, unknown>;

/** Deno's levels: 0 debug, 1 log/info, 2 warn, 3 error, 4 trace. Above 1 goes to stderr. */
function streamOf(level: number): "stdout" | "stderr" {
  return level > 1 ? "stderr" : "stdout";
}

/**
 * In a worker: makes the global `console` post its output through `post` instead of writing
 * it. Pieces of output are joined until they end a line (Deno prints a trace in two pieces).
 */
export function forwardConsole(post: (message: ConsoleMessage) => void): void {
  const pending = { stdout: "", stderr: "" };
  const print: PrintFunction = (text, level) => {
    const stream = streamOf(level);
    const all = pending[stream] + text;
    if (!all.endsWith("\n")) {
      pending[stream] = all;
      return;
    }
    pending[stream] = "";
    post({ kind: "console", stream, text: all.slice(0, -1) });
  };
  const forwarding = denoConsole(print) ?? fallbackConsole(print, colorsOn());
  const global = console as unknown as ConsoleMethods;
  for (const [key, value] of Object.entries(forwarding)) {
    if (typeof value === "function") global[key] = value;
  }
}

/**
 * In the parent: prints a worker's forwarded lines with this thread's console, prefixed with
 * `[tag] ` when a tag is given.
 */
export function printForwarded(message: ConsoleMessage, tag?: string): void {
  const text = tag === undefined
    ? message.text
    : message.text.split("\n").map((line) => line === "" ? `[${tag}]` : `[${tag}] ${line}`)
      .join("\n");
  // One string argument: printed as it is (format directives apply only with more arguments).
  if (message.stream === "stderr") console.error(text);
  else console.log(text);
}

/**
 * Whether Deno's own `Console` class is in reach here (through `Deno[Deno.internal]`, the one
 * private door this file uses; `fallbackConsole` formats alike where it is shut). Pinned by
 * `deno_internals_test.ts`, which fails loudly on the Deno version where it closes.
 */
export function denoConsoleReachable(): boolean {
  return denoConsole(() => {}) !== undefined;
}

/** Deno's own console class, made with our print function; `undefined` if out of reach. */
function denoConsole(print: PrintFunction): ConsoleMethods | undefined {
  const deno = Deno as unknown as { internal?: symbol } & Record<symbol, unknown>;
  const internals = deno.internal === undefined ? undefined : deno[deno.internal];
  const Console = (internals as { Console?: unknown } | undefined)?.Console;
  if (typeof Console !== "function") return undefined;
  try {
    const made = new (Console as new (print: PrintFunction) => ConsoleMethods)(print);
    return typeof made?.log === "function" ? made : undefined;
  } catch {
    return undefined;
  }
}

function colorsOn(): boolean {
  try {
    return !Deno.noColor && Deno.stdout.isTerminal();
  } catch {
    return false;
  }
}

/**
 * A console for Deno versions whose `Console` class is out of reach: the printing methods,
 * formatted with `Deno.inspect` and the format directives of Deno's console (`%s %d %i %f %o
 * %O %c %%`), with groups indented. The other methods (`table`, `count`, `time`…) are left
 * as they are.
 */
export function fallbackConsole(print: PrintFunction, colors: boolean): ConsoleMethods {
  let indent = 0;
  const emit = (text: string, level: number): void => {
    const pad = " ".repeat(indent);
    print((indent === 0 ? text : pad + text.replaceAll("\n", `\n${pad}`)) + "\n", level);
  };
  const at = (level: number) => (...args: unknown[]) => emit(formatArgs(args, colors), level);
  const log = at(1);
  const group = (...args: unknown[]): void => {
    if (args.length > 0) log(...args);
    indent += 2;
  };
  return {
    log,
    info: log,
    dirxml: log,
    debug: at(0),
    warn: at(2),
    error: at(3),
    dir: (value: unknown, options: Deno.InspectOptions = {}) =>
      emit(Deno.inspect(value, { colors, ...options }), 1),
    assert: (condition = false, ...args: unknown[]) => {
      if (condition) return;
      if (args.length === 0) emit("Assertion failed", 3);
      else if (typeof args[0] === "string") {
        emit(formatArgs([`Assertion failed: ${args[0]}`, ...args.slice(1)], colors), 3);
      } else emit(formatArgs(["Assertion failed:", ...args], colors), 3);
    },
    trace: (...args: unknown[]) => {
      const frames = (new Error().stack ?? "").split("\n").slice(2).join("\n");
      emit(`Trace${args.length > 0 ? `: ${formatArgs(args, colors)}` : ""}\n${frames}`, 4);
    },
    group,
    groupCollapsed: group,
    groupEnd: () => {
      indent = Math.max(0, indent - 2);
    },
  };
}

/** Formats console arguments as Deno's console does. */
export function formatArgs(args: unknown[], colors: boolean): string {
  const inspect = (value: unknown) => Deno.inspect(value, { colors });
  let out = "";
  let next = 0;
  const first = args[0];
  if (typeof first === "string" && args.length > 1) {
    next = 1;
    let from = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (first[i] !== "%") continue;
      const directive = first[++i];
      let piece: string | undefined;
      if (directive === "%") piece = "%";
      else if (next < args.length) {
        if (directive === "s") piece = String(args[next++]);
        else if (directive === "d" || directive === "i") {
          const value = args[next++];
          piece = typeof value === "bigint"
            ? String(value)
            : typeof value === "number"
            ? String(Number.parseInt(String(value)))
            : "NaN";
        } else if (directive === "f") {
          const value = args[next++];
          piece = typeof value === "number" ? String(value) : "NaN";
        } else if (directive === "o" || directive === "O") piece = inspect(args[next++]);
        else if (directive === "c") {
          next++;
          piece = "";
        }
      }
      if (piece !== undefined) {
        out += first.slice(from, i - 1) + piece;
        from = i + 1;
      }
    }
    out += first.slice(from);
  }
  for (; next < args.length; next++) {
    if (next > 0) out += " ";
    const value = args[next];
    out += typeof value === "string" ? value : inspect(value);
  }
  return out;
}
